// The face descriptor (human's faceres) on onnxruntime's native CPU kernels instead of tfjs's WebAssembly
// backend: the same model file from human's package, converted in memory (onnx.ts). It was the largest single
// cost of a live check, ~137 ms per face on wasm against ~34 ms here, with the same descriptor to about 1e-6.
// When onnxruntime cannot load on a platform (it ships native binaries for Linux, macOS and Windows on x64 and
// arm64) or the model cannot be converted, the descriptor stays on tfjs, as before: slower, same results.
import path from 'node:path';
import type { Human } from '@vladmandic/human';
import { readGraph } from './model-files.js';
import { graphToOnnx } from './onnx.js';

type Tf = Human['tf'];

/** The descriptor of one face: `input` is the model's 1 × 224 × 224 × 3 input (NHWC, 0..255). */
export interface NativeDescriptor {
  run(input: Float32Array): Promise<Float32Array>;
}

export const DESCRIPTOR_INPUT = [1, 224, 224, 3] as const;
const INPUT = 'input_1';
const OUTPUT = 'global_pooling/Mean';

let loading: Promise<NativeDescriptor | null> | null = null;

/** Once per process (per engine thread): null when onnxruntime or the conversion is not available here. */
export function loadNativeDescriptor(tf: Tf, modelsDir: string): Promise<NativeDescriptor | null> {
  loading ??= create(tf, modelsDir).catch((err: unknown) => {
    // Said once per engine thread: the checks still run, about 0.2 s slower per session.
    console.warn(`verity: the face descriptor runs on tfjs, not onnxruntime: ${(err as Error).message}`);
    return null;
  });
  return loading;
}

async function create(tf: Tf, modelsDir: string): Promise<NativeDescriptor> {
  const ort = await import('onnxruntime-node');
  const { nodes, weights } = await readGraph(tf, path.join(modelsDir, 'faceres.json'));
  const model = graphToOnnx({ nodes, weights, input: { name: INPUT, shape: [...DESCRIPTOR_INPUT] }, outputs: [{ name: OUTPUT, shape: [1, 1024] }] });
  // One thread: each engine thread checks one session at a time, and two of them already fill two cores.
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  return {
    async run(input) {
      const out = await session.run({ [INPUT]: new ort.Tensor('float32', input, [...DESCRIPTOR_INPUT]) });
      return out[OUTPUT].data as Float32Array;
    },
  };
}
