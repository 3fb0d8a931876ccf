// POST /verify/api/consent { accepted, locale? } — agreeing records consent; declining ends the attempt with
// last_error consent_declined (the same domain call as the test helper's pre-submission failures).
import { acceptConsent, failAttempt } from '../../domain/page.js';
import { MSG, PageError } from './errors.js';
import { type PageRoute, optionalString } from './route.js';

export const consent: PageRoute = {
  method: 'POST',
  path: '/consent',
  body: 'json',
  handler({ deps, token, json }) {
    if (typeof json.accepted !== 'boolean') throw new PageError('invalid_request', MSG.badField('accepted'));
    const locale = optionalString(json, 'locale', 35);
    return json.accepted ? acceptConsent(deps, token, locale) : failAttempt(deps, token, 'consent_declined');
  },
};
