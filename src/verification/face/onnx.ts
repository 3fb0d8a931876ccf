// A tfjs graph model (human's face descriptor) rewritten as an ONNX model, so that onnxruntime's native CPU
// kernels can run it: on this machine the descriptor takes ~34 ms there against ~137 ms on tfjs's WebAssembly
// backend, with the same values to about 1e-6. The model still ships in human's npm package and is converted in
// memory as it loads; only the ops the face descriptor (a MobileNet) uses are known here, and any other op is
// refused, so a model this cannot convert keeps running on tfjs.
//
// tfjs graphs are NHWC, ONNX convolutions NCHW: the input is transposed once, filters are re-laid out, and
// per-channel constants are shaped to broadcast over [1, C, 1, 1].
import protobuf from 'protobufjs';
import type { GraphNode } from './relu6.js';

/** A weight of the graph: its shape and values, as tfjs's decodeWeights gives them. */
export interface GraphWeight {
  shape: number[];
  values: Float32Array | Int32Array;
}

export interface OnnxConversion {
  nodes: readonly GraphNode[];
  weights: ReadonlyMap<string, GraphWeight>;
  /** The graph's input (a Placeholder) and its NHWC shape. */
  input: { name: string; shape: [number, number, number, number] };
  /** The outputs wanted (node names) with their shapes; nodes that feed none of them are left out. */
  outputs: { name: string; shape: number[] }[];
}

export class UnsupportedGraph extends Error {}

// The part of onnx.proto written here, with its field numbers (github.com/onnx/onnx, onnx/onnx.proto).
const schema = protobuf.Root.fromJSON({
  nested: {
    ModelProto: { fields: { irVersion: { type: 'int64', id: 1 }, producerName: { type: 'string', id: 2 }, graph: { type: 'GraphProto', id: 7 }, opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 } } },
    OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
    GraphProto: {
      fields: {
        node: { rule: 'repeated', type: 'NodeProto', id: 1 },
        name: { type: 'string', id: 2 },
        initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
        input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
        output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
      },
    },
    NodeProto: {
      fields: {
        input: { rule: 'repeated', type: 'string', id: 1 },
        output: { rule: 'repeated', type: 'string', id: 2 },
        name: { type: 'string', id: 3 },
        opType: { type: 'string', id: 4 },
        attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
      },
    },
    AttributeProto: {
      fields: {
        name: { type: 'string', id: 1 },
        i: { type: 'int64', id: 3 },
        s: { type: 'bytes', id: 4 },
        ints: { rule: 'repeated', type: 'int64', id: 8 },
        type: { type: 'int32', id: 20 },
      },
    },
    TensorProto: { fields: { dims: { rule: 'repeated', type: 'int64', id: 1 }, dataType: { type: 'int32', id: 2 }, name: { type: 'string', id: 8 }, rawData: { type: 'bytes', id: 9 } } },
    ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
    TypeProto: { fields: { tensorType: { type: 'TensorTypeProto', id: 1 } } },
    TensorTypeProto: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
    TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
    Dimension: { fields: { dimValue: { type: 'int64', id: 1 } } },
  },
});
const Model = schema.lookupType('ModelProto');

const FLOAT = 1; // TensorProto.DataType
const INT64 = 7;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

type Attr = number | string | number[];
const attribute = (name: string, v: Attr) =>
  typeof v === 'string'
    ? { name, type: ATTR_STRING, s: new TextEncoder().encode(v) }
    : Array.isArray(v)
      ? { name, type: ATTR_INTS, ints: v }
      : { name, type: ATTR_INT, i: v };

const sourceOf = (input: string) => input.replace(/^\^/, '').replace(/:0$/, '');
const listAttr = (n: GraphNode, key: string): number[] => ((n.attr?.[key] as { list?: { i?: string[] } })?.list?.i ?? []).map(Number);
const stringAttr = (n: GraphNode, key: string): string => Buffer.from((n.attr?.[key] as { s?: string })?.s ?? '', 'base64').toString();

