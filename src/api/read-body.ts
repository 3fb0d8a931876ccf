// Reading a request body under a size cap, shared by the Stripe API and the hosted page's API: a declared
// Content-Length over the cap fails before anything is read, and an undeclared (chunked) body fails as soon
// as the bytes read pass it, so nothing is buffered beyond the cap. Each caller brings its own error
// vocabulary through the two error factories.

export interface BodyErrors {
  tooLarge(): Error;
  /** The client went away mid-body: a client mistake, never a 500. */
  incomplete(): Error;
}

export async function readCapped(req: Request, limit: number, errors: BodyErrors): Promise<Buffer> {
  const len = req.headers.get('content-length');
  if (len !== null && Number(len) > limit) throw errors.tooLarge();
  if (len !== null && /^\d+$/.test(len)) {
    // A declared length within the cap bounds the body (the HTTP parser stops there), so it can be read whole:
    // arrayBuffer() lets @hono/node-server read the socket directly, where .body would first build a web
    // stream around it (a fifth of the cost of a create).
    const buf = await req.arrayBuffer().catch(() => {
      throw errors.incomplete();
    });
    return Buffer.from(buf);
  }
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      throw errors.incomplete();
    });
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw errors.tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
