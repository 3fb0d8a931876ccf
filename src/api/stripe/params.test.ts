import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MSG, StripeError } from './errors.js';
import { type Raw, mergeParams, p, parseForm, parseParams } from './params.js';

/** parseForm returns null-prototype objects; compare their JSON shape. */
const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

/** Runs fn, which must throw a StripeError; returns it. */
function refused(fn: () => unknown): StripeError {
  try {
    const out = fn();
    assert.fail(`expected a StripeError, got ${JSON.stringify(out)}`);
  } catch (e) {
    if (!(e instanceof StripeError)) throw e;
    return e;
  }
}

function assertError(e: StripeError, expected: { status?: number; code?: string; param?: string; message: string }) {
  const got = { status: e.status, code: e.code, param: e.param, message: e.message };
  assert.deepEqual(got, { status: 400, code: undefined, param: undefined, ...expected }, JSON.stringify(e.toBody()));
}

describe('parseForm', () => {
  it('an empty body is no parameters', () => {
    assert.deepEqual(plain(parseForm('')), {});
  });

  it('indexed, empty-bracket and percent-encoded bracket arrays all become arrays', () => {
    for (const s of ['a[0]=x&a[1]=y', 'a[]=x&a[]=y', 'a%5B0%5D=x&a%5B1%5D=y', 'a%5B%5D=x&a%5B%5D=y']) {
      assert.deepEqual(plain(parseForm(s)), { a: ['x', 'y'] }, s);
    }
  });

  it('nested brackets become nested objects', () => {
    assert.deepEqual(plain(parseForm('options[document][allowed_types][0]=passport&metadata[k]=v')), {
      options: { document: { allowed_types: ['passport'] } },
      metadata: { k: 'v' },
    });
  });

  it('+ and %20 decode to spaces; encoded reserved characters decode to themselves', () => {
    assert.deepEqual(plain(parseForm('a=x+y%20z&b=a%26b%3Dc&c%20d=1')), { a: 'x y z', b: 'a&b=c', 'c d': '1' });
  });

  it('an empty value stays an empty string (the "unset" marker)', () => {
    assert.deepEqual(plain(parseForm('metadata=&a[b]=')), { metadata: '', a: { b: '' } });
  });

  it('sparse indexes are compacted in index order', () => {
    assert.deepEqual(plain(parseForm('a[3]=z&a[1]=y')), { a: ['y', 'z'] });
  });

  it('keys named like Object.prototype members are kept', () => {
    assert.deepEqual(plain(parseForm('metadata[constructor]=a&metadata[toString]=b&hasOwnProperty=c')), {
      metadata: { constructor: 'a', toString: 'b' },
      hasOwnProperty: 'c',
    });
  });

  it('__proto__ keys are dropped and pollute nothing', () => {
    const out = parseForm('__proto__[polluted]=1&a[__proto__][polluted]=1&constructor[prototype][polluted]=1');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.hasOwn(out, '__proto__'), false);
  });

  it('more than eight bracketed levels are refused', () => {
    assertError(refused(() => parseForm('a[b][c][d][e][f][g][h][i][j]=1')), { message: MSG.tooManyParams });
    assert.ok(parseForm('a[b][c][d][e][f][g][h][i]=1'));
  });

  it('more than 1000 parameters are refused', () => {
    const body = Array.from({ length: 1001 }, (_, i) => `k${i}=1`).join('&');
    assertError(refused(() => parseForm(body)), { message: MSG.tooManyParams });
    assert.equal(Object.keys(parseForm(body.split('&').slice(0, 1000).join('&'))).length, 1000);
  });

  it('array indexes above 100 are refused', () => {
    assertError(refused(() => parseForm('a[1000]=x')), { message: MSG.tooManyParams });
  });
});

describe('mergeParams', () => {
  it('pools query and body, the body winning on a clash', () => {
    assert.deepEqual(mergeParams({ a: '1', b: '2' }, { b: '3', c: '4' }), { a: '1', b: '3', c: '4' });
  });
});

