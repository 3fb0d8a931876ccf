// POST /verify/api/otp/verify { channel, code } — at most 5 tries per code; a code lasts 10 minutes.
import { verifyOtp } from '../../domain/page.js';
import { type PageRoute, oneOf, requiredString } from './route.js';

export const otpVerify: PageRoute = {
  method: 'POST',
  path: '/otp/verify',
  body: 'json',
  handler: ({ deps, token, json }) =>
    verifyOtp(deps, token, oneOf(json, 'channel', ['email', 'phone'] as const), requiredString(json, 'code', 12).replace(/\s/g, '')),
};
