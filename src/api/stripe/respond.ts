// An API response with its headers exactly as c.body() with @hono/node-server would write them (names
// lower-cased and sorted, values trimmed of HTTP whitespace, then Content-Length), but handed over as a plain
// record: c.body() builds a Headers object and the adapter turns it back into a record, which with Stripe's
// dozen headers costs as much as the database read of a retrieve. The fixed headers are put in that form
// once. A response's own headers nearly always have the same few names (Request-Id and Stripe-Version), so
// for each such list of names the merged record is built by a function compiled once: an object literal
// with the fixed values in place, a dozen times cheaper than merging and adding the names one by one.

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
  return byName(headers, trimHttp);
}

/** Headers lower-cased and sorted by name, one entry per name (the last one's), values as `valueOf` gives them. */
function byName(headers: Record<string, string>, valueOf: (v: string) => string): WrittenHeaders {
  const out: [string, string][] = [];
  for (const k in headers) {
    const name = k.toLowerCase();
    const value = valueOf(headers[k]);
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

type Overlay = (extra: Record<string, string>, length: string | undefined) => Record<string, string>;

// Per fixed header set, per list of own header names in the order given (joined by newlines, which no
// header name holds). Bounded: the names come from the code, so a handful at most.
const overlays = new WeakMap<WrittenHeaders, Map<string, Overlay>>();
const MAX_OVERLAYS = 100;

/** The header record respond() hands over, in the order it is written. */
export function responseHeaders(method: string, body: string, base: WrittenHeaders, extra: Record<string, string>): Record<string, string> {
  let names = '';
  for (const k in extra) names += `${k}\n`;
  let byNames = overlays.get(base);
  if (!byNames) overlays.set(base, (byNames = new Map()));
  let overlay = byNames.get(names);
  if (!overlay) {
    if (byNames.size >= MAX_OVERLAYS) byNames.clear();
    overlay = compileOverlay(base, Object.keys(extra));
    byNames.set(names, overlay);
  }
  // A HEAD answer (the GET route's, body dropped by Hono) carries no length, as before.
  return overlay(extra, method === 'HEAD' ? undefined : String(Buffer.byteLength(body)));
}

/** responseHeaders for own headers named `keys`, as one object literal; mergedHeaders says what it holds. */
function compileOverlay(base: WrittenHeaders, keys: string[]): Overlay {
  // Placeholders stand for the values: each is the key whose value goes there.
  const merged = mergedHeaders(base, Object.fromEntries(keys.map((k) => [k, k])));
  const fields = merged.map(([name, v, own]) => `${JSON.stringify(name)}: ${own ? `trim(e[${JSON.stringify(v)}])` : JSON.stringify(v)}`);
  return new Function('trim', `return (e, length) => { const o = { ${fields.join(', ')} }; if (length !== undefined) o['Content-Length'] = length; return o; };`)(
    trimHttp,
  ) as Overlay;
}

/**
 * The fixed headers merged with placeholders for the response's own (each the key its value will come from),
 * in written order: [name, fixed value or placeholder, whether it is an own header].
 */
function mergedHeaders(base: WrittenHeaders, placeholders: Record<string, string>): [string, string, boolean][] {
  const own = byName(placeholders, (v) => v);
  const out: [string, string, boolean][] = [];
  let i = 0;
  let j = 0;
  while (i < base.length || j < own.length) {
    if (j === own.length || (i < base.length && base[i][0] < own[j][0])) {
      out.push([base[i][0], base[i][1], false]);
      i++;
    } else {
      // Equal names: the response's own value replaces the fixed one.
      if (i < base.length && base[i][0] === own[j][0]) i++;
      out.push([own[j][0], own[j][1], true]);
      j++;
    }
  }
  return out;
}
