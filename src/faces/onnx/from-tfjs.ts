/**
 * Converts a TF.js graph model (model.json and its weight shards, as Human ships them) into an
 * ONNX graph for onnxruntime, whose native kernels run the face models' convolutions several times
 * faster than TF.js's WebAssembly ones. Only the operations of Human's face models are known
 * (convolutions, depthwise convolutions, PReLU and ReLU, element-wise arithmetic, pooling, means,
 * padding, reshapes, concatenation, dense layers, sigmoid, softmax); any other makes the
 * conversion fail, so a model it cannot express is never run wrongly.
 *
 * TF.js works in NHWC, ONNX's convolutions in NCHW: the input is transposed once, every 4-D
 * activation stays NCHW, and a reshape or an output transposes back first so its values come out
 * in TF's order.
 */
import { DataType, encodeModel, floatBytes, int64Bytes, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './proto.js';
import { channelDims, convFilter, type TfjsModel, type TfNode, type Weight } from './tfjs-weights.js';

export interface ConvertedModel {
  /** The ONNX model file's bytes. */
  readonly bytes: Uint8Array;
  /** The graph's input (NHWC, as the TF.js model takes it) and outputs, by their TF.js names (outputNodes). */
  readonly input: string;
  readonly outputs: readonly string[];
}

/** An ONNX value standing for a TF tensor: a 4-D activation held in NCHW, or in TF's own layout. */
interface Value {
  readonly onnx: string;
  readonly nchw: boolean;
}

const text = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
/** NHWC axis → NCHW axis. */
const NCHW_AXIS = [0, 2, 3, 1];
const ELEMENTWISE: Readonly<Record<string, string>> = {
  AddV2: 'Add',
  Add: 'Add',
  Mul: 'Mul',
  Minimum: 'Min',
  Maximum: 'Max',
  Prelu: 'PRelu',
};
const UNARY: Readonly<Record<string, string>> = { Relu: 'Relu', Sigmoid: 'Sigmoid', Softmax: 'Softmax' };

/** Builds one ONNX graph from TF nodes visited in order (TF.js lists them topologically). */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly outputs: string[] = [];
  input: { readonly name: string; readonly dims: readonly (number | string)[] } | null = null;
  private readonly values = new Map<string, Value>();

  constructor(
    readonly name: string,
    private readonly weights: ReadonlyMap<string, Weight>,
  ) {}

  fail(message: string): never {
    throw new Error(`${this.name}: ${message}`);
  }

  /** The value a TF input names (`node` or `node:0`). */
  value(tfName: string, node: TfNode): Value {
    const [base, port = '0'] = tfName.split(':');
    const v = this.values.get(base!);
    if (!v || port !== '0') this.fail(`${node.name} reads ${tfName}, which is not computed before it`);
    return v;
  }

  activation(node: TfNode, index = 0): string {
    const v = this.value(node.input[index]!, node);
    if (!v.nchw) this.fail(`${node.op} ${node.name} expects a 4-D activation`);
    return v.onnx;
  }

  isConstant(node: TfNode, index: number): boolean {
    return this.weights.has(node.input[index]!);
  }

  constant(node: TfNode, index: number): Weight {
    const w = this.weights.get(node.input[index]!);
    if (!w) this.fail(`${node.name} expects a constant for input ${index}`);
    return w;
  }

  /** Adds an initializer and returns its name. */
  init(name: string, dims: readonly number[], values: ArrayLike<number>, type: 'float' | 'int64' = 'float'): string {
    const data =
      type === 'float' ? floatBytes(values instanceof Float32Array ? values : Float32Array.from(values)) : int64Bytes(Array.from(values));
    this.initializers.push({ name, dims, type: DataType[type], data });
    return name;
  }

  /** Emits `op` computing TF node `node`'s value. */
  emit(node: TfNode, op: string, inputs: readonly string[], attributes: readonly OnnxAttribute[] = [], nchw = true): string {
    const out = `${node.name}:onnx`;
    this.nodes.push({ op, inputs, outputs: [out], attributes });
    this.values.set(node.name, { onnx: out, nchw });
    return out;
  }

  /** Emits a helper node whose output only later nodes of this conversion read. */
  step(op: string, inputs: readonly string[], output: string, attributes: readonly OnnxAttribute[] = []): string {
    this.nodes.push({ op, inputs, outputs: [output], attributes });
    return output;
  }

  alias(node: TfNode, value: Value): void {
    this.values.set(node.name, value);
  }
}

/** Converts the graph. `weights` from readWeights; the graph must have one NHWC Placeholder. */
export function convertGraph(model: TfjsModel, weights: ReadonlyMap<string, Weight>, name: string): ConvertedModel {
  const g = new GraphBuilder(name, weights);
  for (const node of model.modelTopology.node) convertNode(g, node);
  const signature = model.signature ?? g.fail('expected a signature naming its outputs');
  for (const [output, { name: tensor }] of Object.entries(signature.outputs)) {
    const v = g.value(tensor, { name: output, op: 'output', input: [], attr: {} });
    g.outputs.push(output);
    g.step(v.nchw ? 'Transpose' : 'Identity', [v.onnx], output, v.nchw ? [ints('perm', [0, 2, 3, 1])] : []);
  }
  const input = g.input;
  if (input === null || g.outputs.length === 0) return g.fail('expected an input and outputs');
  const bytes = encodeModel({ nodes: g.nodes, initializers: g.initializers, inputs: [input], outputs: g.outputs }, name);
  return { bytes, input: input.name, outputs: g.outputs };
}

