/**
 * Okta's error body, the same for every error: `{errorCode, errorSummary, errorLink, errorId,
 * errorCauses}`. Store operations throw `OktaError` so the handlers only translate it to HTTP.
 */

export interface OktaErrorCause {
  errorSummary: string;
}

export interface OktaErrorBody {
  errorCode: string;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: OktaErrorCause[];
}

export class OktaError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly errorSummary: string,
    readonly errorCauses: OktaErrorCause[] = [],
    /** Extra response headers, e.g. `WWW-Authenticate` on a scope failure. */
    readonly headers: Record<string, string> = {},
  ) {
    super(`Okta ${status} ${errorCode} ${errorSummary}`);
    this.name = 'OktaError';
  }

  body(errorId: string): OktaErrorBody {
    return {
      errorCode: this.errorCode,
      errorSummary: this.errorSummary,
      // Okta puts the code itself in errorLink (see the 429 sample in the reference).
      errorLink: this.errorCode,
      errorId,
      errorCauses: this.errorCauses,
    };
  }
}

const causes = (list: string[]) => list.map((errorSummary) => ({ errorSummary }));

export const validationFailed = (what: string, ...why: string[]) =>
  new OktaError(400, 'E0000001', `Api validation failed: ${what}`, causes(why));

/** A required field sent empty or not at all. */
export const leftBlank = (field: string) =>
  validationFailed(field, `${field}: The field cannot be left blank`);

/** A unique field (login, group name) that another object already holds. */
export const alreadyExists = (field: string) =>
  validationFailed(field, `${field}: An object with this field already exists in the current organization`);

export const malformedBody = () => new OktaError(400, 'E0000003', 'The request body was not well-formed.');

export const notFound = (resource: string) =>
  new OktaError(404, 'E0000007', `Not found: Resource not found: ${resource}`);

export const invalidToken = () => new OktaError(401, 'E0000011', 'Invalid token provided');

export const accessDenied = (...why: string[]) =>
  new OktaError(403, 'E0000006', 'You do not have permission to perform the requested action', causes(why));

export const rateLimitExceeded = () =>
  new OktaError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.');

/** UNCONFIRMED: E0000031 is not in the reference table; it is the code Okta is known to use for a bad filter. */
export const invalidSearch = (why: string) =>
  new OktaError(400, 'E0000031', 'Invalid search criteria.', causes([why]));

/** UNCONFIRMED: E0000009 for a 5xx is not in the reference table. */
export const internalError = () => new OktaError(500, 'E0000009', 'Internal Server Error');

/**
 * UNCONFIRMED: E0000010 ("Service is in read only mode", 503) is the code remembered for Okta's
 * 503s; it is not in the reference table.
 */
export const serviceUnavailable = () => new OktaError(503, 'E0000010', 'Service is in read only mode');

/** UNCONFIRMED: the exact wording of a refused lifecycle transition; the code (E0000001, 400) is documented. */
export const invalidTransition = (operation: string, status: string) =>
  validationFailed('status', `Cannot ${operation} a user whose status is ${status}`);
