import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeMetadata } from './sessions.js';

describe('mergeMetadata', () => {
  it('leaves metadata alone when the request did not mention it', () => {
    const cur = { a: '1' };
    assert.equal(mergeMetadata(cur, undefined), cur);
  });

  it('adds and overwrites keys, keeping the others', () => {
    assert.deepEqual(mergeMetadata({ a: '1', b: '2' }, { b: '3', c: '4' }), { a: '1', b: '3', c: '4' });
  });

  it('removes a key sent empty (parsed to null)', () => {
    assert.deepEqual(mergeMetadata({ a: '1', b: '2' }, { a: null }), { b: '2' });
  });

  it('removes every key when metadata itself is sent empty', () => {
    assert.deepEqual(mergeMetadata({ a: '1', b: '2' }, null), {});
  });

  it('does not change the current metadata object', () => {
    const cur = { a: '1' };
    mergeMetadata(cur, { a: null, b: '2' });
    assert.deepEqual(cur, { a: '1' });
  });
});
