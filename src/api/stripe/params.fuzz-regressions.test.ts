// Regressions found by test/fuzz.test.ts in parameter validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MSG, StripeError } from './errors.js';
import { p, parseForm, parseParams } from './params.js';

function rejects(fn: () => unknown, param: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StripeError);
    assert.deepEqual(
      { status: e.status, code: e.code, param: e.param, message: e.message },
      { status: 400, code: 'parameter_invalid_string', param, message: MSG.stringHasNul },
    );
    return true;
  });
}

describe('a NUL character in a string parameter (PostgreSQL text cannot hold it: it was a 500 there)', () => {
  it('is refused with 400 parameter_invalid_string, naming the parameter', () => {
    rejects(() => parseParams({ client_reference_id: p.string() }, parseForm('client_reference_id=a%00b')), 'client_reference_id');
    rejects(() => parseParams({ starting_after: p.string() }, parseForm('starting_after=%00')), 'starting_after');
  });

  it('is refused inside objects and arrays too', () => {
    const spec = { provided_details: p.object({ email: p.string({ emptyable: true }) }), types: p.array(p.string(), 20) };
    rejects(() => parseParams(spec, parseForm('provided_details[email]=x%00')), 'provided_details[email]');
    rejects(() => parseParams(spec, parseForm('types[0]=ok&types[1]=identity.%00*')), 'types[1]');
  });

  it('leaves other strings alone, and an enum still reports the enum error', () => {
    assert.deepEqual(parseParams({ s: p.string() }, parseForm('s=%E2%80%AEx%01y')), { s: '\u202ex\u0001y' });
    assert.throws(
      () => parseParams({ type: p.enum(['document', 'id_number'] as const) }, parseForm('type=document%00')),
      (e: unknown) => e instanceof StripeError && e.message === MSG.invalidEnum('type', ['document', 'id_number']),
    );
  });
});
