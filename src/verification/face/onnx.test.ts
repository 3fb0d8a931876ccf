// The conversion against tfjs itself: small graphs of every op the converter knows, run by onnxruntime, must
// give what tfjs's own ops give on the same input (NHWC in, the layouts swapped inside).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import type { Human } from '@vladmandic/human';
import * as ort from 'onnxruntime-node';
import { loadHuman } from './human.js';
import { type GraphWeight, UnsupportedGraph, graphToOnnx } from './onnx.js';
import type { GraphNode } from './relu6.js';

let tf: Human['tf'];
before(async () => {
  tf = (await loadHuman(3)).tf;
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const conv = (name: string, op: string, input: string, filter: string, stride: number, padding: 'SAME' | 'VALID'): GraphNode => ({
  name,
  op,
  input: [input, filter],
  attr: { strides: { list: { i: ['1', String(stride), String(stride), '1'] } }, padding: { s: b64(padding) }, data_format: { s: b64('NHWC') } },
});
const seq = (n: number, scale: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + 0.3) * scale);

/** A small MobileNet-like stack (the descriptor's ops) with its weights, and tfjs's answer for it. */
function stack(padding: 'SAME' | 'VALID') {
  const w: Record<string, GraphWeight> = {
    k1: { shape: [3, 3, 3, 4], values: seq(108, 0.5) },
    b1: { shape: [4], values: seq(4, 2) },
    k2: { shape: [3, 3, 4, 1], values: seq(36, 0.7) },
    s2: { shape: [4], values: Float32Array.of(1.5, -0.5, 2, 0.25) },
    axes: { shape: [2], values: Int32Array.of(1, 2) },
  };
  const nodes: GraphNode[] = [
    { name: 'x', op: 'Placeholder' },
    ...Object.keys(w).map((name) => ({ name, op: 'Const' })),
    conv('c1', 'Conv2D', 'x', 'k1', 2, padding),
    { name: 'a1', op: 'Add', input: ['b1', 'c1'] },
    { name: 'r1', op: 'Relu6', input: ['a1'] },
    conv('c2', 'DepthwiseConv2dNative', 'r1', 'k2', 1, padding),
    { name: 'm2', op: 'Mul', input: ['c2', 's2'] },
    { name: 'r2', op: 'Relu', input: ['m2'] },
    { name: 'mean', op: 'Mean', input: ['r2', 'axes'], attr: { keep_dims: { b: false } } },
    // A head the wanted output does not need, with an op the converter does not know.
    { name: 'head', op: 'Erf', input: ['mean'] },
  ];
  const pad = padding === 'SAME' ? 'same' : 'valid';
  const expected = (x: Tensor4D): Tensor =>
    tf.tidy(() => {
      const t = (k: string) => tf.tensor(w[k].values, w[k].shape);
      const c1 = tf.conv2d(x, t('k1') as Tensor4D, 2, pad);
      const r1 = tf.clipByValue(tf.add(c1, t('b1')), 0, 6) as Tensor4D;
      const c2 = tf.depthwiseConv2d(r1, t('k2') as Tensor4D, 1, pad);
      return tf.mean(tf.relu(tf.mul(c2, t('s2'))), [1, 2]);
    });
  return { nodes, weights: new Map(Object.entries(w)), expected };
}

async function compare(padding: 'SAME' | 'VALID') {
  const { nodes, weights, expected } = stack(padding);
  // Even sides: a stride-2 SAME convolution then pads one pixel, after (where TensorFlow puts it).
  const shape: [number, number, number, number] = [1, 8, 8, 3];
  const input = seq(192, 3);
  const model = graphToOnnx({ nodes, weights, input: { name: 'x', shape }, outputs: [{ name: 'mean', shape: [1, 4] }] });
  const session = await ort.InferenceSession.create(model);
  const got = (await session.run({ x: new ort.Tensor('float32', input, shape) })).mean.data as Float32Array;
  const want = expected(tf.tensor4d(input, shape));
  const wanted = (await want.data()) as Float32Array;
  tf.dispose(want);
  const worst = Math.max(...wanted.map((v, i) => Math.abs(v - got[i])));
  assert.ok(worst < 1e-5 && wanted.some((v) => v !== 0), `onnxruntime ${Array.from(got)} against tfjs ${Array.from(wanted)}`);
}

test('a stack of SAME-padded convolutions converted to ONNX computes what tfjs computes', () => compare('SAME'));

test('a stack of VALID convolutions converted to ONNX computes what tfjs computes', () => compare('VALID'));

test('an op the converter does not know is refused, naming the op', () => {
  const { nodes, weights } = stack('SAME');
  assert.throws(
    () => graphToOnnx({ nodes, weights, input: { name: 'x', shape: [1, 8, 8, 3] }, outputs: [{ name: 'head', shape: [1, 4] }] }),
    (err: Error) => err instanceof UnsupportedGraph && /Erf/.test(err.message),
  );
});
