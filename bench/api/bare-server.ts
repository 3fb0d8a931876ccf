// The baseline for `npm run bench`: a bare server on the same HTTP framework as Verity (Hono +
// @hono/node-server) that answers GET /v1/identity/verification_sessions/:id with a fixed session JSON.
// No auth, no database, no parsing: what the framework alone costs. Run as a child process; PORT from env.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

// A session as Verity presents it right after create (same fields, same order, similar sizes).
const SESSION = {
  id: 'vs_1BenchBareBaselineXyZ0a1',
  object: 'identity.verification_session',
  client_reference_id: 'user_4242',
  client_secret: 'vs_1BenchBareBaselineXyZ0a1_secret_test_AbCdEfGhIjKlMnOpQrStUvWx',
  created: 1764108000,
  last_error: null,
  last_verification_report: null,
  livemode: false,
  metadata: { order_id: 'ord_4242' },
  options: { document: { allowed_types: ['driving_license', 'passport'], require_matching_selfie: true } },
  provided_details: null,
  redaction: null,
  related_customer: null,
  related_customer_account: null,
  status: 'requires_input',
  type: 'document',
  url: 'http://127.0.0.1:4242/verify/test_AbCdEfGhIjKlMnOpQrStUvWxYz012345',
};

const app = new Hono();
app.get('/v1/identity/verification_sessions/:id', (c) => c.json({ ...SESSION, id: c.req.param('id') }));
app.get('/healthz', (c) => c.json({ status: 'ok' }));

const port = Number(process.env.PORT ?? 0);
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
// An orderly exit on either signal, so that a child run with --cpu-prof writes its profile.
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
