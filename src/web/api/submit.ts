// POST /verify/api/submit {} — everything collected: the session goes to processing. A second submit (a
// double click) answers with the current state; there is only one transition.
import { submitPage } from '../../domain/page.js';
import type { PageRoute } from './route.js';

export const submit: PageRoute = {
  method: 'POST',
  path: '/submit',
  body: 'json',
  handler: ({ deps, token }) => submitPage(deps, token),
};
