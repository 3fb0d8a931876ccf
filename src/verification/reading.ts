// What the engines read from a document, before any decision: the shared vocabulary of the MRZ reader, the
// barcode reader, the visual-zone reader and the decision that compares them. Plain data only, so a reading
// can cross a worker-thread boundary unchanged.
import type { Address, DateParts, DocumentType } from '../domain/types.js';

/** The fields a document can yield; null where this source does not carry the field or could not read it. */
export interface DocumentFields {
  type: DocumentType | null;
  /** ISO 3166-1 alpha-2, as Stripe reports it (`US`, `FR`). */
  issuing_country: string | null;
  number: string | null;
  first_name: string | null;
  last_name: string | null;
  dob: DateParts | null;
  expiration_date: DateParts | null;
  issued_date: DateParts | null;
  sex: 'female' | 'male' | 'unknown' | null;
  /** As printed (the MRZ's `M`/`F`/`<`, the licence's `1`/`2`/`9`). */
  unparsed_sex: string | null;
  address: Address | null;
  unparsed_place_of_birth: string | null;
}

/** One source's reading of the document (`mrz`, `pdf417`, `viz`). */
export interface SourceReading {
  source: 'mrz' | 'pdf417' | 'viz';
  /** True when the source found and decoded its zone at all. */
  found: boolean;
  /** For the MRZ: every ICAO 9303 check digit passed. For PDF417: the AAMVA payload parsed. */
  valid: boolean;
  fields: DocumentFields;
  /** Human-readable notes for the audit trail (which checks failed, which retries were needed). */
  notes: string[];
  /** The raw text read (MRZ lines, AAMVA payload), kept only in the sealed audit data. */
  raw: string | null;
}

export const emptyFields = (): DocumentFields => ({
  type: null,
  issuing_country: null,
  number: null,
  first_name: null,
  last_name: null,
  dob: null,
  expiration_date: null,
  issued_date: null,
  sex: null,
  unparsed_sex: null,
  address: null,
  unparsed_place_of_birth: null,
});
