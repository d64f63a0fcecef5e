import type { AppErrorData, ErrorCode, ErrorParams, ErrorReason, FieldIssue } from '../../../electron/shared/errors';
import { localizeError } from '../i18n/error-messages';

/** An error a channel answered with, over either transport: the code, a safe message and field-level issues. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly issues: FieldIssue[];
  readonly reason: ErrorReason | undefined;
  readonly params: ErrorParams | undefined;

  constructor(data: AppErrorData) {
    super(data.message);
    this.name = 'ApiError';
    this.code = data.code;
    this.issues = data.issues ?? [];
    this.reason = data.reason;
    this.params = data.params;
  }
}

/** The message to show for anything thrown by a call (never a stack), in the UI language where it can be. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return localizeError(error);
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
