import type { Database } from '../store/database';
import type { UsageRow } from '../store/usage-repo';
import { addTo, CarriedReservations, carriedOf, spendColumn, sumSpendChange, type CarriedReservation } from './carried-reservations';
import { DailyRollup } from './daily-rollup';
import { IdleCheckpoints } from './idle-checkpoints';
import type { BatchFileSummary } from './batch-files';
import type { LateKind, LateSettlementRow } from './late-settlements';
import { MAX_STORED_MODEL, newUsageRecord, storedTokens, truncated, type UsageRecord } from './usage-record';

const enum OpKind {
  Insert,
  Complete,
}

interface Op {
  kind: OpKind;
  record: UsageRecord;
}

/** A change to what one budget window has spent (reservation, settlement or release). */
export interface SpendChange {
  /** The budget's ledger key in the spend gate (`subkeyId metric window`). */
  ledgerKey: string;
  subkeyId: string;
  metric: string;
  window: string;
  windowStart: number;
  delta: number;
}

/** What must be durable before a request goes on: its reservation, and that it is in flight. */
interface Reservations {
  /** Requests now in flight, journaled in `in_flight` (with the reservation each carries) until their usage row is written. */
  journal: UsageRecord[];
  /** last_used_at to write per sub-key: at most one write per key per LAST_USED_EVERY_MS. */
  lastUsed: Map<string, number>;
  committed: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Whether someone waits on `committed` (otherwise a failure must not become an unhandled rejection). */
  awaited: boolean;
}

/** What may wait for the next lazy commit: the usage log and the counters and records beside it. */
interface LogBatch {
  ops: Op[];
  /** Requests refused before a sub-key was known, counted per hour and reason (key: `hour reason`). */
  refusals: Map<string, { hour: number; reason: string; count: number }>;
  /** Objects created through the proxy, with the sub-key that owns them (object-ownership.ts). */
  objects: { id: string; subkeyId: string; kind: string; at: number }[];
  batchFiles: { fileId: string; subkeyId: string; summary: BatchFileSummary }[];
  /** Work settled after its answer, kept (a row) or settled (null row), in the order they came (late-settlements.ts). */
  late: { kind: LateKind; objectId: string; row: LateSettlementRow | null }[];
  /** Quota given back per sub-key (refunds), summed. */
  deltas: Map<string, number>;
  /** Spend changes per budget window after reservations (settlements, releases; key: see enqueueSpend), summed. */
  spend: Map<string, SpendChange> | null;
}

/** How long the usage log and other after-the-fact records may wait before they are written. */
const LAZY_FLUSH_MS = 25;
const HOUR_MS = 3_600_000;
/**
 * How stale a sub-key's stored last_used_at may get while it is in use: writing it on every batch cost a row update
 * per key per batch even for unlimited keys. The first use after a quiet spell is always written.
 */
export const LAST_USED_EVERY_MS = 30_000;

/**
 * Group commit in two parts. The reservations of every request seen in one event-loop turn — a small `in_flight`
 * journal row per request, carrying its quota and budget changes — are written in ONE immediate transaction (one WAL
 * commit) in the check phase of that turn; each request waits for it before it is forwarded, so a reservation, and
 * that the request is in flight, are durable before upstream sees it. That commit writes the journal's page. The
 * usage log — each request's row (its table leaf, four index leaves, the daily roll-ups), refused rows, refusal
 * counters, created objects, work waiting to be settled late, refunds and settlements — waits up to LAZY_FLUSH_MS
 * and is written in one commit for many requests, which deletes the journal rows of those it logs and applies what
 * they carried with the refunds and settlements (carried-reservations.ts); a journaled request still running then
 * waits for the commit after it ends (`takeWaiting`). `flush` writes everything at once, running requests as they stand (every admin read and write
 * calls it first, so reads see every request as before). A journal row left at a start is a request whose row was
 * never written: it is logged then, its reservation applied, and marked interrupted (`recoverJournal`). A failed
 * commit loses what it held (`onFailed` restores the in-memory counts) and marks the store failing until a commit
 * succeeds (`failure`).
 */
