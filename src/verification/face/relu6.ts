// The face descriptor model (human's faceres, a MobileNet) clips every activation with three separate ops,
// Relu → Minimum(·, 6) → Maximum(·, 0), as its Keras export spelled relu6. On the wasm backend Minimum and
// Maximum against a scalar take the slow broadcasting path: measured, they were half of the model's time. One
// Relu6 op computes exactly the same values in a single fast pass, so the graph is rewritten as it loads.

/** A node of a tfjs graph model's topology, as stored in its model.json. */
export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
  device?: string;
}

/** A node input may name an output slot (`node:1`) or a control dependency (`^node`). */
const sourceOf = (input: string) => input.replace(/^\^/, '').replace(/:\d+$/, '');

/**
 * Rewrites every Relu → Minimum(·, 6) → Maximum(·, 0) chain into one Relu6 node that keeps the Maximum's
 * name, so whatever consumed the chain is untouched. `scalar` gives a constant's value (undefined when the
 * node is not a known scalar): a chain is only fused when its bounds really are 6 and 0, and when nothing but
 * the next link (nor the model's outputs) reads the Relu or the Minimum.
 */
export function fuseRelu6(nodes: readonly GraphNode[], scalar: (name: string) => number | undefined, outputs: ReadonlySet<string> = new Set()): { nodes: GraphNode[]; fused: number } {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const readers = new Map<string, number>();
  for (const n of nodes) for (const i of n.input ?? []) readers.set(sourceOf(i), (readers.get(sourceOf(i)) ?? 0) + 1);
  const onlyFeeds = (n: GraphNode) => readers.get(n.name) === 1 && !outputs.has(n.name);

  /** The other input of a two-input op, when one of its inputs is `from` and the other the constant `value`. */
  const boundedBy = (n: GraphNode, from: string, value: number): boolean => {
    const ins = (n.input ?? []).map(sourceOf);
    if (ins.length !== 2 || !ins.includes(from)) return false;
    const other = ins[0] === from ? ins[1] : ins[0];
    return byName.get(other)?.op === 'Const' && scalar(other) === value;
  };

  const dropped = new Set<string>();
  const replaced = new Map<string, GraphNode>();
  for (const max of nodes) {
    if (max.op !== 'Maximum') continue;
    const min = (max.input ?? []).map((i) => byName.get(sourceOf(i))).find((n) => n?.op === 'Minimum');
    if (!min || !boundedBy(max, min.name, 0) || !onlyFeeds(min)) continue;
    const relu = (min.input ?? []).map((i) => byName.get(sourceOf(i))).find((n) => n?.op === 'Relu');
    if (!relu || !boundedBy(min, relu.name, 6) || !onlyFeeds(relu) || relu.input?.length !== 1) continue;
    dropped.add(relu.name).add(min.name);
    replaced.set(max.name, { name: max.name, op: 'Relu6', input: [...relu.input], attr: relu.attr, ...(max.device ? { device: max.device } : {}) });
  }
  return {
    nodes: nodes.filter((n) => !dropped.has(n.name)).map((n) => replaced.get(n.name) ?? n),
    fused: replaced.size,
  };
}
