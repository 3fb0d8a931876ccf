// The benchmark's webhook receiver, run as its own process so that it does not share an event loop with
// Verity or with the load generator. It answers every POST with 200 at once, verifies the signature with
// stripe-node's constructEvent, and keeps (event id, type, session id, arrival time) per delivery.
//   POST /secret   body = the endpoint's whsec_… secret (set before events flow)
//   GET  /stats    the deliveries so far: { bad, connections, rows: [[eventId, type, sessionId, arrivalMs], …] }
//   POST /reset    forgets the deliveries so far
// Arrival times are wall-clock milliseconds with sub-millisecond precision (timeOrigin + now), comparable
// with the load generator's.
import http from 'node:http';
import Stripe from 'stripe';

const port = Number(process.env.PORT);
let secret = '';
let rows: [string, string, string, number][] = [];
let bad = 0;
let connections = 0;
const now = () => performance.timeOrigin + performance.now();

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = now();
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'POST' && req.url === '/hooks') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
      try {
        const e = Stripe.webhooks.constructEvent(body, String(req.headers['stripe-signature'] ?? ''), secret);
        rows.push([e.id, e.type, (e.data.object as { id: string }).id, at]);
      } catch {
        bad++;
      }
      return;
    }
    if (req.method === 'POST' && req.url === '/secret') {
      secret = body.trim();
      return void res.writeHead(204).end();
    }
    if (req.method === 'POST' && req.url === '/reset') {
      rows = [];
      bad = 0;
      connections = 0;
      return void res.writeHead(204).end();
    }
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bad, connections, rows }));
      return;
    }
    if (req.method === 'GET' && req.url === '/count') return void res.writeHead(200).end(String(rows.length));
    res.writeHead(404).end();
  });
});
server.on('connection', () => connections++);
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
