import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { HttpPoster, targetOf } from './http-post.js';
import { TEST_CERT, TEST_KEY } from './test-tls.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local server that records each request and its connection count, answering as `answer` says. */
async function server(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_, res) => res.writeHead(200).end('ok'), secure = false) {
  const seen: Seen[] = [];
  let connections = 0;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(req, res);
    });
  };
  const s = secure ? https.createServer({ cert: TEST_CERT, key: TEST_KEY }, handler) : http.createServer(handler);
  s.on(secure ? 'secureConnection' : 'connection', () => connections++);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  return {
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}/hooks?x=1`,
    seen,
    connections: () => connections,
    server: s,
    close: () => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r()))),
  };
}

const body = Buffer.from('{"id":"evt_1","note":"é"}', 'utf8');

describe('webhook HTTP client', () => {
  const poster = new HttpPoster();
  after(() => poster.close());

  it('sends the request line, Host, the given headers, Content-Length and the body intact', async () => {
    const s = await server();
    try {
      assert.equal(await poster.post(targetOf(s.url), 'X-One: 1\r\nStripe-Signature: t=1,v1=ab\r\n', body, 2000), 200);
      const [r] = s.seen;
      assert.equal(r.method, 'POST');
      assert.equal(r.url, '/hooks?x=1');
      assert.equal(r.headers.host, new URL(s.url).host);
      assert.equal(r.headers['x-one'], '1');
      assert.equal(r.headers['stripe-signature'], 't=1,v1=ab');
      assert.equal(r.headers['content-length'], String(body.length));
      assert.equal(r.body, body.toString('utf8'));
    } finally {
      await s.close();
    }
  });

  it('carries consecutive requests to one origin over one kept-alive connection', async () => {
    const s = await server();
    try {
      for (let i = 0; i < 5; i++) assert.equal(await poster.post(targetOf(s.url), '', body, 2000), 200);
      assert.equal(s.connections(), 1);
    } finally {
      await s.close();
    }
  });

  it('reuses a connection after a chunked response', async () => {
    const s = await server((_, res) => {
      res.writeHead(503, { 'transfer-encoding': 'chunked' });
      res.write('busy, ');
      res.end('try later');
    });
    try {
      assert.equal(await poster.post(targetOf(s.url), '', body, 2000), 503);
      assert.equal(await poster.post(targetOf(s.url), '', body, 2000), 503);
      assert.equal(s.connections(), 1);
    } finally {
      await s.close();
    }
  });

  it('opens a new connection when the server said it would close the last one', async () => {
    const s = await server((_, res) => res.writeHead(200, { connection: 'close' }).end('ok'));
    try {
      assert.equal(await poster.post(targetOf(s.url), '', body, 2000), 200);
      assert.equal(await poster.post(targetOf(s.url), '', body, 2000), 200);
      assert.equal(s.connections(), 2);
    } finally {
      await s.close();
    }
  });

  it('drops an idle connection the server closed and delivers the next request on a new one', async () => {
    const s = await server();
    try {
      assert.equal(await poster.post(targetOf(s.url), '', body, 2000), 200);
      s.server.closeIdleConnections();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(await poster.post(targetOf(s.url), '', body, 2000), 200);
      assert.equal(s.connections(), 2);
    } finally {
      await s.close();
    }
  });

  it('sends once more over a new connection when a kept-alive one closes without answering', async () => {
    // Each connection answers its first request and drops the second unanswered, as a server does when its
    // idle timeout closes a connection just as a request arrives on it.
    let connections = 0;
    const requests: string[] = [];
    const s = net.createServer((socket) => {
      connections++;
      let served = 0;
      let buffered = '';
      socket.on('data', (d) => {
        buffered += d.toString('latin1');
        const end = buffered.indexOf('\r\n\r\n');
        const length = Number(/content-length: (\d+)/i.exec(buffered)?.[1]);
        if (end < 0 || buffered.length < end + 4 + length) return;
        requests.push(buffered);
        buffered = '';
        if (served++ === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
        else socket.destroy();
      });
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(s.address() as net.AddressInfo).port}/`;
    try {
      assert.equal(await poster.post(targetOf(url), '', body, 2000), 200);
      assert.equal(await poster.post(targetOf(url), '', body, 2000), 200);
      assert.equal(connections, 2);
      assert.equal(requests.length, 3);
    } finally {
      poster.close();
      await new Promise((r) => s.close(r));
    }
  });

  it('rejects with the timeout when no response comes in time', async () => {
    const s = await server(() => {});
    try {
      await assert.rejects(poster.post(targetOf(s.url), '', body, 150), /timed out after 150 ms/);
    } finally {
      await s.close();
    }
  });

  it('resolves with the status when the connection breaks after it, mid-body', async () => {
    const s = await server((_, res) => {
      res.writeHead(502, { 'content-length': '100' });
      res.write('partial', () => res.socket?.destroy());
    });
    try {
      assert.equal(await poster.post(targetOf(s.url), '', body, 2000), 502);
    } finally {
      await s.close();
    }
  });

  it('rejects with a socket hang up when the server closes without answering', async () => {
    const s = await server((_, res) => res.socket?.destroy());
    try {
      await assert.rejects(poster.post(targetOf(s.url), '', body, 2000), /socket hang up|ECONNRESET/);
    } finally {
      await s.close();
    }
  });

  it('rejects with ECONNREFUSED when nothing listens', async () => {
    const s = await server();
    const url = s.url;
    await s.close();
    await assert.rejects(poster.post(targetOf(url), '', body, 2000), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
  });

  it('posts over TLS to a server whose certificate it trusts', async () => {
    const s = await server(undefined, true);
    const trusting = new HttpPoster({ tls: { ca: TEST_CERT } });
    try {
      assert.equal(await trusting.post(targetOf(s.url), '', body, 2000), 200);
      assert.equal(s.seen[0].body, body.toString('utf8'));
    } finally {
      trusting.close();
      await s.close();
    }
  });

  it('refuses a TLS server whose certificate is not trusted', async () => {
    const s = await server(undefined, true);
    try {
      await assert.rejects(poster.post(targetOf(s.url), '', body, 2000), /self[- ]signed|certificate/i);
      assert.equal(s.seen.length, 0);
    } finally {
      await s.close();
    }
  });

  it('refuses a URL that is not http or https', () => {
    assert.throws(() => targetOf('ftp://example.com/x'), /unsupported protocol ftp:/);
  });
});
