import { zod4Resolver } from 'mantine-form-zod-resolver';
import type { FormErrors } from '@mantine/form';
import type { $ZodType } from 'zod/v4/core';
import { localizeMessage } from '../i18n/schema-messages';

/**
 * Validates a form with a contract schema, showing each field's first problem: zod runs every check on a field,
 * and "API key is required" says more about an empty key than "must not contain spaces".
 */
export function formResolver(schema: $ZodType): (values: Record<string, unknown>) => FormErrors {
  const resolve = zod4Resolver(schema, { errorPriority: 'first' });
  return (values) =>
    Object.fromEntries(Object.entries(resolve(values)).map(([field, message]) => [field, typeof message === 'string' ? localizeMessage(message) : message]));
}