function convertNode(g: GraphBuilder, node: TfNode): void {
  const elementwise = ELEMENTWISE[node.op];
  if (elementwise !== undefined) {
    binary(g, node, elementwise);
    return;
  }
  const unary = UNARY[node.op];
  if (unary !== undefined) {
    const v = g.value(node.input[0]!, node);
    // Softmax runs over TF's last axis, which for an NCHW activation would be another one.
    if (unary === 'Softmax' && v.nchw) g.fail(`Softmax ${node.name} on a 4-D activation is not supported`);
    g.emit(node, unary, [v.onnx], [], v.nchw);
    return;
  }
  switch (node.op) {
    case 'Const':
      return;
    case 'Placeholder': {
      const dims = (node.attr.shape?.shape?.dim ?? []).map((d) => Number(d.size));
      const [batch, ...rest] = dims;
      if (g.input !== null || dims.length !== 4 || rest.some((d) => !(d > 0))) g.fail('expected one NHWC input of fixed size');
      g.input = { name: node.name, dims: [batch! > 0 ? batch! : 'batch', ...rest] };
      g.emit(node, 'Transpose', [node.name], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
      return;
    }
    case '_FusedConv2D':
    case 'Conv2D':
    case 'DepthwiseConv2dNative':
      convolution(g, node);
      return;
    case 'MaxPool':
      requireNhwc(g, node);
      g.emit(
        node,
        'MaxPool',
        [g.activation(node)],
        [ints('kernel_shape', spatial(node, 'ksize')), ints('strides', spatial(node, 'strides')), padding(g, node)],
      );
      return;
    case 'Pad': {
      // TF's paddings [[before, after] per NHWC axis] as ONNX's [befores..., afters...] in NCHW.
      const p = Array.from(g.constant(node, 1).values);
      const order = [0, 3, 1, 2];
      const pads = g.init(`${node.name}:pads`, [8], [...order.map((a) => p[a * 2]!), ...order.map((a) => p[a * 2 + 1]!)], 'int64');
      g.emit(node, 'Pad', [g.activation(node), pads], [{ name: 'mode', string: 'constant' }]);
      return;
    }
    case 'Mean': {
      const axes = Array.from(g.constant(node, 1).values);
      const keep = node.attr.keep_dims?.b === true;
      if (axes.sort().join() !== '1,2') g.fail(`Mean ${node.name} over axes ${axes.join(', ')} is not supported`);
      // Over height and width: what is left is [N, C] (TF's order too) unless the dims are kept.
      g.emit(node, 'ReduceMean', [g.activation(node)], [ints('axes', [2, 3]), { name: 'keepdims', int: keep ? 1 : 0 }], keep);
      return;
    }
    case 'Reshape': {
      const v = g.value(node.input[0]!, node);
      const from = v.nchw ? g.step('Transpose', [v.onnx], `${node.name}:nhwc`, [ints('perm', [0, 2, 3, 1])]) : v.onnx;
      const shape = Array.from(g.constant(node, 1).values);
      g.emit(node, 'Reshape', [from, g.init(`${node.name}:shape`, [shape.length], shape, 'int64')], [], false);
      return;
    }
    case 'ConcatV2': {
      const parts = node.input.slice(0, -1).map((i) => g.value(i, node));
      const nchw = parts[0]!.nchw;
      if (parts.some((p) => p.nchw !== nchw)) g.fail(`ConcatV2 ${node.name} mixes layouts`);
      const axis = Number(g.constant(node, node.input.length - 1).values[0]);
      const onnxAxis = nchw ? NCHW_AXIS[(axis + 4) % 4]! : axis;
      g.emit(
        node,
        'Concat',
        parts.map((p) => p.onnx),
        [{ name: 'axis', int: onnxAxis }],
        nchw,
      );
      return;
    }
    case '_FusedMatMul':
      dense(g, node);
      return;
    case 'Identity':
      g.alias(node, g.value(node.input[0]!, node));
      return;
    default:
      g.fail(`TF.js operation ${node.op} (${node.name}) cannot be converted`);
  }
}

function ints(name: string, values: readonly number[]): OnnxAttribute {
  return { name, ints: values };
}

const attrInts = (node: TfNode, key: string): number[] => (node.attr[key]?.list?.i ?? []).map(Number);

function spatial(node: TfNode, key: string): number[] {
  const v = attrInts(node, key);
  return v.length === 4 ? [v[1]!, v[2]!] : [1, 1];
}

function padding(g: GraphBuilder, node: TfNode): OnnxAttribute {
  const p = text(node.attr.padding?.s ?? '');
  if (p !== 'SAME' && p !== 'VALID') g.fail(`padding ${p} of ${node.name} is not supported`);
  // TF's SAME puts the odd pixel at the end, as ONNX's SAME_UPPER does.
  return { name: 'auto_pad', string: p === 'SAME' ? 'SAME_UPPER' : 'VALID' };
}

function requireNhwc(g: GraphBuilder, node: TfNode): void {
  const format = node.attr.data_format?.s;
  if (format !== undefined && text(format) !== 'NHWC') g.fail(`${node.name} is not NHWC`);
}

/** TF's fused operations after a convolution or matmul: BiasAdd, then optionally Relu or Prelu. */
function fusedOps(g: GraphBuilder, node: TfNode): { readonly bias: boolean; readonly activation: 'Relu' | 'Prelu' | null } {
  const fused = (node.attr.fused_ops?.list?.s ?? []).map(text);
  const [first, second, ...more] = fused;
  const ok = (first === undefined || first === 'BiasAdd') && (second === undefined || second === 'Relu' || second === 'Prelu');
  if (!ok || more.length > 0) g.fail(`${node.name} fuses ${fused.join('+')}, not supported`);
  return { bias: first === 'BiasAdd', activation: (second as 'Relu' | 'Prelu' | undefined) ?? null };
}

/** A fused activation after `produced`, with PReLU's slope from TF input `slopeInput`. */
function activate(
  g: GraphBuilder,
  node: TfNode,
  produced: string,
  activation: 'Relu' | 'Prelu' | null,
  slopeInput: number,
  nchw: boolean,
): void {
  if (activation === null) {
    g.alias(node, { onnx: produced, nchw });
    return;
  }
  if (activation === 'Relu') {
    g.emit(node, 'Relu', [produced], [], nchw);
    return;
  }
  const slope = g.constant(node, slopeInput);
  g.emit(node, 'PRelu', [produced, g.init(`${node.name}:slope`, nchw ? channelDims(slope.shape) : slope.shape, slope.values)], [], nchw);
}

function convolution(g: GraphBuilder, node: TfNode): void {
  requireNhwc(g, node);
  const filter = g.constant(node, 1);
  const depthwise = node.op === 'DepthwiseConv2dNative';
  const { bias, activation } = node.op === '_FusedConv2D' ? fusedOps(g, node) : { bias: false, activation: null };
  const [kh, kw, cin, mult] = filter.shape as [number, number, number, number];
  // A depthwise filter [kh, kw, in, mult] is a convolution of `in` groups of one channel each.
  const w = depthwise ? convFilter({ shape: [kh, kw, 1, cin * mult], values: filter.values }) : convFilter(filter);
  const inputs = [g.activation(node), g.init(`${node.name}:w`, w.dims, w.data)];
  if (bias) {
    const b = g.constant(node, 2);
    inputs.push(g.init(`${node.name}:b`, b.shape, b.values));
  }
  const attributes = [
    ints('kernel_shape', [kh, kw]),
    ints('strides', spatial(node, 'strides')),
    ints('dilations', spatial(node, 'dilations')),
    { name: 'group', int: depthwise ? cin : 1 },
    padding(g, node),
  ];
  const conv = g.step('Conv', inputs, `${node.name}:conv`, attributes);
  activate(g, node, conv, activation, 3, true);
}

/** A dense layer: TF's MatMul with its bias (and activation) fused, as ONNX's Gemm. */
function dense(g: GraphBuilder, node: TfNode): void {
  const x = g.value(node.input[0]!, node);
  if (x.nchw || node.attr.transpose_a?.b === true || node.attr.transpose_b?.b === true)
    g.fail(`${node.name}: only a plain [N, K] × [K, M] MatMul is supported`);
  const { bias, activation } = fusedOps(g, node);
  const w = g.constant(node, 1);
  const inputs = [x.onnx, g.init(`${node.name}:w`, w.shape, w.values)];
  if (bias) {
    const b = g.constant(node, 2);
    inputs.push(g.init(`${node.name}:b`, b.shape, b.values));
  }
  const gemm = g.step('Gemm', inputs, `${node.name}:gemm`);
  activate(g, node, gemm, activation, 3, false);
}

/** An element-wise operation of two values, or of a value and a constant broadcast over it. */
function binary(g: GraphBuilder, node: TfNode, op: string): void {
  const operands = [0, 1].map((i) => {
    if (!g.isConstant(node, i)) return g.value(node.input[i]!, node);
    return null;
  });
  const activations = operands.filter((o): o is Value => o !== null);
  if (activations.length === 0) g.fail(`${node.name}: an operation on constants only is not supported`);
  const nchw = activations[0]!.nchw;
  if (activations.some((a) => a.nchw !== nchw)) g.fail(`${node.name} mixes layouts`);
  const inputs = operands.map((o, i) => {
    if (o !== null) return o.onnx;
    const c = g.constant(node, i);
    return g.init(`${node.name}:c${i}`, nchw ? channelDims(c.shape) : c.shape, c.values);
  });
  g.emit(node, op, inputs, [], nchw);
}
