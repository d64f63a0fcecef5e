import { useState } from 'react';
import { applyServerError } from './form-errors';

/**
 * A form's submit around `action`: `saving` while it runs; when it throws, the server's field errors land on the
 * form's `fields` and whatever they do not cover becomes `formError`.
 */
export function useFormSubmit<Values>(
  setErrors: (errors: Record<string, string>) => void,
  fields: string[],
  action: (values: Values) => Promise<void>,
): { saving: boolean; formError: string | null; submit: (values: Values) => Promise<void> } {
  const [saving, setSaving] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  async function submit(values: Values) {
    setSaving(true);
    setFormError(null);
    try {
      await action(values);
    } catch (error) {
      setFormError(applyServerError(error, setErrors, fields));
    } finally {
      setSaving(false);
    }
  }

  return { saving, formError, submit };
}
