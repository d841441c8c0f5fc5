/**
 * The few ONNX messages a converted model needs (onnx.proto: ModelProto, GraphProto, NodeProto,
 * AttributeProto, TensorProto, ValueInfoProto), written as protobuf bytes for onnxruntime to load.
 * Repeated numbers are written unpacked, which every protobuf parser reads in proto2 and proto3.
 */

/** Protobuf wire types. */
const VARINT = 0;
const BYTES = 2;

/**
 * One protobuf message under construction: its pieces in order, never copied until `finish`, so
 * a model's weights are copied once into the file's bytes however deep they are nested.
 */
class Message {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  varint(field: number, value: number | bigint): this {
    this.key(field, VARINT);
    this.raw(varint(BigInt.asUintN(64, BigInt(value))));
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, BYTES);
    this.raw(varint(BigInt(value.length)));
    this.raw(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, value: Message): this {
    this.key(field, BYTES);
    this.raw(varint(BigInt(value.length)));
    for (const part of value.parts) this.raw(part);
    return this;
  }

  finish(): Uint8Array {
    return Buffer.concat(this.parts, this.length);
  }

  private key(field: number, wire: number): void {
    this.raw(varint(BigInt(field * 8 + wire)));
  }

  private raw(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }
}

function varint(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = value;
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return Uint8Array.from(out);
}

/** ONNX TensorProto.DataType values used here. */
export const DataType = { float: 1, int64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: DataTypeCode;
  /** Little-endian values (float32 or int64). */
  readonly data: Uint8Array;
}

export type OnnxAttribute =
  | { readonly name: string; readonly ints: readonly number[] }
  | { readonly name: string; readonly int: number }
  | { readonly name: string; readonly string: string };

export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly OnnxAttribute[];
}

export interface OnnxGraph {
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  /** Input dims: a number, or the name of a size chosen at run time (a batch). */
  readonly inputs: readonly { readonly name: string; readonly dims: readonly (number | string)[] }[];
  readonly outputs: readonly string[];
}

/** The default domain's opset the converted graphs are written for. */
export const OPSET = 13;

/** A float32 tensor's bytes. */
export function floatBytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** An int64 tensor's bytes. */
export function int64Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);
}

function tensor(t: OnnxTensor): Message {
  const m = new Message();
  for (const d of t.dims) m.varint(1, d);
  return m.varint(2, t.type).string(8, t.name).bytes(9, t.data);
}

/** AttributeProto.AttributeType values. */
const ATTRIBUTE = { int: 2, string: 3, ints: 7 } as const;

function attribute(a: OnnxAttribute): Message {
  const m = new Message().string(1, a.name);
  if ('ints' in a) {
    for (const i of a.ints) m.varint(8, i);
    return m.varint(20, ATTRIBUTE.ints);
  }
  if ('int' in a) return m.varint(3, a.int).varint(20, ATTRIBUTE.int);
  return m.bytes(4, new TextEncoder().encode(a.string)).varint(20, ATTRIBUTE.string);
}

function node(n: OnnxNode, index: number): Message {
  const m = new Message();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, `${n.op}_${index}`).string(4, n.op);
  for (const a of n.attributes ?? []) m.message(5, attribute(a));
  return m;
}

/** ValueInfoProto of a float tensor; `dims` empty: shape left to inference. */
function valueInfo(name: string, dims: readonly (number | string)[]): Message {
  const shape = new Message();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new Message().varint(1, d) : new Message().string(2, d));
  const tensorType = new Message().varint(1, DataType.float);
  if (dims.length > 0) tensorType.message(2, shape);
  return new Message().string(1, name).message(2, new Message().message(1, tensorType));
}

/** A whole model file's bytes. */
export function encodeModel(graph: OnnxGraph, name: string): Uint8Array {
  const g = new Message();
  for (const [i, n] of graph.nodes.entries()) g.message(1, node(n, i));
  g.string(2, name);
  for (const t of graph.initializers) g.message(5, tensor(t));
  for (const i of graph.inputs) g.message(11, valueInfo(i.name, i.dims));
  for (const o of graph.outputs) g.message(12, valueInfo(o, []));
  // ir_version 7 goes with opset 13.
  return new Message()
    .varint(1, 7)
    .string(2, 'photo-album-organizer')
    .message(7, g)
    .message(8, new Message().string(1, '').varint(2, OPSET))
    .finish();
}
