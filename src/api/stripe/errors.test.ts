import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MSG, StripeError, errors, maskKey } from './errors.js';

describe('StripeError', () => {
  it('defaults to a non-storable invalid_request_error without headers', () => {
    const e = new StripeError({ status: 400, message: 'm' });
    assert.deepEqual({ type: e.type, code: e.code, param: e.param, storable: e.storable, headers: e.headers }, {
      type: 'invalid_request_error',
      code: undefined,
      param: undefined,
      storable: false,
      headers: {},
    });
  });

  it('renders Stripe\'s envelope in Stripe\'s key order, with a doc_url built from the code', () => {
    const e = new StripeError({ status: 404, code: 'resource_missing', param: 'id', message: "No such verification_session: 'vs_1'" });
    const body = e.toBody();
    assert.deepEqual(body, {
      error: {
        code: 'resource_missing',
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
        message: "No such verification_session: 'vs_1'",
        param: 'id',
        type: 'invalid_request_error',
      },
    });
    assert.deepEqual(Object.keys(body.error), ['code', 'doc_url', 'message', 'param', 'type']);
  });

  it('leaves code, doc_url and param out when there are none', () => {
    assert.deepEqual(new StripeError({ status: 401, message: 'm' }).toBody(), { error: { message: 'm', type: 'invalid_request_error' } });
  });

  it('keeps an empty param (it names the top level)', () => {
    assert.equal(new StripeError({ status: 400, param: '', message: 'm' }).toBody().error.param, '');
  });
});

describe('errors', () => {
  it('unknownParam and missingParam carry their code and param', () => {
    assert.deepEqual(errors.unknownParam('bogus').toBody().error, {
      code: 'parameter_unknown',
      doc_url: 'https://stripe.com/docs/error-codes/parameter-unknown',
      message: 'Received unknown parameter: bogus',
      param: 'bogus',
      type: 'invalid_request_error',
    });
    const m = errors.missingParam('type');
    assert.deepEqual([m.status, m.code, m.param, m.message], [400, 'parameter_missing', 'type', 'Missing required param: type.']);
  });

  it('notFound is a 404 resource_missing, with the other-mode hint when asked', () => {
    const plain = errors.notFound('verification_session', 'vs_1');
    assert.deepEqual([plain.status, plain.code, plain.param, plain.message], [404, 'resource_missing', 'id', "No such verification_session: 'vs_1'"]);
    const other = errors.notFound('verification_session', 'vs_1', 'starting_after', 'live');
    assert.equal(other.param, 'starting_after');
    assert.equal(
      other.message,
      "No such verification_session: 'vs_1'; a similar object exists in live mode, but a test mode key was used to make this request.",
    );
    assert.match(MSG.otherMode('x', 'y', 'test'), /exists in test mode, but a live mode key/);
  });

  it('invalidState is stored for idempotent replays', () => {
    const e = errors.invalidState('no');
    assert.deepEqual([e.status, e.code, e.storable], [400, 'session_invalid_state', true]);
  });

  it('internal is a stored 500 api_error that tells clients not to retry', () => {
    const e = errors.internal();
    assert.deepEqual([e.status, e.type, e.message, e.storable, e.headers], [500, 'api_error', MSG.internal, true, { 'Stripe-Should-Retry': 'false' }]);
  });
});

describe('maskKey', () => {
  it('keeps the prefix and the last four characters', () => {
    assert.equal(maskKey('sk_test_abcdefgh1234'), 'sk_test_********1234');
    assert.equal(maskKey('rk_live_abcdefgh1234'), 'rk_live_********1234');
  });

  it('shows at most 24 stars for a long key', () => {
    const masked = maskKey('sk_test_' + 'x'.repeat(60) + 'wxyz');
    assert.equal(masked, 'sk_test_' + '*'.repeat(24) + 'wxyz');
  });

  it('hides a key of four characters or fewer completely', () => {
    assert.equal(maskKey('sk_test_abcd'), 'sk_test_****');
    assert.equal(maskKey('null'), '****');
  });

  it('masks a value without a key prefix too', () => {
    assert.equal(maskKey('secretvalue9876'), '***********9876');
  });

  it('never returns the secret part of the key', () => {
    const key = 'sk_live_' + 'S3cr3tS3cr3tS3cr3t' + 'ab12';
    assert.ok(!MSG.invalidApiKey(key).includes('S3cr3t'));
    assert.ok(!MSG.expiredApiKey(key).includes('S3cr3t'));
    assert.ok(!MSG.missingPermission(key, 'rak_x').includes('S3cr3t'));
  });
});

describe('MSG', () => {
  it('lists enum values the way Stripe does', () => {
    assert.equal(MSG.invalidEnum('type', ['document']), 'Invalid type: must be one of document');
    assert.equal(MSG.invalidEnum('type', ['document', 'id_number']), 'Invalid type: must be one of document or id_number');
    assert.equal(MSG.invalidEnum('status', ['a', 'b', 'c']), 'Invalid status: must be one of a, b, or c');
  });

  it('quotes the idempotency key in misuse messages', () => {
    assert.match(MSG.idempotencyParamsMismatch('k-1'), /other than 'k-1'/);
    assert.match(MSG.idempotencyEndpointMismatch('k-1', '/v1/a', '/v1/b'), /\('\/v1\/a' vs '\/v1\/b'\).*'k-1'/);
  });

  it('truncates long metadata keys in messages', () => {
    assert.ok(MSG.metadataKeyTooLong('k'.repeat(1000)).length < 120);
  });
});
