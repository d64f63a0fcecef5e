/**
 * The error shape every channel answers with, over IPC and over the admin HTTP API alike.
 * Electron passes only `message` of a thrown error to the renderer, so errors cross the boundary as data.
 */

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UPSTREAM_ERROR'
  | 'UNKNOWN_CHANNEL'
  | 'INTERNAL';

/** One field's problem; `path` names the field, e.g. `["remainingRequests"]`. */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

export interface AppErrorData {
  code: ErrorCode;
  message: string;
  issues?: FieldIssue[];
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: AppErrorData };

/** An error a service throws on purpose; its message is safe to show (never a key, never a stack). */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly issues: FieldIssue[] | undefined;

  constructor(code: ErrorCode, message: string, issues?: FieldIssue[]) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.issues = issues;
  }

  toData(): AppErrorData {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}

/** A single-field validation error, e.g. an unknown upstream id. */
export function fieldError(field: string, message: string): AppError {
  return new AppError('INVALID_INPUT', message, [{ path: [field], message }]);
}

/** HTTP status of each code on the admin API. */
export const httpStatusOf: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNKNOWN_CHANNEL: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UPSTREAM_ERROR: 502,
  INTERNAL: 500,
};
