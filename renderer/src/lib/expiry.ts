/** Expiry choices the picker offers; `custom` takes a date and time. */
export type ExpiryChoice = 'never' | '1h' | '1d' | '7d' | '30d' | '90d' | 'custom';

export const expiryChoices: ExpiryChoice[] = ['never', '1h', '1d', '7d', '30d', '90d', 'custom'];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const durations: Record<Exclude<ExpiryChoice, 'never' | 'custom'>, number> = {
  '1h': HOUR,
  '1d': DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
  '90d': 90 * DAY,
};

/** The canonical expiry of a preset choice: an ISO 8601 instant counted from `now`, or null for never. */
export function expiryFromChoice(choice: Exclude<ExpiryChoice, 'custom'>, now: number = Date.now()): string | null {
  if (choice === 'never') return null;
  return new Date(now + durations[choice]).toISOString();
}

/** The choice that shows an existing expiry: never, or a custom date. */
export function choiceOfExpiry(value: string | null | undefined): ExpiryChoice {
  return value ? 'custom' : 'never';
}
