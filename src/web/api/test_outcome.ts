// POST /verify/api/test_outcome { outcome, last_error_code? } — the test-mode panel. Exactly the domain call
// of the test-helper endpoints (runTestOutcome); 403 test_mode_only for a live session.
import { TEST_OUTCOMES, chooseTestOutcome } from '../../domain/page.js';
import { LAST_ERROR_CODES } from '../../domain/types.js';
import { type PageRoute, oneOf } from './route.js';

export const testOutcome: PageRoute = {
  method: 'POST',
  path: '/test_outcome',
  body: 'json',
  handler({ deps, token, json }) {
    const outcome = oneOf(json, 'outcome', TEST_OUTCOMES);
    const code = json.last_error_code === undefined || json.last_error_code === null ? null : oneOf(json, 'last_error_code', LAST_ERROR_CODES);
    return chooseTestOutcome(deps, token, outcome, code);
  },
};
