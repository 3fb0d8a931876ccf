// `expand[]`: id fields become objects, includable fields appear. Paths are dotted, at most four levels; on
// lists every path starts with `data.`. Each resource declares the paths it accepts.
import { MSG, StripeError } from './errors.js';

const MAX_DEPTH = 4;

/** Validates expand paths against the accepted set; returns them normalised, with implied parents added. */
export function parseExpand(paths: readonly string[] | null | undefined, accepted: ReadonlySet<string>, list = false): Set<string> {
  const out = new Set<string>();
  for (const raw of paths ?? []) {
    if (raw.split('.').length > MAX_DEPTH) throw new StripeError({ status: 400, param: 'expand', message: MSG.expandTooDeep(raw) });
    let path = raw;
    if (list) {
      if (!path.startsWith('data.')) throw new StripeError({ status: 400, param: 'expand', message: MSG.expandUnknown(raw) });
      path = path.slice(5);
    }
    if (!accepted.has(path)) throw new StripeError({ status: 400, param: 'expand', message: MSG.expandUnknown(raw) });
    const parts = path.split('.');
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join('.'));
  }
  return out;
}

/** The sub-fields asked for under a prefix: children(set, 'verified_outputs') → {'dob', …}. */
export function children(expand: ReadonlySet<string>, prefix: string): Set<string> {
  const out = new Set<string>();
  const p = prefix + '.';
  for (const e of expand) if (e.startsWith(p) && !e.slice(p.length).includes('.')) out.add(e.slice(p.length));
  return out;
}
