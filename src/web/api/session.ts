// GET /verify/api/session — the page's view of its session. Also answers for a used link, so the page can
// show processing and the result after submission.
import { getPage } from '../../domain/page.js';
import type { PageRoute } from './route.js';

export const session: PageRoute = {
  method: 'GET',
  path: '/session',
  body: 'none',
  handler: ({ deps, token }) => getPage(deps, token),
};