export class WriteBatcher {
  private batch: Reservations | null = null;
  private log: LogBatch | null = null;
  /** Inserts of rows whose requests were still in flight at the last lazy commit (takeWaiting), oldest first. */
  private waiting: Op[] = [];
  private failing: string | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly updateSubkey;
  private readonly insertUsage;
  private readonly completeUsage;
  private readonly countRefusals;
  private readonly insertObject;
  private readonly insertBatchFile;
  private readonly insertLate;
  private readonly deleteLate;
  private readonly commitReservations;
  private readonly commitAll;
  private readonly journalInsert;
  private readonly journalDelete;
  private readonly rollup;
  private readonly checkpoints: IdleCheckpoints;
  /** The last_used_at last committed per sub-key. */
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly upsertSpend;
  private readonly carried = new CarriedReservations();
  /** Told about the spend changes of a batch that did not commit, so the in-memory ledger can take them back. */
  private spendDropped: ((changes: Iterable<SpendChange>) => void) | null = null;

  constructor(
    db: Database,
    /** With the sub-keys whose rows a commit finished, and those rows (as stored, oldest first). */
    private readonly onCommitted?: (subkeyIds: ReadonlySet<string | null>, finished: readonly UsageRecord[]) => void,
    private readonly onFailed?: (batchDeltas: ReadonlyMap<string, number>, error: unknown) => void,
    /** Called when commits start failing (with why) and when one succeeds again (null). */
    private readonly onHealthChange?: (failure: string | null) => void,
  ) {
    this.updateSubkey = db.prepare(
      'UPDATE subkeys SET remaining_requests = remaining_requests + ?, last_used_at = COALESCE(?, last_used_at) WHERE id = ?',
    );
    this.insertUsage = db.prepare(
      `INSERT INTO usage (subkey_id, at, method, path, model, status, latency_ms, prompt_tokens, completion_tokens, total_tokens, refusal,
                          cost_usd, cached_tokens, reasoning_tokens)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.completeUsage = db.prepare(
      `UPDATE usage SET model = ?, status = ?, latency_ms = ?, prompt_tokens = ?, completion_tokens = ?, total_tokens = ?, refusal = ?,
         cost_usd = ?, cached_tokens = ?, reasoning_tokens = ? WHERE id = ?`,
    );
    this.countRefusals = db.prepare(
      'INSERT INTO refusal_counts (hour, reason, count) VALUES (?, ?, ?) ON CONFLICT (hour, reason) DO UPDATE SET count = count + excluded.count',
    );
    this.rollup = new DailyRollup(db);
    this.checkpoints = new IdleCheckpoints(db);
    // The first owner stays: an upstream answering with an id it gave before must not hand the object to another key.
    this.insertObject = db.prepare('INSERT OR IGNORE INTO objects (id, subkey_id, kind, created_at) VALUES (?, ?, ?, ?)');
    this.insertBatchFile = db.prepare(
      'INSERT OR IGNORE INTO batch_files (file_id, subkey_id, line_count, models, endpoints, readable, estimate) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertLate = db.prepare(
      `INSERT OR REPLACE INTO late_settlements (kind, object_id, subkey_id, usage_id, upstream_id, models, holds, created_at)
       SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM subkeys WHERE id = ?) AND EXISTS (SELECT 1 FROM upstreams WHERE id = ?)`,
    );
    this.deleteLate = db.prepare('DELETE FROM late_settlements WHERE kind = ? AND object_id = ?');
    // A sub-key deleted while its request was on its way has no spend to keep (its rows went with it).
    this.upsertSpend = db.prepare(
      `INSERT INTO spend (subkey_id, metric, window, window_start, amount) SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM subkeys WHERE id = ?)
       ON CONFLICT (subkey_id, metric, window, window_start) DO UPDATE SET amount = amount + excluded.amount`,
    );
    this.journalInsert = db.prepare('INSERT INTO in_flight (subkey_id, at, method, path, model, quota, spend) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.journalDelete = db.prepare('DELETE FROM in_flight WHERE id = ?');
    const writeReservations = (batch: Reservations): void => {
      for (const [id, at] of batch.lastUsed) this.updateSubkey.run(0, at, id);
      for (const record of batch.journal) {
        // The key whose reservation it carries (the request's own: the proxy sets both from the same sub-key).
        const carried = record.carried;
        const subkeyId = carried ? carried.subkeyId : record.subkeyId;
        record.journalId = this.journalInsert.run(subkeyId, record.at, record.method, record.path, storedModel(record.model), carried?.quota ?? 0, spendColumn(carried?.spend ?? null)).lastInsertRowid;
      }
    };
    const updateQuota = (subkeyId: string, delta: number): void => void this.updateSubkey.run(delta, null, subkeyId);
    const upsertSpend = (change: SpendChange): void => void this.upsertSpend.run(change.subkeyId, change.metric, change.window, change.windowStart, change.delta, change.subkeyId);
    this.commitReservations = db.transaction(writeReservations);
    this.commitAll = db.transaction((batch: Reservations | null, log: LogBatch | null) => {
      if (batch) writeReservations(batch);
      if (!log) return;
      for (const { fileId, subkeyId, summary } of log.batchFiles) {
        this.insertBatchFile.run(fileId, subkeyId, summary.lines, JSON.stringify(summary.models), JSON.stringify(summary.endpoints), summary.readable ? 1 : 0, summary.estimate && JSON.stringify(summary.estimate));
      }
      for (const object of log.objects) this.insertObject.run(object.id, object.subkeyId, object.kind, object.at);
      for (const { hour, reason, count } of log.refusals.values()) this.countRefusals.run(hour, reason, count);
      for (const op of log.ops) {
        if (op.kind === OpKind.Insert) this.insert(op.record);
        else if (op.record.rowId !== null) this.complete(op.record);
      }
      for (const { kind, objectId, row } of log.late) {
        if (!row) this.deleteLate.run(kind, objectId);
        // Its usage row is written by now (in this commit or before); one dropped with a failed commit has none.
        else if (row.record.rowId !== null) {
          const { subkeyId, upstreamId } = row;
          this.insertLate.run(kind, objectId, subkeyId, row.record.rowId, upstreamId, JSON.stringify(row.models), JSON.stringify(row.holds), row.at, subkeyId, upstreamId);
        }
      }
      // Refunds and settlements join what the journal rows deleted here carried: one write per key and budget window.
      this.carried.include(log.deltas, log.spend);
      this.carried.write(updateQuota, upsertSpend);
      this.rollup.write();
    });
  }

  /**
   * Queues a usage row (in flight, or final for a refused request) and, when `reserve` names a sub-key, its quota
   * change. Nobody waits for it: a failed commit is reported through `onFailed`.
   */
  enqueueInsert(record: UsageRecord, quota?: { subkeyId: string; delta: number; at: number }): void {
    this.push(record, quota);
  }

  /**
   * Like enqueueInsert, for a caller that waits for the commit before going on (a failed commit rejects): a request
   * whose reservation (`quota`, and what it took from budget windows, `spend`) its journal row carries.
   */
  enqueueAwaitedInsert(record: UsageRecord, quota: { subkeyId: string; delta: number; at: number }, spend: SpendChange[] | null = null): Promise<void> {
    const batch = this.push(record, quota, spend)!;
    batch.awaited = true;
    return batch.committed;
  }

  /** The usage row goes to the log; the journal row, carrying the reservation (`quota`, `spend`), to this turn's reservations. */
  private push(record: UsageRecord, quota: { subkeyId: string; delta: number; at: number } | undefined, spend: SpendChange[] | null = null): Reservations | null {
    this.logBatch().ops.push({ kind: OpKind.Insert, record });
    if (!quota) return null;
    const batch = this.current();
    batch.journal.push(record);
    if (quota.delta !== 0 || spend !== null) this.carried.carry(record, { subkeyId: quota.subkeyId, quota: quota.delta, spend });
    const written = this.lastUsedWritten.get(quota.subkeyId);
    if (batch.lastUsed.has(quota.subkeyId) || written === undefined || quota.at - written >= LAST_USED_EVERY_MS) {
      batch.lastUsed.set(quota.subkeyId, quota.at);
    }
    return batch;
  }

  /**
   * Queues the usage row of a request a stop left journaled (`record.journalId`), with the reservation its journal row
   * carries: the commit that writes the row deletes the journal row and applies the reservation, as for any request.
   */
  enqueueJournaled(record: UsageRecord, carried: CarriedReservation | null): void {
    if (carried) this.carried.carry(record, carried);
    this.push(record, undefined);
  }

  /** Queues the final state of a usage row written earlier. */
  enqueueComplete(record: UsageRecord): void {
    // A row not yet written is written by its queued insert, as the record then stands: most requests finish before
    // the lazy log is written, and an UPDATE of the row just inserted cost each of them a statement and its indexes.
    // (A row whose insert was dropped with a failed commit is never written; nothing to update either.) A row whose
    // insert waits for its request to end (see `waiting`) is written by the next lazy commit.
    if (record.rowId === null) {
      if (this.waiting.length > 0) this.armLazy();
      return;
    }
    this.logBatch().ops.push({ kind: OpKind.Complete, record });
  }

  /**
   * Counts a request refused before a sub-key was known (no key, an unknown key, a foreign Host): one counter per
   * hour and reason, so such requests cost the store nothing per request. Rides in the next batch like a refused row.
   */
  enqueueRefusal(reason: string, at: number): void {
    const batch = this.logBatch();
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    const key = `${hour} ${reason}`;
    const counter = batch.refusals.get(key);
    if (counter) counter.count++;
    else batch.refusals.set(key, { hour, reason, count: 1 });
  }

  /** Queues the ownership of an object a response created; rides in the next batch like a refund. */
  enqueueObject(id: string, subkeyId: string, kind: string, at: number): void {
    this.logBatch().objects.push({ id, subkeyId, kind, at });
  }

  /** Queues keeping work settled after its answer (its usage row's id is taken when the row is written). */
  enqueueLateSettlement(row: LateSettlementRow): void {
    this.logBatch().late.push({ kind: row.kind, objectId: row.objectId, row });
  }

  /** Queues forgetting work settled after its answer: it was settled (or its usage showed). */
  enqueueLateSettled(kind: LateKind, objectId: string): void {
    this.logBatch().late.push({ kind, objectId, row: null });
  }

  /** Takes on a usage row an earlier run wrote (a late settlement read back), so its completion moves the roll-up. */
  adopt(record: UsageRecord): void {
    this.rollup.adopt(record);
  }

  /** Queues what a batch input file uploaded through `subkeyId` asks for. */
  enqueueBatchFile(fileId: string, subkeyId: string, summary: BatchFileSummary): void {
    this.logBatch().batchFiles.push({ fileId, subkeyId, summary });
  }

  /**
   * Queues a change to what a budget window has spent after its reservation (a settlement, a release): it rides in
   * the next lazy commit (a reservation is carried by its journal row, see enqueueAwaitedInsert; one lost in a crash
   * leaves the reservation charged, never less). `ledgerKey` names the budget (budgetLedgerKey, made once per budget
   * by the spend gate): changes are summed under it (sumSpendChange).
   */
  enqueueSpend(subkeyId: string, budget: { metric: string; window: string }, windowStart: number, delta: number, ledgerKey: string): void {
    const log = this.logBatch();
    sumSpendChange((log.spend ??= new Map()), subkeyId, budget, windowStart, delta, ledgerKey);
  }

  /** Registers who takes back the spend changes of a batch that failed to commit. */
  onSpendDropped(listener: (changes: Iterable<SpendChange>) => void): void {
    this.spendDropped = listener;
  }

  /** Queues a quota refund (+`count`, one by default) for a sub-key; it rides in the next lazy commit. */
  enqueueRefund(subkeyId: string, count = 1): void {
    addTo(this.logBatch().deltas, subkeyId, count);
  }

  /** The quota change not yet in the stored count of `subkeyId`: refunds queued, and what journal rows carry. */
  pendingDelta(subkeyId: string): number {
    return (this.log?.deltas.get(subkeyId) ?? 0) + this.carried.pendingQuota(subkeyId);
  }

  /**
   * Why the last commit failed (e.g. `SQLITE_FULL: database or disk is full`), or null when it succeeded: the store
   * cannot be written until a commit succeeds again.
   */
  get failure(): string | null {
    return this.failing;
  }

  /**
   * Writes everything pending now, synchronously, in one transaction: reservations, then the usage log. First rekeys
   * the daily roll-up if the time zone changed.
   */
  flush(): void {
    this.writeLog(false);
  }

  /** Writes the usage log; `lazily` (the timer's commit) leaves the rows of requests still in flight waiting. */
  private writeLog(lazily: boolean): void {
    try {
      this.rollup.followZone();
    } catch {
      // The roll-up stays keyed in its zone; the next flush tries again (a failing store shows in the commit below).
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.takeWaiting(lazily);
    this.write(true);
  }

  /**
   * Moves the waiting inserts into the log (ahead of what came since: they were queued first) and, for a lazy
   * commit, the inserts of journaled requests still in flight out of it. Their journal rows say they are in flight,
   * and written now each would cost an UPDATE (and the in-flight index twice) when it ends: at c=50 about a third
   * of the rows. A forced flush (an admin read, a stop) writes them as they stand.
   */
  private takeWaiting(lazily: boolean): void {
    if (this.waiting.length === 0 && !lazily) return;
    const ops = this.waiting.length === 0 ? (this.log?.ops ?? []) : [...this.waiting, ...(this.log?.ops ?? [])];
    this.waiting = [];
    if (lazily) {
      const now: Op[] = [];
      for (const op of ops) (op.kind === OpKind.Insert && isJournaledInFlight(op.record) ? this.waiting : now).push(op);
      if (this.log) this.log.ops = now;
      else if (now.length > 0) this.log = { ...emptyLog(), ops: now };
    } else {
      (this.log ??= emptyLog()).ops = ops;
    }
  }

  /** Writes this turn's reservations now (a request alone in flight need not wait for the turn's end). */
  flushReservations(): void {
    this.write(false);
  }

  private write(withLog: boolean): void {
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = null;
    const batch = this.batch;
    // A log emptied by a failed reservation writes nothing: its commit would not show the store writable again.
    const log = withLog && this.log && !isEmptyLog(this.log) ? this.log : null;
    if (withLog) this.log = null;
    if (!batch && !log) return;
    this.batch = null;
    try {
      if (log) this.commitAll.immediate(batch, log);
      else this.commitReservations.immediate(batch!);
    } catch (error) {
      this.dropFailed(batch, log, error);
      return;
    }
    if (log) {
      this.rollup.settle(true);
      this.carried.settle(true);
    }
    this.checkpoints.committed();
    if (batch) for (const [id, at] of batch.lastUsed) this.lastUsedWritten.set(id, at);
    this.setFailure(null);
    batch?.resolve();
    if (log && this.onCommitted) {
      const touched = new Set<string | null>();
      // A record can come twice (completed, then settled late by a retrieval in the same commit): one entry.
      const finished = new Set<UsageRecord>();
      for (const op of log.ops) {
        if (op.record.status === null || op.record.rowId === null) continue;
        touched.add(op.record.subkeyId);
        finished.add(op.record);
      }
      if (log.refusals.size > 0) touched.add(null);
      if (touched.size > 0) this.onCommitted(touched, [...finished]);
    }
  }

  /** A commit failed: what it held never happened (the in-memory counts get it back), and the store is failing. */
  private dropFailed(batch: Reservations | null, log: LogBatch | null, error: unknown): void {
    if (log) {
      this.rollup.settle(false);
      // Their rows were rolled back; a journal row written earlier stays (with what it carries), and logs the request
      // (and applies its reservation) at the next start.
      this.carried.settle(false);
      for (const op of log.ops) if (op.kind === OpKind.Insert) op.record.rowId = null;
      if (log.deltas.size > 0) this.onFailed?.(log.deltas, error);
      if (log.spend) this.spendDropped?.(log.spend.values());
    }
    if (batch) {
      // The journal rows were never written: the reservations they would have carried never happened either.
      const deltas = new Map<string, number>();
      const spend: SpendChange[] = [];
      for (const record of batch.journal) {
        record.journalId = null;
        const carried = record.carried;
        if (!carried) continue;
        if (carried.quota !== 0) addTo(deltas, carried.subkeyId, carried.quota);
        if (carried.spend) spend.push(...carried.spend);
        this.carried.drop(record);
      }
      if (deltas.size > 0) this.onFailed?.(deltas, error);
      if (spend.length > 0) this.spendDropped?.(spend);
      if (batch.awaited) batch.reject(error);
      // Requests whose reservation did not commit are refused unlogged: their in-flight rows must not follow.
      if (batch.journal.length > 0) {
        const refused = new Set(batch.journal);
        const kept = (op: Op) => !(op.kind === OpKind.Insert && refused.has(op.record));
        if (this.log) this.log.ops = this.log.ops.filter(kept);
        this.waiting = this.waiting.filter(kept);
      }
    }
    this.setFailure(describeFailure(error));
  }

  /** This turn's reservations, committed at the end of this event-loop turn (requests wait on them). */
  private current(): Reservations {
    if (!this.immediate) this.immediate = setImmediate(this.reservationsNow);
    if (this.batch) return this.batch;
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const committed = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.batch = { journal: [], lastUsed: new Map(), committed, resolve, reject, awaited: false };
    return this.batch;
  }

  /** The usage log's open batch, written within LAZY_FLUSH_MS. */
  private logBatch(): LogBatch {
    this.armLazy();
    return (this.log ??= emptyLog());
  }

  private armLazy(): void {
    if (!this.timer) this.timer = setTimeout(this.flushNow, LAZY_FLUSH_MS);
  }

  private readonly flushNow = (): void => this.writeLog(true);
  private readonly reservationsNow = (): void => this.write(false);

  private setFailure(failure: string | null): void {
    const changed = (failure === null) !== (this.failing === null);
    this.failing = failure;
    if (changed) this.onHealthChange?.(failure);
  }

  private insert(record: UsageRecord): void {
    const values = [
      record.at,
      record.method,
      record.path,
      storedModel(record.model),
      record.status,
      record.latencyMs,
      storedTokens(record.promptTokens),
      storedTokens(record.completionTokens),
      storedTokens(record.totalTokens),
      record.refusal,
      record.costUsd,
      storedTokens(record.cachedTokens),
      storedTokens(record.reasoningTokens),
    ] as const;
    try {
      record.rowId = this.insertUsage.run(record.subkeyId, ...values).lastInsertRowid;
      this.rollup.inserted(record, record.subkeyId);
    } catch (error) {
      // The sub-key was deleted while its request was on its way: keep the row, unattributed (as ON DELETE SET NULL would).
      if (record.subkeyId === null || !isForeignKeyError(error)) throw error;
      record.rowId = this.insertUsage.run(null, ...values).lastInsertRowid;
      this.rollup.inserted(record, null);
    }
    // Logged now: the journal need not remember it, and what its row carried is applied in this commit.
    if (record.journalId !== undefined && record.journalId !== null) {
      this.journalDelete.run(record.journalId);
      this.carried.apply(record);
    }
  }

  private complete(record: UsageRecord): void {
    this.completeUsage.run(
      storedModel(record.model),
      record.status,
      record.latencyMs,
      storedTokens(record.promptTokens),
      storedTokens(record.completionTokens),
      storedTokens(record.totalTokens),
      record.refusal,
      record.costUsd,
      storedTokens(record.cachedTokens),
      storedTokens(record.reasoningTokens),
      record.rowId,
    );
    this.rollup.updated(record);
  }
}

/**
 * Logs the requests a stop left in the `in_flight` journal (their reservation was written, their usage row never) as
 * rows still in flight, with their roll-ups, so that `markInterruptedUsage` marks and counts them interrupted as it
 * does rows in flight. Only while no request is in flight: the core calls it at start. Returns how many it logged.
 */
export function recoverJournal(db: Database): number {
  // A journal row has the columns a usage row starts with.
  const rows = db.prepare('SELECT id, subkey_id, at, method, path, model, quota, spend FROM in_flight ORDER BY id').all() as (Pick<UsageRow, 'id' | 'subkey_id' | 'at' | 'method' | 'path' | 'model'> & { quota: number; spend: string | null })[];
  if (rows.length === 0) return 0;
  const writes = new WriteBatcher(db);
  for (const row of rows) {
    const record = newUsageRecord(row.method, row.path, row.at);
    record.subkeyId = row.subkey_id;
    record.model = row.model;
    record.journalId = row.id;
    writes.enqueueJournaled(record, carriedOf(row.subkey_id, row.quota, row.spend));
  }
  writes.flush();
  if (writes.failure !== null) throw new Error(`the requests in flight at the last stop could not be logged: ${writes.failure}`);
  return rows.length;
}

function emptyLog(): LogBatch {
  return { ops: [], refusals: new Map(), objects: [], batchFiles: [], late: [], deltas: new Map(), spend: null };
}

/**
 * A request's row that is still in flight (neither answered nor refused) and whose journal row is written: a stop
 * before its usage row is written still logs it (recoverJournal). A row without one (a WebSocket connection's) is not.
 */
function isJournaledInFlight(record: UsageRecord): boolean {
  return record.status === null && record.refusal === null && record.journalId !== undefined && record.journalId !== null;
}

function isEmptyLog(log: LogBatch): boolean {
  return (
    log.ops.length === 0 && log.refusals.size === 0 && log.objects.length === 0 && log.batchFiles.length === 0 && log.late.length === 0 &&
    log.deltas.size === 0 && log.spend === null
  );
}

function storedModel(model: string | null): string | null {
  return model === null ? null : truncated(model, MAX_STORED_MODEL);
}

/** `SQLITE_FULL: database or disk is full`: the code and SQLite's message, which name no data. */
function describeFailure(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  return typeof code === 'string' ? `${code}: ${text}` : text;
}

function isForeignKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
