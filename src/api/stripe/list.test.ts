import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MSG, StripeError } from './errors.js';
import { LIST_PARAMS, listEnvelope, pageRequest } from './list.js';
import { parseParams } from './params.js';

const CURSORS: Record<string, { created: number; seq: number }> = { vs_a: { created: 10, seq: 3 } };
const find = async (id: string) => CURSORS[id];

async function refused(p: Promise<unknown>): Promise<StripeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StripeError) return e;
    throw e;
  }
  assert.fail('expected a StripeError');
}

describe('pageRequest', () => {
  it('defaults to ten items from the newest', async () => {
    assert.deepEqual(await pageRequest({}, 'verification_session', find), { limit: 10 });
  });

  it('turns a cursor id into its position', async () => {
    assert.deepEqual(await pageRequest({ limit: 3, starting_after: 'vs_a' }, 'verification_session', find), {
      limit: 3,
      startingAfter: { created: 10, seq: 3 },
    });
    assert.deepEqual(await pageRequest({ ending_before: 'vs_a' }, 'verification_session', find), {
      limit: 10,
      endingBefore: { created: 10, seq: 3 },
    });
  });

  it('refuses both cursors at once', async () => {
    const e = await refused(pageRequest({ starting_after: 'vs_a', ending_before: 'vs_a' }, 'verification_session', find));
    assert.equal(e.status, 400);
    assert.equal(e.message, MSG.onlyOneOf(['ending_before', 'starting_after']));
  });

  it('an unknown cursor is a 404 naming the cursor parameter', async () => {
    const e = await refused(pageRequest({ starting_after: 'vs_zzz' }, 'verification_session', find));
    assert.deepEqual([e.status, e.code, e.param, e.message], [404, 'resource_missing', 'starting_after', MSG.noSuch('verification_session', 'vs_zzz')]);
  });
});

describe('LIST_PARAMS', () => {
  it('limit is 1 to 100', () => {
    assert.deepEqual(parseParams(LIST_PARAMS, { limit: '1' }), { limit: 1 });
    assert.deepEqual(parseParams(LIST_PARAMS, { limit: '100' }), { limit: 100 });
    for (const [limit, message] of [['0', MSG.integerMin(1)], ['101', MSG.integerMax(100)]]) {
      assert.throws(() => parseParams(LIST_PARAMS, { limit }), (e: unknown) => {
        assert.ok(e instanceof StripeError);
        assert.deepEqual([e.status, e.param, e.message], [400, 'limit', message]);
        return true;
      });
    }
  });
});

describe('listEnvelope', () => {
  it('has object, data, has_more and url, and no total_count', () => {
    assert.deepEqual(listEnvelope('/v1/x', [{ id: 'a' }], true), { object: 'list', data: [{ id: 'a' }], has_more: true, url: '/v1/x' });
  });
});
