// POST /verify/api/device_not_supported — no usable camera where live capture is required: the attempt
// ends with last_error device_not_supported.
import { failAttempt } from '../../domain/page.js';
import type { PageRoute } from './route.js';

export const deviceNotSupported: PageRoute = {
  method: 'POST',
  path: '/device_not_supported',
  body: 'json',
  handler: ({ deps, token }) => failAttempt(deps, token, 'device_not_supported'),
};
