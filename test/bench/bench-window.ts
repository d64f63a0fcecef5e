import { createUsageThrottle } from '../../electron/core/event-hub';
import { createSubkeysService } from '../../electron/core/services/subkeys';
import { createUsageService } from '../../electron/core/services/usage';
import type { Database } from '../../electron/core/store/database';
import { getSubkey } from '../../electron/core/store/subkeys-repo';
import { dailyUsageScan } from '../../electron/core/store/usage-repo';
import type { ProxyOptions } from '../../electron/core/proxy/types';
import { coalesced } from '../../renderer/src/store/coalesce';

/** As the Usage screen shows them (renderer/src/store/usage-slice.ts). */
const USAGE_PAGE_SIZE = 100;
const USAGE_CHART_DAYS = 14;

/**
 * Seeds `rows` usage rows spread over the last 90 days in one statement (and their daily roll-up), as a store
 * with a long history has them.
 */
export function seedUsage(db: Database, rows: number): void {
  const now = Date.now();
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
    INSERT INTO usage (subkey_id, at, method, path, model, status, latency_ms, prompt_tokens, completion_tokens, total_tokens)
      SELECT 'key', ${now} - (i * 7919) % ${90 * 86_400_000}, 'POST', '/v1/chat/completions', 'gpt-4o-mini', 200, 1.5, 11, 7, 18 FROM n;
    DELETE FROM usage_daily;
    INSERT INTO usage_daily (day, subkey_id, subkey_name, rows, requests, interrupted, refused, total_tokens)
      SELECT (at / 86400000) * 86400000, coalesce(subkey_id, ''), coalesce(subkey_name, ''), count(*),
             sum(refusal IS NULL OR refusal = 'interrupted'), sum(refusal IS 'interrupted'),
             sum(NOT (refusal IS NULL OR refusal = 'interrupted') AND method != 'WS'),
             coalesce(sum(CASE WHEN refusal IS NULL OR refusal = 'interrupted' THEN total_tokens END), 0)
      FROM usage GROUP BY 1, 2, 3;
  `);
}

/**
 * An open window in the proxy's process, as the desktop app has one: it follows the same `usage:changed` pushes
 * (throttled as the core throttles them) and reacts as the renderer's store does (followPushEvents: patch what a
 * push carries, coalesced reads of the rest through the same services), on the proxy's thread. Returns the proxy
 * options that feed it.
 */
export function openWindow(db: Database): Required<Pick<ProxyOptions, 'onUsage' | 'onUsageRows'>> {
  const subkeys = createSubkeysService({ db });
  const usage = createUsageService({ db });
  const shown = { subkeys: subkeys.list({}), usage: usage.list({ limit: USAGE_PAGE_SIZE }), daily: usage.daily({ days: USAGE_CHART_DAYS }) };
  const readSubkeys = coalesced(async () => void (shown.subkeys = subkeys.list({})));
  const readUsage = coalesced(async () => {
    shown.usage = usage.list({ limit: USAGE_PAGE_SIZE });
    shown.daily = usage.daily({ days: USAGE_CHART_DAYS });
    usage.refusals();
  });
  const readTotals = coalesced(async () => {
    shown.daily = usage.daily({ days: USAGE_CHART_DAYS });
    usage.refusals();
  });
  const throttle = createUsageThrottle(
    (change) => {
      // KG_WINDOW=full: the window as it was before pushes carried changes (every push re-read all three lists).
      if (process.env.KG_WINDOW === 'full') {
        shown.subkeys = subkeys.list({});
        shown.usage = usage.list({ limit: USAGE_PAGE_SIZE });
        shown.daily = dailyUsageScan(db, { days: USAGE_CHART_DAYS });
        return;
      }
      if (!change.subkeys) readSubkeys();
      else {
        const byId = new Map(change.subkeys.map((each) => [each.id, each]));
        shown.subkeys = shown.subkeys.map((each) => byId.get(each.id) ?? each);
      }
      if (!change.entries) readUsage();
      else {
        shown.usage = [...change.entries, ...shown.usage].slice(0, USAGE_PAGE_SIZE);
        readTotals();
      }
    },
    undefined,
    (ids) => ids.flatMap((id) => getSubkey(db, id) ?? []),
  );
  return { onUsage: (subkeyId) => throttle.notify(subkeyId), onUsageRows: (entries) => throttle.rows(entries) };
}
