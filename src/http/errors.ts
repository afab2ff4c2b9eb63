// The one error catalogue: each error has a stable code, an HTTP status and a message key in
// locales/<lng>/errors.json. Handlers throw these; http/error-handler.ts renders them.

export interface FieldIssue {
  /** Dotted path of the field, e.g. `categories.0`. */
  field: string;
  /** Stable reason code, e.g. `too_long`, translated as errors:field.<reason>. */
  reason: string;
  /** Values for the reason's translation, e.g. `{ maximum: 1600 }`. */
  params?: Record<string, string | number>;
}

const CATALOGUE = {
  validation_failed: { status: 400 },
  malformed_body: { status: 400 },
  encoding_invalid: { status: 400 },
  malformed_url: { status: 400 },
  invalid_input: { status: 400 },
  signature_missing: { status: 400 },
  signature_invalid: { status: 403 },
  unauthenticated: { status: 401 },
  forbidden: { status: 403 },
  csrf_failed: { status: 403 },
  consent_not_yours: { status: 403 },
  not_found: { status: 404 },
  method_not_allowed: { status: 405 },
  conflict: { status: 409 },
  case_changed: { status: 409 },
  payload_too_large: { status: 413 },
  unsupported_media_type: { status: 415 },
  rate_limited: { status: 429 },
  internal: { status: 500 },
  unavailable: { status: 503 },
} as const;

export type ErrorCode = keyof typeof CATALOGUE;

/** An error the hotline expects and knows how to answer. */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly issues: FieldIssue[] = [],
    /** Seconds, for 429 and 503 answers. */
    readonly retryAfter?: number,
  ) {
    super(code);
    this.status = CATALOGUE[code].status;
  }
}

/** Factories, so call sites read as the domain speaks. */
export const errors = {
  validation: (issues: FieldIssue[]) => new AppError('validation_failed', issues),
  malformedBody: () => new AppError('malformed_body'),
  /** The body does not decompress as its Content-Encoding says. */
  encodingInvalid: () => new AppError('encoding_invalid'),
  /** The path holds percent-encoding that does not decode (`%FF`). */
  malformedUrl: () => new AppError('malformed_url'),
  /** The database refused a value as data (a bad date, a number out of range) that no schema caught. */
  invalidInput: () => new AppError('invalid_input'),
  signatureMissing: () => new AppError('signature_missing'),
  signatureInvalid: () => new AppError('signature_invalid'),
  unauthenticated: () => new AppError('unauthenticated'),
  forbidden: () => new AppError('forbidden'),
  csrfFailed: () => new AppError('csrf_failed'),
  consentNotYours: () => new AppError('consent_not_yours', [{ field: 'consent', reason: 'consent_not_yours' }]),
  notFound: () => new AppError('not_found'),
  methodNotAllowed: () => new AppError('method_not_allowed'),
  conflict: (issues: FieldIssue[] = []) => new AppError('conflict', issues),
  /** The case changed since the version the caller last read (a stale If-Match or form). */
  caseChanged: () => new AppError('case_changed'),
  payloadTooLarge: () => new AppError('payload_too_large'),
  unsupportedMediaType: () => new AppError('unsupported_media_type'),
  rateLimited: (retryAfterSeconds: number) => new AppError('rate_limited', [], retryAfterSeconds),
  unavailable: (retryAfterSeconds = 5) => new AppError('unavailable', [], retryAfterSeconds),
};
