import type { Subkey, SubkeyStatus } from '../../../electron/shared/types';
import type { SubkeyFilter, SubkeySort, SortDirection } from '../store/ui-slice';

const byNullableTime = (value: string | null, nullAs: number) => (value ? Date.parse(value) : nullAs);
const statusOrder: SubkeyStatus[] = ['active', 'disabled', 'expired', 'exhausted'];

/** What a comparator may need beyond the two keys. */
interface SortContext {
  now: number | undefined;
  upstreamNames: ReadonlyMap<string, string>;
}

/** Each sort in ascending order; `naturalDirection` says which way a sort starts. */
const ascending: Record<SubkeySort, (a: Subkey, b: Subkey, context: SortContext) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  created: (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt),
  // Never-expiring counts as the latest expiry.
  expiry: (a, b) => byNullableTime(a.expiresAt, Infinity) - byNullableTime(b.expiresAt, Infinity),
  // Unlimited counts as the most remaining.
  remaining: (a, b) => (a.remainingRequests ?? Infinity) - (b.remainingRequests ?? Infinity),
  // Never used counts as the longest ago.
  lastUsed: (a, b) => byNullableTime(a.lastUsedAt, -Infinity) - byNullableTime(b.lastUsedAt, -Infinity),
  upstream: (a, b, { upstreamNames }) => (upstreamNames.get(a.upstreamId) ?? '').localeCompare(upstreamNames.get(b.upstreamId) ?? ''),
  status: (a, b, { now }) => statusOrder.indexOf(now === undefined ? a.status : statusAt(a, now)) - statusOrder.indexOf(now === undefined ? b.status : statusAt(b, now)),
};

/**
 * The direction a sort starts in: newest and most recently used first, everything else ascending (A to Z, soonest
 * expiry, fewest requests left, active before disabled, expired and exhausted).
 */
export function naturalDirection(sort: SubkeySort): SortDirection {
  return sort === 'created' || sort === 'lastUsed' ? 'descending' : 'ascending';
}

/** How the list is ordered, beyond the sort itself; both default to the sort's natural order. */
export interface SubkeyOrder {
  direction?: SortDirection;
  /** Upstream names by id, for sorting by upstream. */
  upstreamNames?: ReadonlyMap<string, string>;
}

/**
 * A sub-key's status at `now`. The core derives statuses when the list is read, so a key that expired since then
 * would still say "active"; a disabled key stays disabled (the core's order: disabled, expired, exhausted).
 */
export function statusAt(subkey: Subkey, now: number): SubkeyStatus {
  if (subkey.status === 'disabled' || subkey.expiresAt === null) return subkey.status;
  return Date.parse(subkey.expiresAt) <= now ? 'expired' : subkey.status;
}

/**
 * The sub-keys the list shows, filtered (by their status at `now`, when given) and sorted in `order.direction`
 * (default: the sort's natural one); ties are broken by name, A to Z, whichever the direction.
 */
export function visibleSubkeys(subkeys: Subkey[], filter: SubkeyFilter, sort: SubkeySort, now?: number, order: SubkeyOrder = {}): Subkey[] {
  const text = filter.text.trim().toLowerCase();
  const status = (subkey: Subkey) => (now === undefined ? subkey.status : statusAt(subkey, now));
  const sign = (order.direction ?? naturalDirection(sort)) === 'ascending' ? 1 : -1;
  const context: SortContext = { now, upstreamNames: order.upstreamNames ?? new Map() };
  return subkeys
    .filter((subkey) => filter.status === 'all' || status(subkey) === filter.status)
    .filter((subkey) => !filter.upstreamId || subkey.upstreamId === filter.upstreamId)
    .filter((subkey) => !text || subkey.name.toLowerCase().includes(text) || subkey.hint.toLowerCase().includes(text))
    .sort((a, b) => sign * ascending[sort](a, b, context) || a.name.localeCompare(b.name));
}
