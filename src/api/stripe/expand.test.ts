import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MSG, StripeError } from './errors.js';
import { children, parseExpand } from './expand.js';

const ACCEPTED = new Set(['last_verification_report', 'last_verification_report.document.dob', 'verified_outputs', 'verified_outputs.dob', 'a.b.c.d', 'a.b.c.d.e']);

function refused(fn: () => unknown): StripeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StripeError) return e;
    throw e;
  }
  assert.fail('expected a StripeError');
}

describe('parseExpand', () => {
  it('no expand is an empty set', () => {
    assert.deepEqual([...parseExpand(undefined, ACCEPTED)], []);
    assert.deepEqual([...parseExpand(null, ACCEPTED)], []);
    assert.deepEqual([...parseExpand([], ACCEPTED)], []);
  });

  it('a nested path brings its parents with it', () => {
    assert.deepEqual(
      [...parseExpand(['last_verification_report.document.dob'], ACCEPTED)].sort(),
      ['last_verification_report', 'last_verification_report.document', 'last_verification_report.document.dob'],
    );
  });

  it('four levels are allowed', () => {
    assert.ok(parseExpand(['a.b.c.d'], ACCEPTED).has('a.b.c.d'));
  });

  it('five levels are refused with param expand, even for an accepted path', () => {
    const e = refused(() => parseExpand(['a.b.c.d.e'], ACCEPTED));
    assert.deepEqual({ status: e.status, param: e.param, type: e.type, message: e.message }, {
      status: 400,
      param: 'expand',
      type: 'invalid_request_error',
      message: MSG.expandTooDeep('a.b.c.d.e'),
    });
  });

  it('a path that is not accepted is refused with param expand', () => {
    const e = refused(() => parseExpand(['verified_outputs', 'nonsense'], ACCEPTED));
    assert.deepEqual({ status: e.status, param: e.param, message: e.message }, { status: 400, param: 'expand', message: MSG.expandUnknown('nonsense') });
  });

  it('an accepted prefix of a path does not make the longer path acceptable', () => {
    const e = refused(() => parseExpand(['verified_outputs.sex'], ACCEPTED));
    assert.equal(e.message, MSG.expandUnknown('verified_outputs.sex'));
  });

  it('on a list every path starts with data., which is stripped', () => {
    assert.deepEqual([...parseExpand(['data.verified_outputs.dob'], ACCEPTED, true)].sort(), ['verified_outputs', 'verified_outputs.dob']);
  });

  it('on a list a path without data. is refused, named as sent', () => {
    const e = refused(() => parseExpand(['verified_outputs'], ACCEPTED, true));
    assert.equal(e.param, 'expand');
    assert.equal(e.message, MSG.expandUnknown('verified_outputs'));
  });

  it('outside a list a data. path is unknown', () => {
    const e = refused(() => parseExpand(['data.verified_outputs'], ACCEPTED));
    assert.equal(e.message, MSG.expandUnknown('data.verified_outputs'));
  });

  it('asking twice for the same path is harmless', () => {
    assert.deepEqual([...parseExpand(['verified_outputs', 'verified_outputs'], ACCEPTED)], ['verified_outputs']);
  });
});

describe('children', () => {
  it('lists the direct sub-fields asked for under a prefix', () => {
    const set = new Set(['verified_outputs', 'verified_outputs.dob', 'verified_outputs.sex', 'verified_outputs.x.y', 'last_verification_report.document.dob']);
    assert.deepEqual([...children(set, 'verified_outputs')].sort(), ['dob', 'sex']);
    assert.deepEqual([...children(set, 'last_verification_report.document')], ['dob']);
    assert.deepEqual([...children(set, 'verified')], []);
  });
});
