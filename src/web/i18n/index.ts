// Locale selection and string lookup for the hosted page. Order: an explicit `?locale=` (the integrator or
// the modal script chose it), then the browser's Accept-Language, then English.
import { ar } from './ar.js';
import { en, type Strings } from './en.js';
import { fr } from './fr.js';

export type { Strings };
export type Locale = 'en' | 'fr' | 'ar';

const TABLES: Record<Locale, Strings> = { en, fr, ar };
const RTL: ReadonlySet<Locale> = new Set(['ar']);

export function strings(locale: Locale): Strings {
  return TABLES[locale];
}

export function direction(locale: Locale): 'ltr' | 'rtl' {
  return RTL.has(locale) ? 'rtl' : 'ltr';
}

/** The supported locale for a tag like "fr-CA" or "AR", or null. */
function supported(tag: string): Locale | null {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  return primary in TABLES ? (primary as Locale) : null;
}

/** Picks the page language from `?locale=` then Accept-Language (q-values honoured, ties keep header order). */
export function pickLocale(query: string | undefined | null, acceptLanguage: string | undefined | null): Locale {
  if (query) {
    const q = supported(query);
    if (q) return q;
  }
  if (acceptLanguage) {
    const ranked = acceptLanguage
      .split(',')
      .map((part, i) => {
        const [tag, ...params] = part.trim().split(';');
        const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
        const weight = qp ? Number(qp.slice(2)) : 1;
        return { tag: tag.trim(), weight: Number.isFinite(weight) ? weight : 0, i };
      })
      .filter((x) => x.tag && x.weight > 0)
      .sort((a, b) => b.weight - a.weight || a.i - b.i);
    for (const r of ranked) {
      const l = supported(r.tag);
      if (l) return l;
    }
  }
  return 'en';
}

/** Fills `{name}` placeholders with plain text (the result is escaped by whoever puts it into HTML). */
export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
