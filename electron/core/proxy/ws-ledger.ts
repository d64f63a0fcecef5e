import { performance } from 'node:perf_hooks';
import type { SubkeyState } from './key-cache';
import type { SpendAmounts, SpendGate, Reservation as SpendReservation } from './spend-gate';
import { normalizeUsage } from './usage-parse';
import { newUsageRecord, type UsageRecord } from './usage-record';
import type { WriteBatcher } from './write-batcher';
import type { SocketSpend } from './ws-spend';

/** One response on a socket, with what it holds of the quota and budgets (SpendGate) and its usage row. */
export interface Reservation {
  record: UsageRecord;
  /** The request and budget amounts taken for it, until settled or released. */
  spend: SpendReservation;
  /** The client's event went upstream: from then on a close charges the reservation (upstream may be at work). */
  relayed: boolean;
  /** The Responses WebSocket lane (`stream_id`, '' for the default one); Realtime has one lane. */
  lane: string;
  /** The `event_id` of the client event that asked for it (Realtime errors name it). */
  eventId: string | null;
  /** Upstream's id, once `response.created` named it. */
  responseId: string | null;
  /** Upstream sent output for it (a failure after that is charged). */
  output: boolean;
  started: number;
}

/** How a response ended, from its final event. */
export type ResponseEnd = 'completed' | 'failed' | 'cancelled';

/**
 * The responses of one WebSocket connection, in the order they were asked for. Each reserves one request and its
 * budgets' worst case through the SpendGate when it is asked for, as an HTTP request does, and its usage row is
 * completed when it ends: settled to the usage of its final event when it completed or had produced output, released
 * when it failed, was cancelled or was refused before any output. What is still open when the connection closes is
 * charged its reservation if it had gone upstream (as an HTTP stream the client left: no usage came), released
 * otherwise.
 */
export class ResponseLedger {
  private readonly open: Reservation[] = [];

  constructor(
    private readonly path: string,
    private readonly gate: SpendGate,
    private readonly writes: WriteBatcher,
    private readonly spend: SocketSpend,
  ) {}

  /** How many responses are still open. */
  get size(): number {
    return this.open.length;
  }

  /**
   * Reserves `amounts` (one request, and the response's worst case in tokens and USD) for a response; its usage row is
   * written with the reservation. Throws the ProxyError when it does not fit (429 `insufficient_quota` /
   * `budget_exceeded`, 403 `price_unknown`). `committed` resolves once the reservation is durable.
   */
  reserve(subkey: SubkeyState, method: string, model: string | null, lane: string, eventId: string | null, amounts: SpendAmounts): { reservation: Reservation; committed: Promise<void> } {
    const record = newUsageRecord(method, this.path, Date.now());
    record.subkeyId = subkey.id;
    record.model = model;
    const spend = this.gate.reserve(subkey, amounts, record);
    const reservation: Reservation = { record, spend, relayed: false, lane, eventId, responseId: null, output: false, started: performance.now() };
    this.open.push(reservation);
    return { reservation, committed: spend.committed };
  }

  /**
   * The reservation's batch did not commit: it never happened (the batcher gave the count back); its row says so.
   * A reservation the connection's close already settled is left as it is (that refund went into the same batch).
   */
  abandon(reservation: Reservation): void {
    if (!this.open.includes(reservation)) return;
    this.gate.abandon(reservation.spend);
    reservation.record.rowId = null;
    reservation.record.status = 500;
    reservation.record.refusal = 'internal_error';
    this.remove(reservation);
    this.writes.enqueueInsert(reservation.record);
  }

  /**
   * Upstream started a response (`response.created`): it belongs to the oldest reservation of its lane that went
   * upstream and has none yet (upstream answers a lane's events in order). Null when no reservation waits: upstream
   * started it on its own (Realtime's voice activity detection).
   */
  bind(responseId: string, lane: string): Reservation | null {
    const reservation = this.open.find((candidate) => candidate.responseId === null && candidate.relayed && candidate.lane === lane);
    if (reservation) reservation.responseId = responseId;
    return reservation ?? null;
  }

  /** Whether some started response has no output yet (only then is an output event worth parsing). */
  awaitsOutput(): boolean {
    return this.open.some((reservation) => reservation.responseId !== null && !reservation.output);
  }

  /** Upstream sent output for response `responseId`, or (when the event names none) for the oldest started one of `lane`. */
  markOutput(responseId: string | null, lane: string): void {
    const reservation = this.started(responseId, lane);
    if (reservation) reservation.output = true;
  }

  /**
   * A response ended (`response.done`, `response.completed`, `response.failed`…): its row gets the status and tokens
   * from the event's `usage`; when it completed or had output its reservation is settled to that usage (priced, audio
   * included), else released.
   */
  settle(responseId: string | null, lane: string, end: ResponseEnd, usage: unknown): void {
    const reservation = this.started(responseId, lane);
    if (!reservation) return;
    const charged = end === 'completed' || reservation.output;
    const tokens = normalizeUsage(usage);
    if (tokens) Object.assign(reservation.record, tokens);
    if (charged) {
      // Priced for every response, as over HTTP: the row shows its cost, and the price is cached rates (prices.ts).
      const spent = this.spend.usageAmounts(reservation.record.model, usage, true);
      this.gate.settle(reservation.spend, spent);
      reservation.record.costUsd = spent?.usd ?? null;
    }
    this.finish(reservation, charged ? 200 : end === 'cancelled' ? 499 : 500, null, charged);
  }

  /**
   * An `error` event ended the response asked for by client event `eventId` (Realtime), or the oldest response of
   * `lane` without output (Responses): refunded with `status`, unless it had output.
   */
  fail(eventId: string | null, lane: string | null, status: number): void {
    const reservation =
      eventId !== null
        ? this.open.find((candidate) => candidate.eventId === eventId && !candidate.output)
        : lane !== null
          ? this.open.find((candidate) => candidate.lane === lane && !candidate.output)
          : undefined;
    if (reservation) this.finish(reservation, status, null, false);
  }

  /**
   * The connection closed with responses open, so no usage will come for them. One that had gone upstream is charged
   * its reservation (logged 200 when upstream had started it, else 499 with `refusal`: who closed —
   * `client_closed`, `upstream_closed`, or the reason Keygate closed it); one still waiting for its reservation to
   * commit is released (499 with `refusal`).
   */
  closeAll(refusal: string): void {
    for (const reservation of [...this.open]) {
      const started = reservation.responseId !== null || reservation.output;
      const charged = reservation.relayed || started;
      if (charged) this.gate.settle(reservation.spend, null);
      this.finish(reservation, started ? 200 : 499, started ? null : refusal, charged);
    }
  }

  private started(responseId: string | null, lane: string): Reservation | undefined {
    if (responseId !== null) return this.open.find((candidate) => candidate.responseId === responseId);
    return this.open.find((candidate) => candidate.responseId !== null && candidate.lane === lane);
  }

  private finish(reservation: Reservation, status: number, refusal: string | null, charged: boolean): void {
    this.remove(reservation);
    // Settling or releasing twice is a no-op: a charged reservation was settled by the caller.
    if (!charged) this.gate.release(reservation.spend);
    const { record } = reservation;
    record.status = status;
    record.refusal = refusal;
    record.latencyMs = Math.round((performance.now() - reservation.started) * 1000) / 1000;
    this.writes.enqueueComplete(record);
  }

  private remove(reservation: Reservation): void {
    const index = this.open.indexOf(reservation);
    if (index !== -1) this.open.splice(index, 1);
  }
}
