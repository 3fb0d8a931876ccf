// Human's face models on onnxruntime's native CPU kernels instead of tfjs's WebAssembly backend: the same model
// files from human's package, converted in memory as they load (onnx.ts). Measured on this machine: the
// descriptor ~24 ms per face against ~130 ms on wasm, the detector and anti-spoofing several times faster too,
// with the same values to about 1e-6. When onnxruntime cannot load on a platform (it ships native binaries for
// Linux, macOS and Windows on x64 and arm64) or a model cannot be converted, that model stays on tfjs, as
// before: slower, same results.
import path from 'node:path';
import type { Human } from '@vladmandic/human';
import { readGraph } from './model-files.js';
import { graphToOnnx } from './onnx.js';

type Tf = Human['tf'];

/** One converted model: NHWC float input, outputs in the order asked for, in tfjs's layout. */
export interface NativeModel {
  run(input: Float32Array): Promise<Float32Array[]>;
}

export interface NativeModels {
  /** BlazeFace (256 × 256, −1..1): the four raw heads, classificators and regressors of both anchor grids. */
  detector: NativeModel | null;
  /** faceres (224 × 224, 0..255): the 1024-value descriptor. */
  descriptor: NativeModel | null;
  antispoof: NativeModel | null;
  liveness: NativeModel | null;
}

interface Spec {
  file: string;
  input: string;
  shape: [number, number, number, number];
  outputs: { name: string; shape: number[] }[];
}

const BLAZE = 'StatefulPartitionedCall/functional_1/tf_op_layer_';
const SPECS: Record<keyof NativeModels, Spec> = {
  detector: {
    file: 'blazeface.json',
    input: 'input',
    shape: [1, 256, 256, 3],
    outputs: [
      { name: `${BLAZE}classificators_1/classificators_1`, shape: [1, 512, 1] },
      { name: `${BLAZE}regressors_1/regressors_1`, shape: [1, 512, 16] },
      { name: `${BLAZE}classificators_2/classificators_2`, shape: [1, 384, 1] },
      { name: `${BLAZE}regressors_2/regressors_2`, shape: [1, 384, 16] },
    ],
  },
  descriptor: { file: 'faceres.json', input: 'input_1', shape: [1, 224, 224, 3], outputs: [{ name: 'global_pooling/Mean', shape: [1, 1024] }] },
  antispoof: { file: 'antispoof.json', input: 'conv2d_input', shape: [1, 128, 128, 3], outputs: [{ name: 'Identity', shape: [1, 1] }] },
  liveness: { file: 'liveness.json', input: 'conv2d_1_input', shape: [1, 32, 32, 3], outputs: [{ name: 'Identity', shape: [1, 2] }] },
};

let loading: Promise<NativeModels> | null = null;

/** Once per process (per engine thread). A model that cannot be converted or run here is null. */
export function loadNativeModels(tf: Tf, modelsDir: string): Promise<NativeModels> {
  loading ??= (async () => {
    const ort = await import('onnxruntime-node').catch((err: Error) => err);
    const out = {} as NativeModels;
    for (const [key, spec] of Object.entries(SPECS) as [keyof NativeModels, Spec][]) {
      try {
        if (ort instanceof Error) throw ort;
        out[key] = await create(ort, tf, path.join(modelsDir, spec.file), spec);
      } catch (err) {
        // Said once per engine thread: the checks still run, a little slower.
        console.warn(`verity: face model ${spec.file} runs on tfjs, not onnxruntime: ${(err as Error).message}`);
        out[key] = null;
      }
    }
    return out;
  })();
  return loading;
}

type Ort = typeof import('onnxruntime-node');

async function create(ort: Ort, tf: Tf, modelFile: string, spec: Spec): Promise<NativeModel> {
  const { nodes, weights } = await readGraph(tf, modelFile);
  const model = graphToOnnx({ nodes, weights, input: { name: spec.input, shape: spec.shape }, outputs: spec.outputs });
  // One thread: each engine thread checks one session at a time, and two of them already fill two cores.
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  return {
    async run(input) {
      const out = await session.run({ [spec.input]: new ort.Tensor('float32', input, spec.shape) });
      return spec.outputs.map((o) => out[o.name].data as Float32Array);
    },
  };
}
