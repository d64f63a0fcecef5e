import type { AppErrorData, ErrorCode, FieldIssue } from '../../../electron/shared/errors';

/** An error a channel answered with, over either transport: the code, a safe message and field-level issues. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly issues: FieldIssue[];

  constructor(data: AppErrorData) {
    super(data.message);
    this.name = 'ApiError';
    this.code = data.code;
    this.issues = data.issues ?? [];
  }
}

/** The message to show for anything thrown by a call (never a stack). */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
