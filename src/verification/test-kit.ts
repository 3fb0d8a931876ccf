// Shared by the live-verification unit tests (not a test file itself): a document reading as the engines
// would return it for one specimen passport.
import { type DocumentFields, emptyFields } from './reading.js';

export const SPECIMEN_PASSPORT: DocumentFields = {
  ...emptyFields(),
  type: 'passport',
  issuing_country: 'FR',
  number: '19FR12345',
  first_name: 'ANNA MARIA',
  last_name: 'ERIKSSON',
  dob: { day: 12, month: 3, year: 1985 },
  expiration_date: { day: 1, month: 6, year: 2035 },
  sex: 'female',
  unparsed_sex: 'F',
};
