import type { FormErrors } from '@mantine/form';

/** The first error on a field or on any item under it (`allowModels.2`). */
export function errorUnder(errors: FormErrors, ...fields: string[]): React.ReactNode {
  for (const [key, message] of Object.entries(errors)) {
    if (fields.some((field) => key === field || key.startsWith(`${field}.`))) return message;
  }
  return undefined;
}
