// An API response with its headers exactly as c.body() with @hono/node-server would write them (names
// lower-cased and sorted, values trimmed of HTTP whitespace, then Content-Length), but handed over as a plain
// record: c.body() builds a Headers object and the adapter turns it back into a record, which with Stripe's
// dozen headers costs as much as the database read of a retrieve. The fixed headers are put in that form
// once; a request only sorts its own few and merges them in.

/** Headers in written form: [lower-cased name, trimmed value], sorted by name, one entry per name. */
export type WrittenHeaders = readonly (readonly [string, string])[];

const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

const isHttpSpace = (c: number): boolean => c === 9 || c === 10 || c === 13 || c === 32;

function trimHttp(v: string): string {
  if (v === '' || (!isHttpSpace(v.charCodeAt(0)) && !isHttpSpace(v.charCodeAt(v.length - 1)))) return v;
  return v.replace(HTTP_WHITESPACE, '');
}

/** Headers in written form; of names equal once lower-cased, the last one's value stands (as with Headers). */
export function writtenHeaders(headers: Record<string, string>): WrittenHeaders {
  const out: [string, string][] = [];
  for (const k in headers) {
    const name = k.toLowerCase();
    const value = trimHttp(headers[k]);
    // Sorted by insertion: a response has only a few headers of its own.
    let i = out.length;
    while (i > 0 && out[i - 1][0] > name) i--;
    if (i > 0 && out[i - 1][0] === name) out[i - 1] = [name, value];
    else out.splice(i, 0, [name, value]);
  }
  return out;
}

/** The response for `base` (headers written once) overlaid with `extra` (this response's own headers). */
export function respond(method: string, status: number, body: string, base: WrittenHeaders, extra: Record<string, string>): Response {
  return new Response(body, { status, headers: responseHeaders(method, body, base, extra) });
}

/** The header record respond() hands over, in the order it is written. */
export function responseHeaders(method: string, body: string, base: WrittenHeaders, extra: Record<string, string>): Record<string, string> {
  const own = writtenHeaders(extra);
  const out: Record<string, string> = {};
  let i = 0;
  let j = 0;
  while (i < base.length || j < own.length) {
    if (j === own.length || (i < base.length && base[i][0] < own[j][0])) {
      out[base[i][0]] = base[i][1];
      i++;
    } else {
      // Equal names: the response's own value replaces the fixed one.
      if (i < base.length && base[i][0] === own[j][0]) i++;
      out[own[j][0]] = own[j][1];
      j++;
    }
  }
  // A HEAD answer (the GET route's, body dropped by Hono) carries no length, as before.
  if (method !== 'HEAD') out['Content-Length'] = String(Buffer.byteLength(body));
  return out;
}
