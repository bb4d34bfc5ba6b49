import { HttpResponse } from 'msw';

/**
 * API v2 errors: `{message, statusCode, name}`. The store throws `OneLoginApiError`; the handlers
 * turn it into the response, so validation lives in one place and is testable without HTTP.
 */
export type OneLoginErrorName =
  | 'BadRequestError'
  | 'UnauthorizedError'
  | 'NotFoundError'
  | 'UnprocessableEntityError'
  | 'TooManyRequestsError'
  | 'InternalServerError'
  | 'ServiceUnavailableError';

export interface OneLoginErrorBody {
  message: string;
  statusCode: number;
  name: OneLoginErrorName;
}

export class OneLoginApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errorName: OneLoginErrorName,
    message: string,
  ) {
    super(message);
    this.name = 'OneLoginApiError';
  }

  body(): OneLoginErrorBody {
    return { message: this.message, statusCode: this.statusCode, name: this.errorName };
  }
}

export const badRequest = (message: string) => new OneLoginApiError(400, 'BadRequestError', message);
export const unauthorized = (message = 'Authentication Failure') =>
  new OneLoginApiError(401, 'UnauthorizedError', message);
export const notFound = (message = 'The resource with the given id could not be found') =>
  new OneLoginApiError(404, 'NotFoundError', message);
/** `details` follows the real "Validation failed: ..." prefix. */
export const unprocessable = (details: string) =>
  new OneLoginApiError(422, 'UnprocessableEntityError', `Validation failed: ${details}`);

export function errorResponse(error: OneLoginApiError, headers?: Record<string, string>): Response {
  return HttpResponse.json(error.body(), { status: error.statusCode, headers });
}

export function serverErrorResponse(): Response {
  return errorResponse(new OneLoginApiError(500, 'InternalServerError', 'Internal Server Error'));
}

/** UNCONFIRMED: OneLogin's 503 body; it follows the v2 error shape like every other error here. */
export function unavailableResponse(seconds: number, headers: Record<string, string> = {}): Response {
  return errorResponse(new OneLoginApiError(503, 'ServiceUnavailableError', 'Service Unavailable'), {
    ...headers,
    'Retry-After': String(seconds),
  });
}
