// Stripe's form parameters: Rack-style brackets (`a[b][c]`, `a[]`, `a[0]`), query and body pooled, every
// value a string until the endpoint's spec coerces it. An empty string means "unset" where the parameter
// allows it. Validation produces Stripe's exact errors, with `param` in bracket form.
import qs from 'qs';
import { MSG, StripeError, errors } from './errors.js';

const QS_OPTIONS = {
  depth: 8,
  arrayLimit: 100,
  parameterLimit: 1000,
  throwOnLimitExceeded: true,
  allowPrototypes: false,
  // Null-prototype objects: keys such as `metadata[constructor]` or `toString` are kept (and then validated)
  // instead of being dropped silently; `__proto__` is still discarded.
  plainObjects: true,
  // `a[0]=x` and `a[]=x` both become arrays; sparse indexes are compacted as Rack does.
  allowSparse: false,
  strictDepth: true,
  charsetSentinel: false,
} as const;

export type Raw = string | Raw[] | { [k: string]: Raw } | undefined;

export function parseForm(text: string): Record<string, Raw> {
  if (text === '') return {};
  try {
    const out = qs.parse(text, QS_OPTIONS) as Record<string, Raw>;
    return out;
  } catch (e) {
    if (e instanceof RangeError) throw new StripeError({ status: 400, message: MSG.tooManyParams });
    throw new StripeError({ status: 400, message: MSG.malformedBody });
  }
}

/** Pools query and body parameters; a body value wins over a query value of the same name. */
export function mergeParams(query: Record<string, Raw>, body: Record<string, Raw>): Record<string, Raw> {
  return { ...query, ...body };
}

// ---- the spec language ---------------------------------------------------------------------------

export type Spec =
  | { t: 'string'; max?: number; enum?: readonly string[]; emptyable?: boolean }
  | { t: 'boolean'; emptyable?: boolean }
  | { t: 'integer'; min?: number; max?: number; emptyable?: boolean }
  | { t: 'object'; props: Record<string, Spec>; required?: readonly string[]; emptyable?: boolean }
  | { t: 'array'; of: Spec; max?: number; emptyable?: boolean }
  | { t: 'metadata'; emptyable?: boolean }
  | { t: 'range' }; // Stripe's `created`: an integer, or {gt,gte,lt,lte}

type Nullable<S, T> = S extends { emptyable: true } ? T | null : T;
export type Infer<S extends Spec> = S extends { t: 'string' }
  ? Nullable<S, S extends { enum: readonly (infer E)[] } ? E : string>
  : S extends { t: 'boolean' }
    ? Nullable<S, boolean>
    : S extends { t: 'integer' }
      ? Nullable<S, number>
      : S extends { t: 'array'; of: infer O extends Spec }
        ? Nullable<S, Infer<O>[]>
        : S extends { t: 'metadata' }
          ? Nullable<S, Record<string, string | null>>
          : S extends { t: 'range' }
            ? RangeFilter
            : S extends { t: 'object'; props: infer P extends Record<string, Spec> }
              ? Nullable<S, { [K in keyof P]?: Infer<P[K]> }>
              : never;

