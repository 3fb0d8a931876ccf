// The kept retrieve answers: used only at the read version they were read at, for the mode they belong to,
// and until a secret they show expires.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionRow } from '../../../test/fixtures/sessions.js';
import type { Session } from '../../domain/types.js';
import { RenderedSessions } from './rendered.js';

const NOW = 1_800_000_000;

const session = (over: Partial<Session> = {}): Session =>
  sessionRow({
    id: 'vs_1',
    created: NOW,
    client_secret: 'vs_1_secret_test_x',
    client_secret_expires: NOW + 100,
    url_token: 'test_y',
    url_expires: NOW + 200,
    version: 1,
    ...over,
  });

/** A cache holding vs_1 (as `s`) at version '1.0'. */
function holding(s: Session = session()): RenderedSessions {
  const c = new RenderedSessions();
  assert.equal(c.get('1.0', s.id, s.livemode, NOW), undefined, 'empty at first');
  c.set('1.0', '1.0', s, '{"kept":true}');
  return c;
}

describe('RenderedSessions', () => {
  it('answers the kept JSON at the version it was read at', () => {
    assert.equal(holding().get('1.0', 'vs_1', false, NOW), '{"kept":true}');
  });

  it('drops everything once the version moves, even if it moves back', () => {
    const c = holding();
    assert.equal(c.get('1.1', 'vs_1', false, NOW), undefined);
    assert.equal(c.get('1.0', 'vs_1', false, NOW), undefined);
    assert.equal(c.size, 0);
  });

  it('keeps nothing read while the version moved, or without a version', () => {
    const c = new RenderedSessions();
    c.get('1.0', 'vs_1', false, NOW);
    c.set('1.0', '1.1', session(), '{}');
    c.set(undefined, undefined, session(), '{}');
    c.set('0.9', '0.9', session(), '{}');
    assert.equal(c.size, 0);
    assert.equal(c.get(undefined, 'vs_1', false, NOW), undefined, 'no version: no answer');
  });

  it('does not answer a key of the other mode', () => {
    assert.equal(holding().get('1.0', 'vs_1', true, NOW), undefined);
  });

  it('stops answering when the client_secret it shows expires, and when the url does', () => {
    assert.equal(holding().get('1.0', 'vs_1', false, NOW + 99), '{"kept":true}');
    assert.equal(holding().get('1.0', 'vs_1', false, NOW + 100), undefined, 'client_secret expired');
    const urlFirst = holding(session({ url_expires: NOW + 50 }));
    assert.equal(urlFirst.get('1.0', 'vs_1', false, NOW + 50), undefined, 'url expired');
  });

  it('keeps answering for a session that shows no secret, however late', () => {
    const c = holding(session({ status: 'verified', client_secret_expires: NOW - 1 }));
    assert.equal(c.get('1.0', 'vs_1', false, NOW + 10 * 365 * 86400), '{"kept":true}');
  });

  it('holds at most its bound, dropping the oldest', () => {
    const c = new RenderedSessions(2);
    c.get('1.0', 'vs_a', false, NOW);
    for (const id of ['vs_a', 'vs_b', 'vs_c']) c.set('1.0', '1.0', session({ id }), id);
    assert.equal(c.size, 2);
    assert.equal(c.get('1.0', 'vs_a', false, NOW), undefined);
    assert.equal(c.get('1.0', 'vs_c', false, NOW), 'vs_c');
  });
});
