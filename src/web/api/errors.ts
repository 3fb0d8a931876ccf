// The page API's errors: `{ "error": { "code", "message" } }` with the status each code always has. The
// messages are shown to the person on the page (the page may translate by code), so they say what to do.

export const PAGE_ERRORS = {
  link_invalid: { status: 401, message: 'This verification link is not valid.' },
  link_expired: { status: 410, message: 'This verification link has expired. Ask for a new one.' },
  session_submitted: { status: 409, message: 'This verification has already been submitted.' },
  session_canceled: { status: 409, message: 'This verification has been canceled.' },
  invalid_request: { status: 400, message: 'The request is not valid.' },
  file_too_large: { status: 413, message: 'The file is too large. The limit is 10 MB.' },
  file_type_unsupported: { status: 415, message: 'Upload a JPEG or PNG image.' },
  image_unreadable: { status: 400, message: 'The image could not be read. Take or upload another photo.' },
  image_too_small: { status: 400, message: 'The image is too small. Take or upload a sharper, larger photo.' },
  upload_not_allowed: { status: 403, message: 'This verification needs a photo taken with the camera; uploads are not accepted.' },
  requirements_missing: { status: 400, message: 'Some steps are not complete yet.' },
  otp_invalid: { status: 400, message: 'The code is not correct or has expired.' },
  otp_attempts_exceeded: { status: 429, message: 'Too many wrong codes. Ask for a new code.' },
  otp_unavailable: { status: 503, message: 'Verification codes cannot be sent right now: no email or SMS sender is configured.' },
  test_mode_only: { status: 403, message: 'Test outcomes are only available in test mode.' },
  busy: { status: 409, message: 'Another change to this verification is in progress. Try again.' },
  server_error: { status: 500, message: 'Something went wrong on our side. Try again in a moment.' },
  not_found: { status: 404, message: 'There is no such page API route.' },
} as const;

export type PageErrorCode = keyof typeof PAGE_ERRORS;

/** Details for invalid_request, named so tests and the page can rely on them. */
export const MSG = {
  badJson: 'The request body must be a JSON object (content-type: application/json).',
  bodyTooLarge: 'The request body is too large.',
  bodyIncomplete: 'The request body ended before it was complete.',
  badForm: 'The multipart/form-data body could not be read.',
  badField: (name: string) => `The value of "${name}" is not valid.`,
  typeNotAllowed: 'This document type is not accepted for this verification.',
  sideNotNeeded: (side: string) => `This verification does not need a ${side} image.`,
  noFile: 'Attach the image as the "file" field.',
  notMultipart: 'Send the image as multipart/form-data.',
  idNumberFormat: (type: string) => `This is not a valid ${type} number.`,
  otpNotRequired: (channel: string) => `This verification does not need a ${channel} code.`,
  otpNoDestination: (channel: string) => `There is no ${channel === 'email' ? 'email address' : 'phone number'} to send the code to.`,
  otpExpired: 'The code has expired. Ask for a new code.',
  outcomeCodeNotApplicable: 'This failure reason does not apply to this verification.',
  missing: (list: string[]) => `Some steps are not complete yet: ${list.join(', ')}.`,
} as const;

export class PageError extends Error {
  readonly status: number;
  constructor(
    readonly code: PageErrorCode,
    message?: string,
  ) {
    super(message ?? PAGE_ERRORS[code].message);
    this.status = PAGE_ERRORS[code].status;
  }
}

export function pageErrorBody(e: PageError): { error: { code: string; message: string } } {
  return { error: { code: e.code, message: e.message } };
}
