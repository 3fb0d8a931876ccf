import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type GraphNode, fuseRelu6 } from './relu6.js';

const SCALARS: Record<string, number> = { six: 6, zero: 0, five: 5 };
const scalar = (name: string) => SCALARS[name];
const consts: GraphNode[] = Object.keys(SCALARS).map((name) => ({ name, op: 'Const' }));

/** conv → Relu → Minimum(·, upper) → Maximum(·, 0) → next, with the constants on the side given. */
function chain(upper = 'six', constFirst = false): GraphNode[] {
  const pair = (a: string, c: string) => (constFirst ? [c, a] : [a, c]);
  return [
    ...consts,
    { name: 'x', op: 'Placeholder' },
    { name: 'conv', op: 'Conv2D', input: ['x'] },
    { name: 'relu', op: 'Relu', input: ['conv'], attr: { T: { type: 'DT_FLOAT' } } },
    { name: 'min', op: 'Minimum', input: pair('relu', upper) },
    { name: 'clip', op: 'Maximum', input: pair('min', 'zero') },
    { name: 'next', op: 'DepthwiseConv2dNative', input: ['clip'] },
  ];
}

test('a Relu, Minimum 6, Maximum 0 chain becomes one Relu6 under the Maximum’s name', () => {
  const { nodes, fused } = fuseRelu6(chain(), scalar);
  assert.equal(fused, 1);
  assert.deepEqual(
    nodes.filter((n) => n.op !== 'Const').map((n) => [n.name, n.op, n.input ?? []]),
    [
      ['x', 'Placeholder', []],
      ['conv', 'Conv2D', ['x']],
      ['clip', 'Relu6', ['conv']],
      ['next', 'DepthwiseConv2dNative', ['clip']],
    ],
  );
});

test('a chain written with the constants first is fused too', () => {
  assert.equal(fuseRelu6(chain('six', true), scalar).fused, 1);
});

test('a clip to another upper bound than 6 is left alone', () => {
  const { nodes, fused } = fuseRelu6(chain('five'), scalar);
  assert.equal(fused, 0);
  assert.deepEqual(nodes, chain('five'));
});

test('a bound whose value is unknown is left alone', () => {
  assert.equal(fuseRelu6(chain(), () => undefined).fused, 0);
});

test('a Relu that something else also reads is left alone', () => {
  const nodes = [...chain(), { name: 'side', op: 'Add', input: ['relu', 'conv'] }];
  assert.equal(fuseRelu6(nodes, scalar).fused, 0);
});

test('a Minimum that is one of the model’s outputs is left alone', () => {
  assert.equal(fuseRelu6(chain(), scalar, new Set(['min'])).fused, 0);
});
