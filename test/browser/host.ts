// A stand-in for the integrator's own site: a second HTTP server on 127.0.0.1 with another port, so another
// origin than Verity's. It serves whatever page the test sets, a return_url landing page, and a "look-alike"
// frame that posts Verity-shaped messages to its parent from the wrong origin.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Host {
  origin: string;
  /** The page served at `/`. */
  html: string;
  close(): Promise<void>;
}

const LOOKALIKE = `<!doctype html><html lang="en"><head><title>Other frame</title></head><body><p>other</p><script>
  const id = new URLSearchParams(location.search).get('session') || 'vs_fake';
  for (const type of ['verity:complete', 'verity:close', 'verity:error', 'verity:escape', 'verity:loaded', 'verity:submitted', 'complete', 'close']) {
    parent.postMessage({ type, session: id, code: 'lookalike' }, '*');
  }
  document.title = 'sent';
</script></body></html>`;

export async function startHost(): Promise<Host> {
  const host: Host = { origin: '', html: '<!doctype html><title>host</title>', close: async () => {} };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    if (url.pathname === '/') return res.end(host.html);
    if (url.pathname === '/lookalike') return res.end(LOOKALIKE);
    if (url.pathname.startsWith('/return')) return res.end('<!doctype html><html lang="en"><title>Returned</title><h1>Back at the shop</h1></html>');
    res.statusCode = 404;
    res.end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  host.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return host;
}

/**
 * The integrator's page: a button that opens the modal with the client secret the test hands it, and the
 * promise's result written to #result (and window.__result). The secret is in the page, never in a URL.
 */
export function modalPage(verityUrl: string, clientSecret: string, publishableKey: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop checkout</title>
<script src="${verityUrl}/js/verity.js"></script></head>
<body><h1>Checkout</h1><button id="open" type="button">Verify my identity</button><pre id="result"></pre>
<script>
  window.__result = undefined;
  document.getElementById('open').addEventListener('click', async () => {
    const g = window.Verity;
    const api = typeof g === 'function' ? g(${JSON.stringify(publishableKey)}) : g;
    try {
      const r = await api.verifyIdentity(${JSON.stringify(clientSecret)});
      window.__result = r;
    } catch (e) {
      window.__result = { thrown: String(e) };
    }
    document.getElementById('result').textContent = JSON.stringify(window.__result);
  });
</script></body></html>`;
}