describe('parseParams', () => {
  const parse = (props: Parameters<typeof parseParams>[0], raw: Record<string, Raw>, required?: readonly string[]) =>
    parseParams(props, raw, required);

  describe('strings and enums', () => {
    it('a string within its limit is returned as is', () => {
      assert.deepEqual(parse({ s: p.string({ max: 3 }) }, { s: 'abc' }), { s: 'abc' });
    });

    it('a string over its limit is refused with parameter_invalid_string', () => {
      assertError(refused(() => parse({ s: p.string({ max: 3 }) }, { s: 'abcd' })), {
        code: 'parameter_invalid_string',
        param: 's',
        message: MSG.invalidString(3),
      });
    });

    it('strings default to a 5000-character limit', () => {
      assert.ok(parse({ s: p.string() }, { s: 'x'.repeat(5000) }));
      assert.equal(refused(() => parse({ s: p.string() }, { s: 'x'.repeat(5001) })).message, MSG.invalidString(5000));
    });

    it('an object where a string belongs is refused', () => {
      assertError(refused(() => parse({ s: p.string() }, { s: { a: 'b' } })), {
        code: 'parameter_invalid_string',
        param: 's',
        message: MSG.notAString('s'),
      });
    });

    it('a value outside the enum is refused, listing the values', () => {
      assertError(refused(() => parse({ type: p.enum(['document', 'id_number']) }, { type: 'nope' })), {
        code: 'parameter_invalid',
        param: 'type',
        message: MSG.invalidEnum('type', ['document', 'id_number']),
      });
    });

    it('an empty string unsets an emptyable string', () => {
      assert.deepEqual(parse({ s: p.string({ emptyable: true }) }, { s: '' }), { s: null });
    });

    it('an empty string for a string that cannot be unset is refused', () => {
      assertError(refused(() => parse({ s: p.string() }, { s: '' })), {
        code: 'parameter_invalid_empty',
        param: 's',
        message: MSG.emptyString('s'),
      });
    });
  });

  describe('booleans and integers', () => {
    it('"true" and "false" become booleans', () => {
      assert.deepEqual(parse({ a: p.boolean(), b: p.boolean() }, { a: 'true', b: 'false' }), { a: true, b: false });
    });

    it('anything else is not a boolean', () => {
      for (const v of ['TRUE', '1', 'yes']) {
        assertError(refused(() => parse({ a: p.boolean() }, { a: v })), { code: 'parameter_invalid', param: 'a', message: MSG.invalidBoolean(v) });
      }
    });

    it('integer strings become numbers', () => {
      assert.deepEqual(parse({ n: p.integer(), m: p.integer() }, { n: '42', m: '-7' }), { n: 42, m: -7 });
    });

    it('non-integers are refused with parameter_invalid_integer', () => {
      for (const v of ['4.2', '1e3', 'abc', ' 1', '1234567890123456']) {
        assertError(refused(() => parse({ n: p.integer() }, { n: v })), {
          code: 'parameter_invalid_integer',
          param: 'n',
          message: MSG.invalidInteger(v),
        });
      }
    });

    it('integers outside their bounds are refused with the bound', () => {
      const spec = { limit: p.integer({ min: 1, max: 100 }) };
      assert.deepEqual(parse(spec, { limit: '1' }), { limit: 1 });
      assert.deepEqual(parse(spec, { limit: '100' }), { limit: 100 });
      assertError(refused(() => parse(spec, { limit: '0' })), { code: 'parameter_invalid_integer', param: 'limit', message: MSG.integerMin(1) });
      assertError(refused(() => parse(spec, { limit: '101' })), { code: 'parameter_invalid_integer', param: 'limit', message: MSG.integerMax(100) });
    });

    it('an empty string for a boolean or integer that cannot be unset is refused', () => {
      assertError(refused(() => parse({ n: p.integer() }, { n: '' })), { code: 'parameter_invalid_empty', param: 'n', message: MSG.emptyString('n') });
    });
  });

  describe('arrays', () => {
    it('an array keeps its order', () => {
      assert.deepEqual(parse({ a: p.array(p.string()) }, { a: ['b', 'a'] }), { a: ['b', 'a'] });
    });

    it('an object with integer keys is read as an array in index order', () => {
      assert.deepEqual(parse({ a: p.array(p.string()) }, { a: { '10': 'c', '2': 'b', '0': 'a' } }), { a: ['a', 'b', 'c'] });
    });

    it('an object with other keys is not an array', () => {
      assertError(refused(() => parse({ a: p.array(p.string()) }, { a: { '0': 'x', b: 'y' } })), {
        code: 'parameter_invalid',
        param: 'a',
        message: MSG.invalidArray('a'),
      });
    });

    it('a plain string is not an array', () => {
      assertError(refused(() => parse({ a: p.array(p.string()) }, { a: 'x' })), { code: 'parameter_invalid', param: 'a', message: MSG.invalidArray('a') });
    });

    it('an array over its maximum is refused', () => {
      assertError(refused(() => parse({ a: p.array(p.string(), 2) }, { a: ['1', '2', '3'] })), {
        code: 'parameter_invalid',
        param: 'a',
        message: MSG.arrayTooLong('a', 2),
      });
    });

    it('a bad item is named with its index', () => {
      const e = refused(() => parse({ a: p.array(p.enum(['x', 'y'])) }, { a: ['x', 'z'] }));
      assert.equal(e.param, 'a[1]');
      assert.equal(e.message, MSG.invalidEnum('a[1]', ['x', 'y']));
    });
  });

  describe('objects', () => {
    const spec = { o: p.object({ a: p.string(), b: p.object({ c: p.boolean() }) }, { required: ['a'] }) };

    it('nested values are coerced', () => {
      assert.deepEqual(parse(spec, { o: { a: 'x', b: { c: 'true' } } }), { o: { a: 'x', b: { c: true } } });
    });

    it('an unknown top-level parameter is refused with parameter_unknown', () => {
      assertError(refused(() => parse(spec, { o: { a: 'x' }, bogus: '1' })), {
        code: 'parameter_unknown',
        param: 'bogus',
        message: MSG.unknownParam('bogus'),
      });
    });

    it('an unknown nested parameter is named in bracket form', () => {
      assertError(refused(() => parse(spec, { o: { a: 'x', b: { d: '1' } } })), {
        code: 'parameter_unknown',
        param: 'o[b][d]',
        message: MSG.unknownParam('o[b][d]'),
      });
    });

    it('unknown parameters named like Object.prototype members are refused too', () => {
      for (const k of ['constructor', 'toString', 'hasOwnProperty']) {
        const raw = parseForm(`o[a]=x&${k}=1`);
        assertError(refused(() => parse(spec, raw)), { code: 'parameter_unknown', param: k, message: MSG.unknownParam(k) });
      }
    });

    it('a missing required nested parameter is refused with parameter_missing', () => {
      assertError(refused(() => parse(spec, { o: { b: { c: 'true' } } })), {
        code: 'parameter_missing',
        param: 'o[a]',
        message: MSG.missingParam('o[a]'),
      });
    });

    it('no parameters at all is an empty result, a fresh object each time', () => {
      const a = parse({ expand: p.expand() }, {});
      assert.deepEqual(a, {});
      (a as Record<string, unknown>).expand = ['x'];
      assert.deepEqual(parse({ expand: p.expand() }, {}), {});
    });

    it('a missing required top-level parameter is refused', () => {
      assertError(refused(() => parse({ type: p.string() }, {}, ['type'])), {
        code: 'parameter_missing',
        param: 'type',
        message: MSG.missingParam('type'),
      });
    });

    it('a string where an object belongs is refused', () => {
      assertError(refused(() => parse(spec, { o: 'x' })), { code: 'parameter_invalid', param: 'o', message: MSG.invalidObject('o') });
    });

    it('an empty string unsets an emptyable object', () => {
      assert.deepEqual(parse({ o: p.object({ a: p.string() }, { emptyable: true }) }, { o: '' }), { o: null });
    });

    it('an empty string for an object that cannot be unset is refused', () => {
      assertError(refused(() => parse(spec, { o: '' })), { code: 'parameter_invalid_empty', param: 'o', message: MSG.emptyString('o') });
    });

    it('absent parameters are absent from the result', () => {
      assert.deepEqual(parse({ a: p.string(), b: p.boolean() }, { a: 'x' }), { a: 'x' });
    });
  });

  describe('metadata', () => {
    const spec = { metadata: p.metadata() };

    it('values are kept as strings and an empty value marks the key for removal', () => {
      assert.deepEqual(parse(spec, { metadata: { a: '1', b: '' } }), { metadata: { a: '1', b: null } });
    });

    it('metadata= unsets all of it', () => {
      assert.deepEqual(parse(spec, { metadata: '' }), { metadata: null });
    });

    it('50 keys are accepted and 51 refused with param metadata', () => {
      const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
      assert.equal(Object.keys(parse(spec, { metadata: many(50) }).metadata ?? {}).length, 50);
      assertError(refused(() => parse(spec, { metadata: many(51) })), { code: 'parameter_invalid', param: 'metadata', message: MSG.metadataTooManyKeys });
    });

    it('a key over 40 characters is refused, naming it', () => {
      const k = 'k'.repeat(41);
      assert.ok(parse(spec, { metadata: { ['k'.repeat(40)]: 'v' } }));
      assertError(refused(() => parse(spec, { metadata: { [k]: 'v' } })), {
        code: 'parameter_invalid',
        param: `metadata[${k}]`,
        message: MSG.metadataKeyTooLong(k),
      });
    });

    it('a key with square brackets is refused', () => {
      assertError(refused(() => parse(spec, { metadata: { 'a[b': 'v' } })), {
        code: 'parameter_invalid',
        param: 'metadata[a[b]',
        message: MSG.metadataKeyBrackets('a[b'),
      });
    });

    it('a value over 500 characters is refused, naming its key', () => {
      assert.ok(parse(spec, { metadata: { k: 'v'.repeat(500) } }));
      assertError(refused(() => parse(spec, { metadata: { k: 'v'.repeat(501) } })), {
        code: 'parameter_invalid',
        param: 'metadata[k]',
        message: MSG.metadataValueTooLong('k'),
      });
    });

    it('a nested value is refused as not a string', () => {
      assertError(refused(() => parse(spec, { metadata: { k: { x: 'y' } } })), {
        code: 'parameter_invalid',
        param: 'metadata[k]',
        message: MSG.metadataValueNotString('k'),
      });
    });

    it('metadata must be a hash', () => {
      assertError(refused(() => parse(spec, { metadata: 'x' })), { code: 'parameter_invalid', param: 'metadata', message: MSG.invalidObject('metadata') });
    });
  });

  describe('created ranges', () => {
    const spec = { created: p.range() };

    it('a bare integer is an exact match', () => {
      assert.deepEqual(parse(spec, { created: '1700000000' }), { created: { eq: 1700000000 } });
    });

    it('gt, gte, lt and lte become bounds', () => {
      assert.deepEqual(parse(spec, { created: { gt: '1', gte: '2', lt: '9', lte: '8' } }), { created: { gt: 1, gte: 2, lt: 9, lte: 8 } });
    });

    it('another operator is an unknown parameter', () => {
      assertError(refused(() => parse(spec, { created: { eq: '1' } })), {
        code: 'parameter_unknown',
        param: 'created[eq]',
        message: MSG.unknownParam('created[eq]'),
      });
    });

    it('a bound that is not an integer is refused, naming it', () => {
      assertError(refused(() => parse(spec, { created: { gte: 'soon' } })), {
        code: 'parameter_invalid_integer',
        param: 'created[gte]',
        message: MSG.invalidInteger('soon'),
      });
    });
  });
});
