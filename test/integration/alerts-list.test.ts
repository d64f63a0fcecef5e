/**
 * alerts:list answers the budget:threshold pushes the store kept (real SQLite file), newest first, so a window
 * opened after they fired — or after a restart — still shows them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BudgetAlerts, type SpendReader } from '../../electron/core/budgets/budget-alerts';
import { ExpiryAlerts } from '../../electron/core/budgets/expiry-alerts';
import { ALERTS_LIST_LIMIT, createAlertsService } from '../../electron/core/services/alerts';
import { openDatabase, type Database } from '../../electron/core/store/database';
import type { Budget, BudgetThreshold } from '../../electron/shared/types';
import { insertSubkey, insertUpstream, testSecretBox } from '../helpers/proxy-fixtures';

const HOUR = 3_600_000;
const DAY_START = Date.parse('2026-12-04T00:00:00Z');

let dir: string;
let db: Database;
let upstreamId: string;
let pushed: BudgetThreshold[];
let clock: number;
/** What each key has spent, as the proxy's SpendGate would answer it. */
const spent = new Map<string, number>();
const spend: SpendReader = { budgetSpent: (subkeyId) => ({ spent: spent.get(subkeyId) ?? 0, start: DAY_START, end: DAY_START + 24 * HOUR }) };
const dailyRequests: Budget = { metric: 'requests', limit: 10, window: 'day' };

function budgetAlerts(): BudgetAlerts {
  return new BudgetAlerts(db, spend, (event) => pushed.push(event), () => clock);
}

/** Closes the store and opens it again: what a restart does. */
function reopen(): void {
  db.close();
  db = openDatabase(join(dir, 'keygate.db'));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-alerts-list-'));
  db = openDatabase(join(dir, 'keygate.db'));
  upstreamId = insertUpstream(db, testSecretBox(), { baseUrl: 'http://127.0.0.1:9', apiKey: 'sk-upstream-REAL-0123456789abcdefghijklmnop' });
  pushed = [];
  spent.clear();
  clock = DAY_START + 10 * HOUR;
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('alerts:list', () => {
  it('answers what fired, newest first, exactly as it was pushed, after a restart too', () => {
    const bot = insertSubkey(db, { upstreamId, name: 'bot' });
    const temp = insertSubkey(db, { upstreamId, name: 'temp', expiresAt: clock + 5 * HOUR });
    const alerts = budgetAlerts();
    spent.set(bot.id, 8);
    alerts.settled(bot.id, [dailyRequests]);
    alerts.flush();
    clock += 60_000;
    const expiry = new ExpiryAlerts(db, (event) => pushed.push(event), () => clock);
    expiry.start();
    expiry.stop();
    expect(pushed.map((event) => event.kind)).toEqual(['budget', 'expiry']);

    reopen();
    expect(createAlertsService({ db }).list()).toEqual([...pushed].reverse());
    expect(pushed[1]).toMatchObject({ subkeyId: temp.id, subkeyName: 'temp' });
  });

  it('keeps the latest announcement per budget, under the key’s current name, and forgets a deleted key', () => {
    const bot = insertSubkey(db, { upstreamId, name: 'bot' });
    const gone = insertSubkey(db, { upstreamId, name: 'gone' });
    const alerts = budgetAlerts();
    spent.set(bot.id, 8);
    spent.set(gone.id, 10);
    alerts.settled(bot.id, [dailyRequests]);
    alerts.settled(gone.id, [dailyRequests]);
    alerts.flush();
    clock += 60_000;
    spent.set(bot.id, 10);
    alerts.settled(bot.id, [dailyRequests]);
    alerts.flush();
    expect(pushed.map((event) => [event.subkeyId, event.kind === 'budget' && event.percent])).toEqual([
      [bot.id, 80],
      [gone.id, 100],
      [bot.id, 100],
    ]);

    db.prepare('UPDATE subkeys SET name = ? WHERE id = ?').run('bot renamed', bot.id);
    db.prepare('DELETE FROM subkeys WHERE id = ?').run(gone.id);
    expect(createAlertsService({ db }).list()).toEqual([{ ...pushed[2], subkeyName: 'bot renamed' }]);
  });

  it('answers at most the newest 50, and leaves out rows kept before the push was', () => {
    const alerts = budgetAlerts();
    for (let i = 0; i < ALERTS_LIST_LIMIT + 5; i++) {
      const key = insertSubkey(db, { upstreamId, name: `key ${i}` });
      spent.set(key.id, 10);
      alerts.settled(key.id, [dailyRequests]);
      alerts.flush();
      clock += 1000;
    }
    const old = insertSubkey(db, { upstreamId, name: 'old' });
    db.prepare("INSERT INTO threshold_alerts (subkey_id, slot, mark, percent, fired_at) VALUES (?, 'requests day', '0 10', 100, ?)").run(old.id, clock + HOUR);

    const listed = createAlertsService({ db }).list();
    expect(listed).toHaveLength(ALERTS_LIST_LIMIT);
    expect(listed).toEqual(pushed.slice(-ALERTS_LIST_LIMIT).reverse());
  });
});
