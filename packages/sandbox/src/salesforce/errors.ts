/**
 * The two error shapes of the REST API: per-record errors inside SaveResults use `statusCode`;
 * request-level errors are an array of `{message, errorCode}` with an HTTP status.
 */

export interface RecordErrorBody {
  statusCode: string;
  message: string;
  fields: string[];
}

/** A per-record failure; the write is rolled back to the record's savepoint. */
export class RecordError extends Error {
  constructor(
    readonly statusCode: string,
    message: string,
    readonly fields: string[] = [],
  ) {
    super(message);
  }

  toJSON(): RecordErrorBody {
    return { statusCode: this.statusCode, message: this.message, fields: this.fields };
  }
}

/** A failure of the whole request (bad JSON, unknown field, unknown object). */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
  }

  body(): { message: string; errorCode: string; fields?: string[] }[] {
    return [
      { message: this.message, errorCode: this.errorCode, ...(this.fields ? { fields: this.fields } : {}) },
    ];
  }
}

export const notFound = () => new RequestError(404, 'NOT_FOUND', 'The requested resource does not exist');

export const rolledBack = () =>
  new RecordError(
    'ALL_OR_NONE_OPERATION_ROLLED_BACK',
    'Record rolled back because not all records were valid and the request was using AllOrNone header',
  );
