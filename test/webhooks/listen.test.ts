// `verity listen`, run in-process against a harness server: it prints a signing secret, then forwards each new
// event of its mode to the URL, signed with that secret, one line per delivery.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { listen } from '../../src/webhooks/listen.js';
import { type Verity, startVerity } from '../harness.js';
import { show } from '../identity.js';
import { eventOf, verified } from './helpers.js';
import { type Receiver, startReceiver } from './receiver.js';

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

describe('verity listen', () => {
  let v: Verity;
  let stripe: Stripe;
  let rx: Receiver;
  before(async () => {
    v = await startVerity();
    stripe = v.stripe();
    rx = await startReceiver();
  });
  after(async () => {
    await rx.close();
    await v.close();
  });

  it('prints a secret, then forwards each new test event signed with it, one line per delivery', async () => {
    const old = await stripe.identity.verificationSessions.create({ type: 'document' });
    const lines: string[] = [];
    const l = await listen(v.deps, { forwardTo: rx.url, livemode: false, pollMs: 10, print: (x) => lines.push(x) });
    try {
      assert.match(l.secret, /^whsec_[A-Za-z0-9]{24,}$/);
      assert.ok(lines.some((x) => x.includes(l.secret)), `the secret is printed at start:\n${lines.join('\n')}`);
      const before = lines.length;

      const s = await stripe.identity.verificationSessions.create({ type: 'document' });
      await stripe.identity.verificationSessions.cancel(s.id);
      await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
      await until('two forwarded events', () => rx.received.length >= 2 && lines.length >= before + 2);
      await new Promise((r) => setTimeout(r, 100));

      const events = rx.received.map((r) => verified(r, l.secret));
      assert.deepEqual(
        events.map((e) => [e.type, (e.data.object as { id: string }).id, e.livemode]),
        [
          ['identity.verification_session.created', s.id, false],
          ['identity.verification_session.canceled', s.id, false],
        ],
        `only new test events, in order (not ${old.id}, made before listen started, nor the live one):\n${show(rx.received.map(eventOf))}`,
      );
      const out = lines.slice(before);
      assert.equal(out.length, 2, out.join('\n'));
      out.forEach((line, i) => {
        const [time, type, id, ...rest] = line.split(/\s+/);
        assert.ok(!Number.isNaN(Date.parse(time)) && /^\d{4}-\d\d-\d\dT/.test(time), `a time first:\n${line}`);
        assert.equal(type, events[i].type, line);
        assert.equal(id, events[i].id, line);
        assert.match(rest.join(' '), /\b200\b/, `the receiver's status:\n${line}`);
      });
    } finally {
      await l.stop();
    }
  });

  it('with livemode forwards live events only, and prints a failing receiver’s status', async () => {
    const lines: string[] = [];
    const live = await startReceiver();
    live.behave(() => ({ status: 503 }));
    const l = await listen(v.deps, { forwardTo: live.url, livemode: true, pollMs: 10, print: (x) => lines.push(x) });
    try {
      const before = lines.length;
      await stripe.identity.verificationSessions.create({ type: 'document' });
      const s = await v.stripe(v.keys.live).identity.verificationSessions.create({ type: 'document' });
      await until('the live event', () => live.received.length >= 1 && lines.length > before);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(live.received.length, 1, show(live.received.map(eventOf)));
      const e = verified(live.received[0], l.secret);
      assert.deepEqual([e.livemode, (e.data.object as { id: string }).id], [true, s.id], show(e));
      assert.match(lines.at(-1)!, new RegExp(`identity\\.verification_session\\.created\\s+${e.id}\\s.*\\b503\\b`), lines.join('\n'));
    } finally {
      await l.stop();
      await live.close();
    }
  });
});
