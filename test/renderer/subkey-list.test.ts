import { describe, expect, it } from 'vitest';
import { naturalDirection, statusAt, visibleSubkeys } from '../../renderer/src/lib/subkey-list';
import { subkey } from './fake-api';

const keys = [
  subkey({ id: 'a', name: 'alpha', createdAt: '2026-01-01T00:00:00Z', expiresAt: null, remainingRequests: null, lastUsedAt: null, status: 'active' }),
  subkey({ id: 'b', name: 'bravo', createdAt: '2026-01-03T00:00:00Z', expiresAt: '2026-02-01T00:00:00Z', remainingRequests: 0, lastUsedAt: '2026-01-05T00:00:00Z', status: 'exhausted', upstreamId: 'up2' }),
  subkey({ id: 'c', name: 'charlie', hint: 'sk-kg-…zz99', createdAt: '2026-01-02T00:00:00Z', expiresAt: '2026-01-15T00:00:00Z', remainingRequests: 50, lastUsedAt: '2026-01-04T00:00:00Z', status: 'disabled' }),
];
const all = { text: '', status: 'all' as const, upstreamId: null };
const names = (list: { name: string }[]) => list.map((key) => key.name);

describe('the sub-key list', () => {
  it('sorts newest first, by name, soonest expiry (never last), fewest remaining (unlimited last), most recently used (never last)', () => {
    expect(names(visibleSubkeys(keys, all, 'created'))).toEqual(['bravo', 'charlie', 'alpha']);
    expect(names(visibleSubkeys(keys, all, 'name'))).toEqual(['alpha', 'bravo', 'charlie']);
    expect(names(visibleSubkeys(keys, all, 'expiry'))).toEqual(['charlie', 'bravo', 'alpha']);
    expect(names(visibleSubkeys(keys, all, 'remaining'))).toEqual(['bravo', 'charlie', 'alpha']);
    expect(names(visibleSubkeys(keys, all, 'lastUsed'))).toEqual(['bravo', 'charlie', 'alpha']);
  });

  it('filters by status, upstream, and name or hint text', () => {
    expect(names(visibleSubkeys(keys, { ...all, status: 'exhausted' }, 'name'))).toEqual(['bravo']);
    expect(names(visibleSubkeys(keys, { ...all, upstreamId: 'up1' }, 'name'))).toEqual(['alpha', 'charlie']);
    expect(names(visibleSubkeys(keys, { ...all, text: 'ZZ9' }, 'name'))).toEqual(['charlie']);
    expect(names(visibleSubkeys(keys, { ...all, text: 'rav' }, 'name'))).toEqual(['bravo']);
  });

  it('does not reorder the cached list it was given', () => {
    const before = names(keys);
    visibleSubkeys(keys, all, 'name');
    expect(names(keys)).toEqual(before);
  });

  it('judges expiry at the given time: a key read as active that has expired since is expired, a disabled one stays disabled', () => {
    const soon = subkey({ id: 'd', name: 'delta', expiresAt: '2026-03-01T00:00:00.000Z', status: 'active' });
    const off = subkey({ id: 'e', name: 'echo', expiresAt: '2026-03-01T00:00:00.000Z', status: 'disabled', enabled: false });
    const before = Date.parse('2026-02-28T23:59:59.000Z');
    const after = Date.parse('2026-03-01T00:00:00.000Z');
    expect(statusAt(soon, before)).toBe('active');
    expect(statusAt(soon, after)).toBe('expired');
    expect(statusAt(off, after)).toBe('disabled');
    expect(names(visibleSubkeys([soon, off], { ...all, status: 'expired' }, 'name', before))).toEqual([]);
    expect(names(visibleSubkeys([soon, off], { ...all, status: 'expired' }, 'name', after))).toEqual(['delta']);
    expect(names(visibleSubkeys([soon, off], { ...all, status: 'active' }, 'name', after))).toEqual([]);
  });

  it('sorts every column both ways: the natural direction first, then reversed, ties by name A to Z either way', () => {
    const upstreamNames = new Map([
      ['up1', 'Zeta'],
      ['up2', 'Alpha'],
    ]);
    const both = (sort: Parameters<typeof visibleSubkeys>[2]) => [
      names(visibleSubkeys(keys, all, sort, undefined, { direction: 'ascending', upstreamNames })),
      names(visibleSubkeys(keys, all, sort, undefined, { direction: 'descending', upstreamNames })),
    ];
    expect(both('name')).toEqual([
      ['alpha', 'bravo', 'charlie'],
      ['charlie', 'bravo', 'alpha'],
    ]);
    expect(both('created')).toEqual([
      ['alpha', 'charlie', 'bravo'],
      ['bravo', 'charlie', 'alpha'],
    ]);
    // Never expiring is the latest expiry; unlimited the most remaining; never used the longest ago.
    expect(both('expiry')).toEqual([
      ['charlie', 'bravo', 'alpha'],
      ['alpha', 'bravo', 'charlie'],
    ]);
    expect(both('remaining')).toEqual([
      ['bravo', 'charlie', 'alpha'],
      ['alpha', 'charlie', 'bravo'],
    ]);
    expect(both('lastUsed')).toEqual([
      ['alpha', 'charlie', 'bravo'],
      ['bravo', 'charlie', 'alpha'],
    ]);
    expect(both('upstream')).toEqual([
      ['bravo', 'alpha', 'charlie'],
      ['alpha', 'charlie', 'bravo'],
    ]);
    expect(both('status')).toEqual([
      ['alpha', 'charlie', 'bravo'],
      ['bravo', 'charlie', 'alpha'],
    ]);
    expect(naturalDirection('created')).toBe('descending');
    expect(naturalDirection('lastUsed')).toBe('descending');
    expect(naturalDirection('name')).toBe('ascending');
  });

  it('breaks ties by name A to Z in both directions, and sorts statuses as they are at `now`', () => {
    const same = [
      subkey({ id: 'x', name: 'xray', remainingRequests: 5 }),
      subkey({ id: 'w', name: 'whiskey', remainingRequests: 5 }),
      subkey({ id: 'e', name: 'echo', expiresAt: '2026-03-01T00:00:00.000Z', status: 'active' }),
    ];
    expect(names(visibleSubkeys(same, all, 'remaining', undefined, { direction: 'ascending' }))).toEqual(['whiskey', 'xray', 'echo']);
    expect(names(visibleSubkeys(same, all, 'remaining', undefined, { direction: 'descending' }))).toEqual(['echo', 'whiskey', 'xray']);
    const later = Date.parse('2026-03-02T00:00:00.000Z');
    expect(names(visibleSubkeys(same, all, 'status', later, { direction: 'descending' }))).toEqual(['echo', 'whiskey', 'xray']);
  });
});
