import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { sha256Hex } from './digest.js';

describe('sha256Hex', () => {
  it('is the SHA-256 of the UTF-8 text, in lower-case hex', () => {
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (const text of ['sk_test_abc', 'ü€𝄞 and \u0000', 'x'.repeat(5000)])
      assert.equal(sha256Hex(text), crypto.createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'), text.slice(0, 20));
  });
});
