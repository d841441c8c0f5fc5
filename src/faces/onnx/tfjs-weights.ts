/**
 * A TF.js graph model's files as plain data: its model.json checked with zod, and its weight
 * shards cut into named constants (float16-quantized ones widened back to float32).
 */
import { z } from 'zod';

const attrSchema = z
  .object({
    b: z.boolean(),
    i: z.string(),
    s: z.string(),
    list: z.object({ i: z.array(z.string()).optional(), s: z.array(z.string()).optional() }),
    shape: z.object({ dim: z.array(z.object({ size: z.string() })) }),
  })
  .partial()
  .passthrough();
const nodeSchema = z.object({
  name: z.string(),
  op: z.string(),
  input: z.array(z.string()).default([]),
  attr: z.record(z.string(), attrSchema).default({}),
});
const weightSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32']),
  // Only float16 storage is read: the converted models use nothing else.
  quantization: z
    .object({ dtype: z.literal('float16') })
    .passthrough()
    .optional(),
});
/** Outputs by the names TF.js gives them (GraphModel.outputNodes), each a node's tensor. */
const signatureSchema = z.object({ outputs: z.record(z.string(), z.object({ name: z.string() })) });
export const tfjsModelSchema = z
  .object({
    modelTopology: z.object({ node: z.array(nodeSchema) }),
    weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(weightSchema) })),
    // Converters put the signature at the top or in the user metadata.
    signature: signatureSchema.optional(),
    userDefinedMetadata: z.object({ signature: signatureSchema.optional() }).passthrough().optional(),
  })
  .transform(({ signature, userDefinedMetadata, ...model }) => ({ ...model, signature: signature ?? userDefinedMetadata?.signature }));
export type TfjsModel = z.infer<typeof tfjsModelSchema>;
export type TfNode = z.infer<typeof nodeSchema>;

/** A constant of the TF graph, with TF's shape. */
export interface Weight {
  readonly shape: readonly number[];
  readonly values: Float32Array | Int32Array;
}

/** The weights of `model`, by name, from its shards' bytes (concatenated in manifest order). */
export function readWeights(model: TfjsModel, shards: Uint8Array): Map<string, Weight> {
  const weights = new Map<string, Weight>();
  let offset = 0;
  for (const w of model.weightsManifest.flatMap((g) => g.weights)) {
    const count = w.shape.reduce((a, b) => a * b, 1);
    const half = w.quantization !== undefined;
    const size = count * (half ? 2 : 4);
    if (offset + size > shards.byteLength) throw new Error(`Expected ${size} bytes of weights for ${w.name}`);
    // A copy: typed arrays need aligned offsets, and the shards can then be dropped.
    const bytes = Uint8Array.from(shards.subarray(offset, offset + size)).buffer;
    offset += size;
    let values: Float32Array | Int32Array;
    if (half) values = widen(new Uint16Array(bytes));
    else values = w.dtype === 'float32' ? new Float32Array(bytes) : new Int32Array(bytes);
    weights.set(w.name, { shape: w.shape, values });
  }
  return weights;
}

let halfTable: Float32Array | null = null;

/** Half-precision values as float32, through a table of all 65,536 of them (built once). */
function widen(halves: Uint16Array): Float32Array {
  if (halfTable === null) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = float16(bits);
  }
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = halfTable[halves[i]!]!;
  return out;
}

/** An IEEE half-precision value. */
function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Transposes a TF filter [kh, kw, in, out] into ONNX's [out, in, kh, kw]. */
export function convFilter({ shape, values }: Weight): { dims: number[]; data: Float32Array } {
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = values[((y * kw + x) * cin + i) * cout + o]!;
  return { dims: [cout, cin, kh, kw], data: out };
}

/**
 * The dims a per-channel constant takes next to an NCHW activation: TF broadcasts [C] or
 * [1, 1, C] along the last (channel) axis, ONNX needs [C, 1, 1]. Scalars stay scalars.
 */
export function channelDims(shape: readonly number[]): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 1) return [];
  const channels = shape[shape.length - 1]!;
  if (channels !== size) throw new Error(`Expected a per-channel constant, got shape [${shape.join(', ')}]`);
  return [channels, 1, 1];
}
