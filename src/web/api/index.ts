// The page API: JSON endpoints under /verify/api that the hosted page and the modal call, authorised by the
// link's url token or the session's client secret (Authorization: Bearer …), never by an API key.
import type { Context, Hono } from 'hono';
import type { Deps } from '../../deps.js';
import type { OtpSender } from '../../domain/page.js';
import { consent } from './consent.js';
import { deviceNotSupported } from './device_not_supported.js';
import { documentType } from './document_type.js';
import { PageError } from './errors.js';
import { idNumber } from './id_number.js';
import { images } from './images.js';
import { otpSend } from './otp_send.js';
import { otpVerify } from './otp_verify.js';
import { PAGE_API_BASE, type PageRoute, errorResponse, pageHandler } from './route.js';
import { session } from './session.js';
import { submit } from './submit.js';
import { testOutcome } from './test_outcome.js';

export const PAGE_ROUTES: PageRoute[] = [session, consent, documentType, images, idNumber, otpSend, otpVerify, deviceNotSupported, submit, testOutcome];

export function mountPageApi(app: Hono<any>, deps: Deps, opts: { onWrite?: () => void; otpSender?: OtpSender } = {}): void {
  const handlerOpts = { onWrite: opts.onWrite, otpSender: opts.otpSender ?? deps.otp };
  for (const r of PAGE_ROUTES) app.on(r.method, PAGE_API_BASE + r.path, pageHandler(deps, r, handlerOpts));
  // Anything else under the base answers in the page API's own shape (not Stripe's), and is never cached.
  app.all(`${PAGE_API_BASE}/*`, (c: Context) => errorResponse(c, new PageError('not_found')));
}
