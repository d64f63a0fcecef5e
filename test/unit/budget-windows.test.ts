import { describe, expect, it } from 'vitest';
import { budgetWindow, zoneWindow, type WindowBounds } from '../../electron/core/budgets/windows';

function iso(bounds: WindowBounds): [string, string | null] {
  return [new Date(bounds.start).toISOString(), bounds.end === null ? null : new Date(bounds.end).toISOString()];
}

const at = (text: string) => Date.parse(text);

describe('budget windows in a time zone', () => {
  it('starts a day at local midnight, also on a 23-hour DST day (Berlin, spring forward)', () => {
    expect(iso(zoneWindow('day', at('2026-03-29T12:00:00Z'), 'Europe/Berlin'))).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
  });

  it('counts a 25-hour day when clocks fall back (New York)', () => {
    expect(iso(zoneWindow('day', at('2026-11-01T12:00:00Z'), 'America/New_York'))).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
  });

  it('starts a day at the first instant that exists where DST skips midnight (Santiago)', () => {
    expect(iso(zoneWindow('day', at('2026-09-06T12:00:00Z'), 'America/Santiago'))).toEqual(['2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z']);
  });

  it('starts a week on Monday 00:00', () => {
    expect(iso(zoneWindow('week', at('2026-12-04T12:00:00Z'), 'UTC'))).toEqual(['2026-11-30T00:00:00.000Z', '2026-12-07T00:00:00.000Z']);
    // Sunday evening in New York is already Monday in UTC: the zone decides the week.
    expect(iso(zoneWindow('week', at('2026-12-07T03:00:00Z'), 'America/New_York'))).toEqual(['2026-11-30T05:00:00.000Z', '2026-12-07T05:00:00.000Z']);
  });

  it('starts a month on the 1st, across month and year ends', () => {
    // 23:30 UTC on 31 January is already 1 February in Tokyo.
    expect(iso(zoneWindow('month', at('2026-01-31T23:30:00Z'), 'Asia/Tokyo'))).toEqual(['2026-01-31T15:00:00.000Z', '2026-02-28T15:00:00.000Z']);
    expect(iso(zoneWindow('month', at('2026-12-31T12:00:00Z'), 'UTC'))).toEqual(['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
    expect(iso(zoneWindow('month', at('2028-02-29T12:00:00Z'), 'UTC'))).toEqual(['2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z']);
  });

  it('never resets a total window', () => {
    expect(zoneWindow('total', at('2026-12-04T12:00:00Z'), 'UTC')).toEqual({ start: 0, end: null });
  });

  it('applies a time-zone change from the next window', () => {
    const zones = { zone: 'Asia/Tokyo', previous: { zone: 'UTC', changedAt: at('2026-12-04T10:00:00Z') } };
    // The day running at the change keeps its UTC bounds…
    expect(iso(budgetWindow('day', at('2026-12-04T12:00:00Z'), zones))).toEqual(['2026-12-04T00:00:00.000Z', '2026-12-05T00:00:00.000Z']);
    // …the next one starts where it ended and ends at Tokyo's midnight…
    expect(iso(budgetWindow('day', at('2026-12-05T01:00:00Z'), zones))).toEqual(['2026-12-05T00:00:00.000Z', '2026-12-05T15:00:00.000Z']);
    // …and from then on days are Tokyo days.
    expect(iso(budgetWindow('day', at('2026-12-06T01:00:00Z'), zones))).toEqual(['2026-12-05T15:00:00.000Z', '2026-12-06T15:00:00.000Z']);
    expect(iso(budgetWindow('month', at('2026-12-20T00:00:00Z'), zones))).toEqual(['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });
});
