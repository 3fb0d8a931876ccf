// A local webhook receiver for tests and benchmarks: records every request and answers with whatever the
// test decides (a status, a delay, a dropped connection).
import http from 'node:http';

export interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Behaviour = (r: Received) => { status?: number; delayMs?: number; destroy?: boolean; headers?: Record<string, string> };

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  behave(b: Behaviour): void;
  close(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const received: Received[] = [];
  let behaviour: Behaviour = () => ({ status: 200 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      const b = behaviour(r);
      const reply = () => {
        if (b.destroy) return req.socket.destroy();
        res.writeHead(b.status ?? 200, { 'content-type': 'application/json', ...b.headers });
        res.end('{"received":true}');
      };
      if (b.delayMs) setTimeout(reply, b.delayMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}/hooks`,
    port: addr.port,
    received,
    behave: (b) => {
      behaviour = b;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
