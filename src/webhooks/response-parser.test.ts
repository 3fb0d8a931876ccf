import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseParser } from './response-parser.js';

/** Feeds the text in pieces of `size` bytes; the index of the piece that ended the response, or -1. */
function feed(p: ResponseParser, text: string, size = Infinity): number {
  const bytes = Buffer.from(text, 'latin1');
  for (let i = 0, n = 0; i < bytes.length; i += size, n++) if (p.feed(bytes.subarray(i, Math.min(bytes.length, i + size)))) return n;
  return -1;
}

describe('webhook response parser', () => {
  it('ends a Content-Length response after exactly that many body bytes, however they arrive', () => {
    for (const size of [1, 3, 7, 1000]) {
      const p = new ResponseParser();
      const text = 'HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n{"received":true}';
      assert.equal(feed(p, text, size), Math.ceil(text.length / size) - 1, `in pieces of ${size}`);
      assert.equal(p.status, 200);
      assert.equal(p.keepAlive, true);
      assert.equal(p.surplus, false);
    }
  });

  it('ends a chunked response after its last chunk and trailers, fed byte by byte', () => {
    const p = new ResponseParser();
    const text = 'HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: y\r\n\r\n';
    assert.equal(feed(p, text, 1), text.length - 1);
    assert.equal(p.status, 500);
    assert.equal(p.keepAlive, true);
  });

  it('does not end a chunked response before the blank line after its last chunk', () => {
    const p = new ResponseParser();
    assert.equal(feed(p, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n'), -1);
    assert.equal(p.feed(Buffer.from('\r\n')), true);
  });

  it('passes over an interim 100 Continue to the final status', () => {
    const p = new ResponseParser();
    assert.equal(feed(p, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'), 0);
    assert.equal(p.status, 204);
  });

  it('does not keep a connection the server says it will close', () => {
    const p = new ResponseParser();
    feed(p, 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    assert.equal(p.keepAlive, false);
  });

  it('does not keep an HTTP/1.0 connection unless the server asks to', () => {
    const plain = new ResponseParser();
    feed(plain, 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.equal(plain.keepAlive, false);
    const kept = new ResponseParser();
    feed(kept, 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n');
    assert.equal(kept.keepAlive, true);
  });

  it('reads a response with no length until the connection closes', () => {
    const p = new ResponseParser();
    assert.equal(feed(p, 'HTTP/1.1 200 OK\r\n\r\nsome body'), -1);
    assert.equal(p.status, 200);
    assert.equal(p.endsAtClose(), true);
    assert.equal(p.keepAlive, false);
  });

  it('marks bytes after the end of the response as surplus', () => {
    const p = new ResponseParser();
    assert.equal(feed(p, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'), 0);
    assert.equal(p.surplus, true);
  });

  it('refuses a status line that is not HTTP/1.x', () => {
    assert.throws(() => feed(new ResponseParser(), 'SSH-2.0-OpenSSH_9.6\r\n\r\n'), /malformed response/);
  });

  it('refuses two different Content-Lengths', () => {
    assert.throws(() => feed(new ResponseParser(), 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n'), /Content-Length/);
  });
});
