// Stripe's error vocabulary, once. Every client-visible failure is a StripeError; the message texts are
// named here so tests can assert them and so no handler invents its own wording.

export type ErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface ErrorBody {
  type: ErrorType;
  code?: string;
  message: string;
  param?: string;
  doc_url?: string;
}

export class StripeError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | undefined;
  readonly param: string | undefined;
  /** Whether an idempotent replay should return this error (true once the endpoint has started executing). */
  readonly storable: boolean;
  readonly headers: Record<string, string>;

  constructor(opts: {
    status: number;
    message: string;
    type?: ErrorType;
    code?: string;
    param?: string;
    storable?: boolean;
    headers?: Record<string, string>;
  }) {
    super(opts.message);
    this.status = opts.status;
    this.type = opts.type ?? 'invalid_request_error';
    this.code = opts.code;
    this.param = opts.param;
    this.storable = opts.storable ?? false;
    this.headers = opts.headers ?? {};
  }

  toBody(): { error: ErrorBody } {
    const error: ErrorBody = { type: this.type, message: this.message };
    if (this.code) {
      error.code = this.code;
      error.doc_url = `https://stripe.com/docs/error-codes/${this.code.replace(/_/g, '-')}`;
    }
    if (this.param !== undefined) error.param = this.param;
    // Stripe's key order: code, doc_url, message, param, type.
    return { error: sortKeys(error) };
  }
}

function sortKeys<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))) as T;
}

/** Shows a key the way Stripe does in messages: the prefix and the last four characters. */
export function maskKey(key: string): string {
  const m = /^([a-z]{2,5}_(?:test|live)_)(.*)$/.exec(key);
  const prefix = m ? m[1] : '';
  const rest = m ? m[2] : key;
  if (rest.length <= 4) return prefix + '*'.repeat(rest.length);
  return prefix + '*'.repeat(Math.min(rest.length - 4, 24)) + rest.slice(-4);
}

function oneOf(values: readonly string[]): string {
  if (values.length <= 1) return values.join('');
  if (values.length === 2) return `${values[0]} or ${values[1]}`;
  return `${values.slice(0, -1).join(', ')}, or ${values[values.length - 1]}`;
}

