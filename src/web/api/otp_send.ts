// POST /verify/api/otp/send { channel } — live mode sends a code through the configured sender; test mode
// sends nothing (the code is 000000).
import { sendOtp } from '../../domain/page.js';
import { type PageRoute, oneOf } from './route.js';

export const otpSend: PageRoute = {
  method: 'POST',
  path: '/otp/send',
  body: 'json',
  handler: ({ deps, token, json, otpSender }) => sendOtp(deps, token, oneOf(json, 'channel', ['email', 'phone'] as const), otpSender),
};
