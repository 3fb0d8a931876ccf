// Ids and secrets that follow the clock: their order, their shape, and that the clock leaves them random.
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { newId, orderedSecret } from './ids.js';

describe('ids', () => {
  it('session and event ids made later sort after earlier ones, as strings compare', () => {
    mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 200; i++) {
        ids.push(newId.session());
        mock.timers.tick(61); // crosses a digit's carry now and then
      }
      assert.deepEqual([...ids].sort(), ids, ids.join('\n'));
      const events = [newId.event()];
      mock.timers.tick(1);
      events.push(newId.event());
      assert.ok(events[0] < events[1], events.join(' '));
    } finally {
      mock.timers.reset();
    }
  });

  it('keep Stripe\'s shape: the prefix, then 24 base62 characters beginning with 1', () => {
    assert.match(newId.session(), /^vs_1[0-9A-Za-z]{23}$/);
    assert.match(newId.event(), /^evt_1[0-9A-Za-z]{23}$/);
  });

  it('made in the same millisecond differ in their random part', () => {
    mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 });
    try {
      const ids = new Set(Array.from({ length: 1000 }, () => newId.session()));
      assert.equal(ids.size, 1000);
      const secrets = new Set(Array.from({ length: 1000 }, () => orderedSecret()));
      assert.equal(secrets.size, 1000);
      assert.match([...secrets][0], /^1[0-9A-Za-z]{39}$/);
    } finally {
      mock.timers.reset();
    }
  });
});
