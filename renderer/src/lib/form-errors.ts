import type { FieldIssue } from '../../../electron/shared/errors';
import { ApiError } from '../api/api-error';
import { localizeError } from '../i18n/error-messages';
import { localizeMessage } from '../i18n/schema-messages';

/** Field errors keyed the way @mantine/form keys them (`allowModels.0`). */
export function fieldErrorsOf(issues: FieldIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.join('.') || '_form';
    errors[key] ??= localizeMessage(issue.message);
  }
  return errors;
}

/**
 * Puts a server error on the form's fields when it names them, returning the message to show at the form level
 * when it names none (or a field the form does not show).
 */
export function applyServerError(error: unknown, setErrors: (errors: Record<string, string>) => void, fields: string[]): string | null {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : 'Something went wrong.';
  const errors = fieldErrorsOf(error.issues);
  const shown = Object.fromEntries(Object.entries(errors).filter(([key]) => fields.includes(key.split('.')[0]!)));
  setErrors(shown);
  return Object.keys(shown).length > 0 && Object.keys(shown).length === Object.keys(errors).length ? null : localizeError(error);
}