/** The ONNX model (serialised ModelProto, opset 13) computing `outputs` from `input`. */
export function graphToOnnx(g: OnnxConversion): Uint8Array {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  // Only what the outputs need: the descriptor's graph also carries age and gender heads.
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name)) return;
    const n = byName.get(name);
    if (!n) throw new UnsupportedGraph(`no node ${name}`);
    needed.add(name);
    for (const i of n.input ?? []) if (!i.startsWith('^')) visit(sourceOf(i));
  };
  for (const o of g.outputs) visit(o.name);

  const nodes: object[] = [];
  const initializer: object[] = [];
  const constant = (name: string, dims: number[], values: Float32Array | BigInt64Array, dataType = FLOAT) => {
    initializer.push({ name, dims, dataType, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
    return name;
  };
  const int64s = (name: string, values: ArrayLike<number>) => constant(name, [values.length], BigInt64Array.from(Array.from(values), BigInt), INT64);
  const node = (opType: string, input: string[], output: string, attrs: Record<string, Attr> = {}) =>
    nodes.push({ opType, input, output: [output], name: output, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
  const weight = (name: string): GraphWeight => {
    const w = g.weights.get(name);
    if (!w) throw new UnsupportedGraph(`${name} is not a constant`);
    return w;
  };
  // Which tensors are 4-D and transposed to NCHW (the convolution chain), as against tensors in tfjs's own layout
  // (after a flatten or a pooling to [N, C]).
  const nchw = new Set<string>();
  const nchwInput = `${g.input.name}/nchw`;
  const tensorOf = (name: string) => (name === g.input.name ? nchwInput : name);
  node('Transpose', [g.input.name], nchwInput, { perm: [0, 3, 1, 2] });
  nchw.add(nchwInput);
  const isNchw = (name: string) => nchw.has(tensorOf(name));

  /** A convolution, with its bias and activation when tfjs fused them in. */
  const convolution = (n: GraphNode, x: string, filterName: string, biasName: string | undefined, activation: string | undefined) => {
    const [sy, sx] = listAttr(n, 'strides').slice(1, 3);
    const dilations = listAttr(n, 'dilations');
    if (stringAttr(n, 'data_format') === 'NCHW' || dilations.some((d) => d !== 1) || !isNchw(x)) throw new UnsupportedGraph(`${n.op} ${n.name}: layout or dilation`);
    const padding = stringAttr(n, 'padding');
    if (padding !== 'SAME' && padding !== 'VALID') throw new UnsupportedGraph(`${n.op} ${n.name}: padding ${padding}`);
    const depthwise = n.op === 'DepthwiseConv2dNative';
    const { shape, values } = weight(filterName);
    const [kh, kw, cin, cout] = shape;
    // tfjs: [kh, kw, in, out] (depthwise: [kh, kw, in, multiplier]); ONNX: [out, in / group, kh, kw].
    const out = new Float32Array(values.length);
    for (let y = 0; y < kh; y++)
      for (let xx = 0; xx < kw; xx++)
        for (let c = 0; c < cin; c++)
          for (let o = 0; o < cout; o++) {
            const v = values[((y * kw + xx) * cin + c) * cout + o];
            out[depthwise ? ((c * cout + o) * kh + y) * kw + xx : ((o * cin + c) * kh + y) * kw + xx] = v;
          }
    const filter = constant(`${n.name}/filter`, depthwise ? [cin * cout, 1, kh, kw] : [cout, cin, kh, kw], out);
    const bias = biasName ? [constant(`${n.name}/bias`, [weight(biasName).values.length], Float32Array.from(weight(biasName).values))] : [];
    const convOut = activation ? `${n.name}/conv` : n.name;
    // TensorFlow's SAME puts the odd pixel of padding after, as ONNX's SAME_UPPER does.
    node('Conv', [tensorOf(x), filter, ...bias], convOut, {
      kernel_shape: [kh, kw],
      strides: [sy, sx],
      auto_pad: padding === 'SAME' ? 'SAME_UPPER' : 'VALID',
      ...(depthwise ? { group: cin } : {}),
    });
    if (activation) node(activation, [convOut], n.name);
    nchw.add(n.name);
  };
  /** The fused ops of a _FusedConv2D / _FusedMatMul: a bias, then at most a Relu. */
  const fusedActivation = (n: GraphNode): string | undefined => {
    const ops = ((n.attr?.fused_ops as { list?: { s?: string[] } })?.list?.s ?? []).map((x) => Buffer.from(x, 'base64').toString());
    if (ops[0] !== 'BiasAdd' || ops.length > 2 || (ops[1] && ops[1] !== 'Relu')) throw new UnsupportedGraph(`${n.op} ${n.name}: fused ${ops}`);
    return ops[1];
  };

  for (const n of g.nodes) {
    if (!needed.has(n.name) || n.op === 'Const' || n.op === 'Placeholder') continue;
    const inputs = (n.input ?? []).filter((i) => !i.startsWith('^')).map(sourceOf);
    // The tensor flowing through, then the constants (an Add or Mul may name its constant first).
    const x = inputs.find((i) => !g.weights.has(i)) ?? inputs[0];
    const rest = inputs.filter((i) => i !== x);
    const same = (op: string) => {
      node(op, [tensorOf(x)], n.name);
      if (isNchw(x)) nchw.add(n.name);
    };
    switch (n.op) {
      case 'Conv2D':
      case 'DepthwiseConv2dNative':
        convolution(n, x, rest[0], undefined, undefined);
        break;
      case '_FusedConv2D':
        convolution(n, x, rest[0], rest[1], fusedActivation(n));
        break;
      case '_FusedMatMul': {
        const transposed = (k: string) => (n.attr?.[k] as { b?: boolean } | undefined)?.b === true;
        if (isNchw(x) || transposed('transpose_a') || transposed('transpose_b')) throw new UnsupportedGraph(`${n.op} ${n.name}: layout`);
        const activation = fusedActivation(n);
        const w = weight(rest[0]);
        const b = weight(rest[1]);
        const gemm = activation ? `${n.name}/gemm` : n.name;
        node('Gemm', [x, constant(`${n.name}/weights`, w.shape, Float32Array.from(w.values)), constant(`${n.name}/bias`, b.shape, Float32Array.from(b.values))], gemm);
        if (activation) node(activation, [gemm], n.name);
        break;
      }
      case 'Add':
      case 'AddV2':
      case 'Mul': {
        const op = n.op === 'Mul' ? 'Mul' : 'Add';
        if (rest.length === 1 && !g.weights.has(rest[0])) {
          // Two tensors (a residual connection): both must be in the same layout.
          if (isNchw(x) !== isNchw(rest[0])) throw new UnsupportedGraph(`${n.op} ${n.name}: mixed layouts`);
          node(op, [tensorOf(x), tensorOf(rest[0])], n.name);
          if (isNchw(x)) nchw.add(n.name);
          break;
        }
        const { shape, values } = weight(rest[0]);
        if (shape.length > 1) throw new UnsupportedGraph(`${n.op} ${n.name}: a constant of shape ${shape}`);
        // A per-channel constant broadcasts over NCHW as [1, C, 1, 1]; over [N, C] as it is.
        const dims = shape.length === 1 && isNchw(x) ? [1, shape[0], 1, 1] : shape;
        node(op, [tensorOf(x), constant(`${n.name}/constant`, dims, Float32Array.from(values))], n.name);
        if (isNchw(x)) nchw.add(n.name);
        break;
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Identity':
        same(n.op);
        break;
      case 'Softmax':
        if (isNchw(x)) throw new UnsupportedGraph(`Softmax ${n.name}: over a 4-D tensor`);
        same('Softmax');
        break;
      case 'Relu6':
        node('Clip', [tensorOf(x), constant(`${n.name}/min`, [], Float32Array.of(0)), constant(`${n.name}/max`, [], Float32Array.of(6))], n.name);
        if (isNchw(x)) nchw.add(n.name);
        break;
      case 'Minimum':
      case 'Maximum': {
        const { shape, values } = weight(rest[0]);
        if (shape.length !== 0) throw new UnsupportedGraph(`${n.op} ${n.name}: not a scalar bound`);
        node(n.op === 'Minimum' ? 'Min' : 'Max', [tensorOf(x), constant(`${n.name}/bound`, [], Float32Array.from(values))], n.name);
        if (isNchw(x)) nchw.add(n.name);
        break;
      }
      case 'MaxPool': {
        const [kh, kw] = listAttr(n, 'ksize').slice(1, 3);
        const [sy, sx] = listAttr(n, 'strides').slice(1, 3);
        const padding = stringAttr(n, 'padding');
        if (!isNchw(x) || (padding !== 'SAME' && padding !== 'VALID')) throw new UnsupportedGraph(`MaxPool ${n.name}: layout or padding`);
        node('MaxPool', [tensorOf(x)], n.name, { kernel_shape: [kh, kw], strides: [sy, sx], auto_pad: padding === 'SAME' ? 'SAME_UPPER' : 'VALID' });
        nchw.add(n.name);
        break;
      }
      case 'Pad': {
        // tfjs: [[n0, n1], [h0, h1], [w0, w1], [c0, c1]]; ONNX: every axis's start, then every axis's end, NCHW.
        const p = Array.from(weight(rest[0]).values);
        if (!isNchw(x) || p.length !== 8) throw new UnsupportedGraph(`Pad ${n.name}: layout`);
        const [n0, n1, h0, h1, w0, w1, c0, c1] = p;
        node('Pad', [tensorOf(x), int64s(`${n.name}/pads`, [n0, c0, h0, w0, n1, c1, h1, w1])], n.name, { mode: 'constant' });
        nchw.add(n.name);
        break;
      }
      case 'Reshape': {
        // The target shape is tfjs's, so the values must be back in NHWC order first.
        let from = tensorOf(x);
        if (isNchw(x)) {
          from = `${n.name}/nhwc`;
          node('Transpose', [tensorOf(x)], from, { perm: [0, 2, 3, 1] });
        }
        node('Reshape', [from, int64s(`${n.name}/shape`, weight(rest[0]).values)], n.name);
        break;
      }
      case 'Mean': {
        const axes = [...weight(rest[0]).values].sort().join();
        const keep = (n.attr?.keep_dims as { b?: boolean } | undefined)?.b === true;
        if (axes !== '1,2' || keep || !isNchw(x)) throw new UnsupportedGraph(`Mean ${n.name}: over axes ${axes}`);
        // The mean over height and width, as [N, C].
        node('GlobalAveragePool', [tensorOf(x)], `${n.name}/pooled`);
        node('Flatten', [`${n.name}/pooled`], n.name);
        break;
      }
      default:
        throw new UnsupportedGraph(`op ${n.op} (${n.name})`);
    }
  }
  // The models converted here end in [N, C] or a reshape; a 4-D output would need turning back to NHWC.
  for (const o of g.outputs) if (nchw.has(o.name)) throw new UnsupportedGraph(`output ${o.name} is 4-D`);

  const valueInfo = (name: string, shape: number[]) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } });
  const model = {
    irVersion: 8,
    producerName: 'verity',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'converted',
      node: nodes,
      initializer,
      input: [valueInfo(g.input.name, g.input.shape)],
      output: g.outputs.map((o) => valueInfo(o.name, o.shape)),
    },
  };
  return Model.encode(Model.fromObject(model)).finish();
}
