// Human's models, read from node_modules. Human loads them through tfjs's IO layer, which in Node only knows
// http(s) and then falls back to `fetch`, which has no `file:` support. Rather than replacing the process-wide
// `fetch`, this tfjs instance is taught to read `file:` model URLs from disk, and each graph is tuned for the
// wasm backend on the way in (relu6.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor, io } from '@tensorflow/tfjs-core';
import type { Human } from '@vladmandic/human';
import type { GraphWeight } from './onnx.js';
import { type GraphNode, fuseRelu6 } from './relu6.js';

type Tf = Human['tf'];

const registered = new WeakSet<object>();

/** Registered once per tfjs instance: tfjs refuses a URL that two routers claim. */
export function registerFileModelLoader(tf: Tf): void {
  if (registered.has(tf)) return;
  registered.add(tf);
  tf.io.registerLoadRouter((url: string | string[]) => {
    if (typeof url !== 'string' || !url.startsWith('file:')) return null;
    const modelFile = fileURLToPath(url);
    return {
      load: async () => {
        const json = JSON.parse(await fs.promises.readFile(modelFile, 'utf8'));
        const read: { weights?: [io.WeightsManifestEntry[], ArrayBuffer] } = {};
        const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest: io.WeightsManifestConfig) => {
          const specs = manifest.flatMap((group) => group.weights);
          const parts = await Promise.all(
            manifest.flatMap((group) => group.paths.map((p) => fs.promises.readFile(path.join(path.dirname(modelFile), p)))),
          );
          const all = Buffer.concat(parts);
          read.weights = [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
          return read.weights;
        });
        if (read.weights) tuneGraph(tf, artifacts, read.weights);
        return artifacts;
      },
    };
  });
}

/** A graph model file's nodes (tuned as tfjs runs them here) and every weight decoded, for converting it (onnx.ts). */
export async function readGraph(tf: Tf, modelFile: string): Promise<{ nodes: GraphNode[]; weights: Map<string, GraphWeight> }> {
  const json = JSON.parse(await fs.promises.readFile(modelFile, 'utf8'));
  const groups = json.weightsManifest as io.WeightsManifestConfig;
  const parts = await Promise.all(groups.flatMap((group) => group.paths.map((p) => fs.promises.readFile(path.join(path.dirname(modelFile), p)))));
  const all = Buffer.concat(parts);
  const decoded: Record<string, Tensor> = tf.io.decodeWeights(
    all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
    groups.flatMap((group) => group.weights),
  );
  const weights = new Map<string, GraphWeight>();
  try {
    for (const [name, t] of Object.entries(decoded)) weights.set(name, { shape: t.shape, values: t.dataSync() as Float32Array | Int32Array });
  } finally {
    tf.dispose(Object.values(decoded));
  }
  const artifacts = { modelTopology: json.modelTopology, signature: json.signature } as io.ModelArtifacts;
  const nodes = (json.modelTopology?.node ?? []) as GraphNode[];
  const scalar = (name: string) => (weights.get(name)?.shape.length === 0 ? weights.get(name)?.values[0] : undefined);
  return { nodes: fuseRelu6(nodes, scalar, outputsOf(artifacts)).nodes, weights };
}

const outputsOf = (artifacts: io.ModelArtifacts): Set<string> => {
  const signature = artifacts.signature as { outputs?: Record<string, { name?: string }> } | undefined;
  return new Set(Object.values(signature?.outputs ?? {}).map((o) => (o.name ?? '').replace(/:\d+$/, '')));
};

function tuneGraph(tf: Tf, artifacts: io.ModelArtifacts, [specs, data]: [io.WeightsManifestEntry[], ArrayBuffer]): void {
  const topology = artifacts.modelTopology as { node?: GraphNode[] } | undefined;
  if (!topology?.node?.some((n) => n.op === 'Minimum')) return;
  // Only the scalar constants can bound a clip; decoding every weight once at load time is the simple way to
  // read them (some are stored as float16).
  const decoded: Record<string, Tensor> = tf.io.decodeWeights(data, specs);
  try {
    const scalars = new Map<string, number>();
    for (const [name, t] of Object.entries(decoded)) if (t.rank === 0) scalars.set(name, t.dataSync()[0]);
    topology.node = fuseRelu6(topology.node, (name) => scalars.get(name), outputsOf(artifacts)).nodes;
  } finally {
    tf.dispose(Object.values(decoded));
  }
}
