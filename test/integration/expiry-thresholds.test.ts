/**
 * Issue 10, notifications: `budget:threshold` of kind `expiry` fires once per key and expiry value when an enabled
 * key is within 24 h of expiring, from one timer set for the soonest expiry (pinned clock, fake timers, real SQLite).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExpiryAlerts } from '../../electron/core/budgets/expiry-alerts';
import { openDatabase, type Database } from '../../electron/core/store/database';
import type { BudgetThreshold } from '../../electron/shared/types';
import { insertSubkey, insertUpstream, testSecretBox } from '../helpers/proxy-fixtures';

const HOUR = 3_600_000;
const START = Date.parse('2026-06-01T12:00:00Z');

let dir: string;
let db: Database;
let upstreamId: string;
let pushed: BudgetThreshold[];
let alerts: ExpiryAlerts;

function startAlerts(): ExpiryAlerts {
  alerts = new ExpiryAlerts(db, (event) => pushed.push(event));
  alerts.start();
  return alerts;
}

beforeEach(() => {
  vi.useFakeTimers({ now: START, toFake: ['Date', 'setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
  dir = mkdtempSync(join(tmpdir(), 'keygate-expiry-'));
  db = openDatabase(join(dir, 'keygate.db'));
  upstreamId = insertUpstream(db, testSecretBox(), { baseUrl: 'http://127.0.0.1:9', apiKey: 'sk-upstream-REAL-0123456789abcdefghijklmnop' });
  pushed = [];
});

afterEach(() => {
  alerts?.stop();
  vi.useRealTimers();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('budget:threshold for expiry', () => {
  it('fires once, exactly 24 h before the key expires, from a timer (no request needed)', () => {
    const key = insertSubkey(db, { upstreamId, name: 'temp', expiresAt: START + 30 * HOUR });
    startAlerts();
    expect(pushed).toEqual([]);
    vi.advanceTimersByTime(6 * HOUR - 1);
    expect(pushed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(pushed).toEqual([
      { kind: 'expiry', subkeyId: key.id, subkeyName: 'temp', expiresAt: '2026-06-02T18:00:00.000Z', at: '2026-06-01T18:00:00.000Z' },
    ]);
    vi.advanceTimersByTime(48 * HOUR);
    expect(pushed).toHaveLength(1);
  });

  it('fires at once for a key already within 24 h, and not again after a restart', () => {
    insertSubkey(db, { upstreamId, expiresAt: START + 2 * HOUR });
    startAlerts();
    expect(pushed).toMatchObject([{ kind: 'expiry', expiresAt: '2026-06-01T14:00:00.000Z' }]);
    alerts.stop();
    startAlerts();
    vi.advanceTimersByTime(HOUR);
    expect(pushed).toHaveLength(1);
  });

  it('warns of the soonest key first and sets the timer again for the next one', () => {
    const later = insertSubkey(db, { upstreamId, name: 'later', expiresAt: START + 48 * HOUR });
    const sooner = insertSubkey(db, { upstreamId, name: 'sooner', expiresAt: START + 30 * HOUR });
    startAlerts();
    vi.advanceTimersByTime(6 * HOUR);
    expect(pushed.map((event) => event.subkeyId)).toEqual([sooner.id]);
    vi.advanceTimersByTime(18 * HOUR - 1);
    expect(pushed).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(pushed.map((event) => event.subkeyId)).toEqual([sooner.id, later.id]);
  });

  it('re-arms the warning when the expiry changes, and follows a change to a later expiry', () => {
    const key = insertSubkey(db, { upstreamId, expiresAt: START + 10 * HOUR });
    startAlerts();
    expect(pushed).toHaveLength(1);
    // Extended by an hour: still within 24 h, so the new expiry is warned of at once.
    db.prepare('UPDATE subkeys SET expires_at = ? WHERE id = ?').run(START + 11 * HOUR, key.id);
    alerts.changed();
    vi.advanceTimersByTime(0);
    expect(pushed.map((event) => event.kind === 'expiry' && event.expiresAt)).toEqual(['2026-06-01T22:00:00.000Z', '2026-06-01T23:00:00.000Z']);
    // Extended by three days: warned of 24 h before the new expiry.
    db.prepare('UPDATE subkeys SET expires_at = ? WHERE id = ?').run(START + 72 * HOUR, key.id);
    alerts.changed();
    vi.advanceTimersByTime(48 * HOUR - 1);
    expect(pushed).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(pushed).toHaveLength(3);
    expect(pushed[2]).toMatchObject({ expiresAt: '2026-06-04T12:00:00.000Z' });
  });

  it('says nothing of disabled keys, keys already expired, and keys that never expire', () => {
    insertSubkey(db, { upstreamId, expiresAt: START + HOUR, enabled: false });
    insertSubkey(db, { upstreamId, expiresAt: START - HOUR });
    insertSubkey(db, { upstreamId, expiresAt: null });
    startAlerts();
    vi.advanceTimersByTime(72 * HOUR);
    expect(pushed).toEqual([]);
  });
});
