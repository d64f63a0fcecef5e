import { zod4Resolver } from 'mantine-form-zod-resolver';
import type { $ZodType } from 'zod/v4/core';

/**
 * Validates a form with a contract schema, showing each field's first problem: zod runs every check on a field,
 * and "API key is required" says more about an empty key than "must not contain spaces".
 */
export function formResolver(schema: $ZodType) {
  return zod4Resolver(schema, { errorPriority: 'first' });
}
