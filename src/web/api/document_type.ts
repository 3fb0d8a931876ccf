// POST /verify/api/document_type { type } — one of the session's allowed_types.
import { chooseDocumentType } from '../../domain/page.js';
import { DOCUMENT_TYPES } from '../../domain/types.js';
import { type PageRoute, oneOf } from './route.js';

export const documentType: PageRoute = {
  method: 'POST',
  path: '/document_type',
  body: 'json',
  handler: ({ deps, token, json }) => chooseDocumentType(deps, token, oneOf(json, 'type', DOCUMENT_TYPES)),
};