export interface RangeFilter {
  eq?: number;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

// Small builders so endpoint files read like Stripe's reference.
export const p = {
  string: <const O extends { max?: number; emptyable?: boolean }>(o?: O) => ({ t: 'string', max: 5000, ...o }) as { t: 'string' } & O,
  enum: <const E extends readonly string[], const O extends { emptyable?: boolean } = {}>(values: E, o?: O) =>
    ({ t: 'string', enum: values, ...o }) as { t: 'string'; enum: E } & O,
  boolean: () => ({ t: 'boolean' }) as const,
  integer: <const O extends { min?: number; max?: number }>(o?: O) => ({ t: 'integer', ...o }) as { t: 'integer' } & O,
  object: <const P extends Record<string, Spec>, const O extends { required?: readonly string[]; emptyable?: boolean } = {}>(
    props: P,
    o?: O,
  ) => ({ t: 'object', props, ...o }) as { t: 'object'; props: P } & O,
  array: <const S extends Spec>(of: S, max = 100) => ({ t: 'array', of, max }) as { t: 'array'; of: S; max: number },
  metadata: () => ({ t: 'metadata', emptyable: true }) as const,
  range: () => ({ t: 'range' }) as const,
  expand: () => ({ t: 'array', of: { t: 'string', max: 5000 }, max: 100 }) as const,
};

const MAX_METADATA_KEYS = 50;
const MAX_METADATA_KEY = 40;
const MAX_METADATA_VALUE = 500;

/** Validates and coerces the pooled parameters against an endpoint's top-level spec. */
export function parseParams<P extends Record<string, Spec>>(
  props: P,
  raw: Record<string, Raw>,
  required: readonly string[] = [],
): { [K in keyof P]?: Infer<P[K]> } {
  // No parameters and none required (most reads): nothing to check, and nothing to build the spec's walk for.
  if (required.length === 0 && isEmpty(raw)) return {};
  return coerce({ t: 'object', props, required }, raw, '') as { [K in keyof P]?: Infer<P[K]> };
}

function isEmpty(o: Record<string, Raw>): boolean {
  for (const _ in o) return false;
  return true;
}

function name(path: string, key: string): string {
  return path === '' ? key : `${path}[${key}]`;
}

function coerce(spec: Spec, v: Raw, path: string): unknown {
  if (v === '' && spec.t !== 'string') {
    if ('emptyable' in spec && spec.emptyable) return null;
    throw new StripeError({ status: 400, code: 'parameter_invalid_empty', param: path, message: MSG.emptyString(path) });
  }
  switch (spec.t) {
    case 'string': {
      if (typeof v !== 'string') throw errors.invalid(path, MSG.notAString(path), 'parameter_invalid_string');
      if (v === '') {
        if (spec.emptyable) return null;
        throw new StripeError({ status: 400, code: 'parameter_invalid_empty', param: path, message: MSG.emptyString(path) });
      }
      if (spec.enum && !spec.enum.includes(v)) throw errors.invalid(path, MSG.invalidEnum(path, spec.enum));
      if (spec.max !== undefined && v.length > spec.max)
        throw errors.invalid(path, MSG.invalidString(spec.max), 'parameter_invalid_string');
      // Strings end up in text columns and queries, and PostgreSQL text cannot hold NUL.
      if (v.includes('\0')) throw errors.invalid(path, MSG.stringHasNul, 'parameter_invalid_string');
      return v;
    }
    case 'boolean': {
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw errors.invalid(path, MSG.invalidBoolean(typeof v === 'string' ? v.slice(0, 100) : typeof v));
    }
    case 'integer': {
      if (typeof v !== 'string' || !/^-?\d{1,15}$/.test(v))
        throw errors.invalid(path, MSG.invalidInteger(typeof v === 'string' ? v.slice(0, 100) : typeof v), 'parameter_invalid_integer');
      const n = Number(v);
      if (spec.min !== undefined && n < spec.min) throw errors.invalid(path, MSG.integerMin(spec.min), 'parameter_invalid_integer');
      if (spec.max !== undefined && n > spec.max) throw errors.invalid(path, MSG.integerMax(spec.max), 'parameter_invalid_integer');
      return n;
    }
    case 'range': {
      if (typeof v === 'string') return { eq: coerce({ t: 'integer' }, v, path) };
      const out: Record<string, number> = {};
      for (const [k, sub] of entries(v, path)) {
        if (k !== 'gt' && k !== 'gte' && k !== 'lt' && k !== 'lte') throw errors.unknownParam(name(path, k));
        out[k] = coerce({ t: 'integer' }, sub, name(path, k)) as number;
      }
      return out;
    }
    case 'array': {
      let items: Raw[];
      if (Array.isArray(v)) items = v;
      else if (v && typeof v === 'object') {
        // qs leaves `a[5]=x` (alone) or out-of-order indexes as an object; accept integer keys in order.
        const keys = Object.keys(v);
        if (!keys.every((k) => /^\d+$/.test(k))) throw errors.invalid(path, MSG.invalidArray(path));
        items = keys.sort((a, b) => Number(a) - Number(b)).map((k) => (v as Record<string, Raw>)[k]);
      } else throw errors.invalid(path, MSG.invalidArray(path));
      if (spec.max !== undefined && items.length > spec.max) throw errors.invalid(path, MSG.arrayTooLong(path, spec.max));
      return items.map((item, i) => coerce(spec.of, item, `${path}[${i}]`));
    }
    case 'metadata': {
      const out: Record<string, string | null> = {};
      const list = entries(v, path);
      if (list.length > MAX_METADATA_KEYS)
        throw errors.invalid(path, MSG.metadataTooManyKeys);
      for (const [k, val] of list) {
        const param = name(path, k);
        if (k.length > MAX_METADATA_KEY) throw errors.invalid(param, MSG.metadataKeyTooLong(k));
        if (k.includes('[') || k.includes(']')) throw errors.invalid(param, MSG.metadataKeyBrackets(k));
        if (typeof val !== 'string') throw errors.invalid(param, MSG.metadataValueNotString(k));
        if (val.length > MAX_METADATA_VALUE) throw errors.invalid(param, MSG.metadataValueTooLong(k));
        out[k] = val === '' ? null : val;
      }
      return out;
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const obj = Object.fromEntries(entries(v, path));
      for (const k of Object.keys(obj)) {
        if (!Object.hasOwn(spec.props, k)) throw errors.unknownParam(name(path, k));
      }
      for (const r of spec.required ?? []) {
        if (obj[r] === undefined) throw errors.missingParam(name(path, r));
      }
      for (const [k, sub] of Object.entries(spec.props)) {
        if (obj[k] !== undefined) out[k] = coerce(sub, obj[k], name(path, k));
      }
      return out;
    }
  }
}

function entries(v: Raw, path: string): [string, Raw][] {
  if (v === undefined) return [];
  if (typeof v !== 'object') throw errors.invalid(path, MSG.invalidObject(path));
  if (Array.isArray(v)) return v.map((x, i) => [String(i), x]);
  return Object.entries(v);
}