export const MSG = {
  unparseableRequest: 'Invalid request: the HTTP request could not be parsed (malformed request line, headers or body framing).',
  headersTooLarge: 'Invalid request: the request headers are too large.',
  noApiKey:
    "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
  malformedAuth: (value: string) =>
    `You did not provide an API key, though you did set your Authorization header to "${value}". Using Bearer auth, your Authorization header should look something like 'Authorization: Bearer YOUR_SECRET_KEY'. See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.`,
  invalidApiKey: (key: string) => `Invalid API Key provided: ${maskKey(key)}`,
  expiredApiKey: (key: string) => `Expired API Key provided: ${maskKey(key)}`,
  secretKeyRequired:
    'This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys with `npx verity keys list`.',
  missingPermission: (key: string, permission: string) =>
    `The provided key '${maskKey(key)}' does not have the required permissions for this endpoint on account 'acct_verity'. Having the '${permission}' permission would allow this request to continue.`,
  testModeOnly: 'This endpoint is only available in test mode. Use a test-mode secret key (sk_test_…) to call it.',
  unrecognizedUrl: (method: string, path: string) =>
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs/api/identity or the Verity README for the endpoints this server implements.`,
  unsupportedContentType: (type: string) =>
    `Invalid request: unsupported Content-Type ${type}. If error persists and you need assistance, please contact your Verity administrator.`,
  bodyTooLarge: (limit: number) => `Request body too large: the limit is ${limit} bytes.`,
  malformedBody: 'Invalid request: the body could not be parsed as application/x-www-form-urlencoded.',
  bodyIncomplete: 'Invalid request: the connection closed before the whole request body was received.',
  tooManyParams: 'Invalid request: too many parameters, or parameters nested or indexed too deeply.',
  invalidApiVersion: (v: string) => `Invalid Stripe API version: ${v}`,
  unknownParam: (p: string) => `Received unknown parameter: ${p}`,
  missingParam: (p: string) => `Missing required param: ${p}.`,
  invalidEnum: (p: string, values: readonly string[]) => `Invalid ${p}: must be one of ${oneOf(values)}`,
  invalidString: (max: number) => `Invalid string: must be at most ${max} characters`,
  stringHasNul: 'Invalid string: must not contain NUL (\\u0000) characters',
  notAString: (p: string) => `Invalid ${p}: must be a string`,
  invalidBoolean: (v: string) => `Invalid boolean: ${v}`,
  invalidInteger: (v: string) => `Invalid integer: ${v}`,
  integerMin: (min: number) => `This value must be greater than or equal to ${min}.`,
  integerMax: (max: number) => `This value must be less than or equal to ${max}.`,
  invalidObject: (p: string) => `Invalid ${p}: must be an object (a hash of parameters, e.g. ${p}[key]=value)`,
  invalidArray: (p: string) => `Invalid array: ${p} must be a list of values (e.g. ${p}[0]=value)`,
  arrayTooLong: (p: string, max: number) => `Invalid ${p}: must contain at most ${max} items`,
  emptyString: (p: string) =>
    `You passed an empty string for '${p}'. We assume empty values are an attempt to unset a parameter; however '${p}' cannot be unset. You should remove '${p}' from your request or supply a non-empty value.`,
  onlyOneOf: (params: readonly string[]) => `You may only specify one of these parameters: ${params.join(', ')}.`,
  metadataTooManyKeys: 'Invalid metadata: metadata can have at most 50 keys.',
  metadataKeyTooLong: (k: string) => `Invalid metadata: the key '${k.slice(0, 50)}' is longer than 40 characters.`,
  metadataKeyBrackets: (k: string) => `Invalid metadata: the key '${k.slice(0, 50)}' must not contain '[' or ']'.`,
  metadataValueTooLong: (k: string) =>
    `Invalid metadata: the value for key '${k.slice(0, 50)}' is longer than 500 characters.`,
  metadataValueNotString: (k: string) => `Invalid metadata: the value for key '${k.slice(0, 50)}' must be a string.`,
  expandTooDeep: (path: string) => `You cannot expand more than 4 levels of a property (${path}).`,
  expandUnknown: (path: string) => `This property cannot be expanded (${path}).`,
  sensitiveNeedsRestrictedKey: (path: string) =>
    `You cannot expand ${path} with a secret key. Sensitive verification results are only available to a restricted key that holds the 'rak_identity_sensitive_results_read' permission.`,
  sensitiveExpired: (path: string) =>
    `You cannot expand ${path}: sensitive verification results are available for 48 hours after the verification was processed, unless the key holds the 'rak_identity_sensitive_results_all_read' permission.`,
  noSuch: (object: string, id: string) => `No such ${object}: '${id}'`,
  otherMode: (object: string, id: string, existsIn: 'live' | 'test') =>
    `No such ${object}: '${id}'; a similar object exists in ${existsIn} mode, but a ${existsIn === 'live' ? 'test' : 'live'} mode key was used to make this request.`,
  sessionInvalidState: (action: string, status: string) =>
    `You cannot ${action} this VerificationSession because it has a status of ${status}.`,
  sessionRedacted: 'This VerificationSession has been redacted and can no longer be updated or used.',
  idempotencyKeyTooLong: 'Invalid Idempotency-Key: it must be at most 255 characters long.',
  idempotencyParamsMismatch: (key: string) =>
    `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
  idempotencyEndpointMismatch: (key: string, first: string, now: string) =>
    `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${first}' vs '${now}'). Try using a key other than '${key}' if you meant to execute a different request.`,
  idempotencyInFlight: (key: string) =>
    `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
  internal: 'An unexpected error occurred on the server. The request ID identifies it in the server log.',
  rateLimited:
    'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
  // ---- files, file links, ephemeral keys (Verity's wording where Stripe's is not public) ----
  malformedMultipart: 'Invalid request: the body could not be parsed as multipart/form-data.',
  multipleFiles: 'Invalid request: only one file can be uploaded per request (the `file` parameter).',
  fileTooLarge: (maxBytes: number) =>
    `File size exceeds the maximum allowed size of ${maxBytes / (1 << 20)} MB (${maxBytes} bytes). Please upload a smaller file.`,
  fileEmpty: 'The file you uploaded is empty.',
  fileNotAFile: "Invalid file: the `file` parameter must be a file part of a multipart/form-data request (filename and contents).",
  fileTypeUnsupported: (purpose: string) =>
    `The file you uploaded is not a supported type for purpose ${purpose}: its contents must be a JPEG, PNG or PDF. The file name and declared Content-Type are not used to decide this.`,
  fileContentsViaLinkOnly: (purpose: string) =>
    `The contents of a file with purpose ${purpose} can only be downloaded through a FileLink, which needs a restricted key with the 'rak_file_write' and 'rak_identity_sensitive_results_read' permissions.`,
  fileContentsUnavailable: (id: string) => `The contents of file '${id}' are no longer available: its VerificationSession has been redacted.`,
  fileLinkPurpose: (purpose: string) =>
    `You cannot create a FileLink for a file with purpose ${purpose}. Files with purpose identity_document cannot be shared with a link; identity_document_downloadable and selfie files can.`,
  fileLinkNeedsSensitiveKey: (purpose: string) =>
    `A FileLink for a file with purpose ${purpose} can only be created with a restricted key that holds the 'rak_file_write' and 'rak_identity_sensitive_results_read' permissions.`,
  fileLinkTooLong: (purpose: string, maxS: number) =>
    `A FileLink for a file with purpose ${purpose} must expire within ${maxS} seconds: pass an expires_at at most ${maxS} seconds from now.`,
  fileLinkExpiresPast: 'The expires_at timestamp must be in the future.',
  fileLinkFileRedacted: (id: string) => `You cannot create a FileLink for file '${id}': its VerificationSession has been redacted.`,
  ephemeralKeyNeedsVersion:
    'Stripe-Version header is required when creating an ephemeral key: pass the API version of the mobile SDK that will use the key (stripe-node: the apiVersion request option).',
  ephemeralKeyOnlySessions: (p: string) =>
    `Verity issues ephemeral keys for identity verification sessions only; ${p} is not supported. Pass verification_session.`,
} as const;

// Constructors for the common cases, so handlers read as intent.
export const errors = {
  unknownParam: (p: string) => new StripeError({ status: 400, code: 'parameter_unknown', param: p, message: MSG.unknownParam(p) }),
  missingParam: (p: string) => new StripeError({ status: 400, code: 'parameter_missing', param: p, message: MSG.missingParam(p) }),
  invalid: (p: string, message: string, code = 'parameter_invalid') =>
    new StripeError({ status: 400, code, param: p, message }),
  notFound: (object: string, id: string, param = 'id', existsIn?: 'live' | 'test') =>
    new StripeError({
      status: 404,
      code: 'resource_missing',
      param,
      message: existsIn ? MSG.otherMode(object, id, existsIn) : MSG.noSuch(object, id),
    }),
  invalidState: (message: string) =>
    new StripeError({ status: 400, code: 'session_invalid_state', message, storable: true }),
  internal: () =>
    new StripeError({ status: 500, type: 'api_error', message: MSG.internal, storable: true, headers: { 'Stripe-Should-Retry': 'false' } }),
};
