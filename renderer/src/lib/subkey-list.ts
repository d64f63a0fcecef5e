import type { Subkey, SubkeyStatus } from '../../../electron/shared/types';
import type { SubkeyFilter, SubkeySort } from '../store/ui-slice';

const byNullableTime = (value: string | null, nullLast: number) => (value ? Date.parse(value) : nullLast);

const comparators: Record<SubkeySort, (a: Subkey, b: Subkey) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  created: (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt),
  // Soonest first; never-expiring last.
  expiry: (a, b) => byNullableTime(a.expiresAt, Infinity) - byNullableTime(b.expiresAt, Infinity),
  // Fewest first; unlimited last.
  remaining: (a, b) => (a.remainingRequests ?? Infinity) - (b.remainingRequests ?? Infinity),
  // Most recent first; never used last.
  lastUsed: (a, b) => byNullableTime(b.lastUsedAt, -Infinity) - byNullableTime(a.lastUsedAt, -Infinity),
};

/**
 * A sub-key's status at `now`. The core derives statuses when the list is read, so a key that expired since then
 * would still say "active"; a disabled key stays disabled (the core's order: disabled, expired, exhausted).
 */
export function statusAt(subkey: Subkey, now: number): SubkeyStatus {
  if (subkey.status === 'disabled' || subkey.expiresAt === null) return subkey.status;
  return Date.parse(subkey.expiresAt) <= now ? 'expired' : subkey.status;
}

/** The sub-keys the list shows, filtered (by their status at `now`, when given) and sorted (ties broken by name). */
export function visibleSubkeys(subkeys: Subkey[], filter: SubkeyFilter, sort: SubkeySort, now?: number): Subkey[] {
  const text = filter.text.trim().toLowerCase();
  const status = (subkey: Subkey) => (now === undefined ? subkey.status : statusAt(subkey, now));
  return subkeys
    .filter((subkey) => filter.status === 'all' || status(subkey) === filter.status)
    .filter((subkey) => !filter.upstreamId || subkey.upstreamId === filter.upstreamId)
    .filter((subkey) => !text || subkey.name.toLowerCase().includes(text) || subkey.hint.toLowerCase().includes(text))
    .sort((a, b) => comparators[sort](a, b) || a.name.localeCompare(b.name));
}
