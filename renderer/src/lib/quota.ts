/** Quota choices the picker offers; `custom` takes a number. */
export type QuotaChoice = 'unlimited' | '10' | '100' | '1000' | 'custom';

export const quotaChoices: QuotaChoice[] = ['unlimited', '10', '100', '1000', 'custom'];

/** The canonical quota of a preset choice: a whole number of requests, or null for unlimited. */
export function quotaFromChoice(choice: Exclude<QuotaChoice, 'custom'>): number | null {
  return choice === 'unlimited' ? null : Number(choice);
}

/** The choice that shows an existing quota. */
export function choiceOfQuota(value: number | null | undefined): QuotaChoice {
  if (value === null || value === undefined) return 'unlimited';
  const preset = quotaChoices.find((choice) => choice === String(value));
  return preset ?? 'custom';
}
