import { performance } from 'node:perf_hooks';
import type { KeyCache, SubkeyState } from './key-cache';
import { refundQuota, reserveQuota } from './quota';
import { normalizeUsage } from './usage-parse';
import { newUsageRecord, type UsageRecord } from './usage-record';
import type { WriteBatcher } from './write-batcher';

/** One response on a socket, with the request it took from the quota and its usage row. */
export interface Reservation {
  record: UsageRecord;
  /** The sub-key state the request was taken from (a refund checks its quota epoch against the current one). */
  subkey: SubkeyState;
  /** Quota was taken and not given back. */
  reserved: boolean;
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
 * The responses of one WebSocket connection, in the order they were asked for. Each takes one request from the
 * quota when it is asked for (`reserveQuota`, as an HTTP request does), and its usage row is completed when it ends:
 * charged when it completed or had produced output, refunded (`refundQuota`) when it failed or was cancelled before
 * any output. What is still open when the connection closes is charged if output had started, refunded otherwise.
 */
export class ResponseLedger {
  private readonly open: Reservation[] = [];

  constructor(
    private readonly path: string,
    private readonly keys: KeyCache,
    private readonly writes: WriteBatcher,
  ) {}

  /** How many responses are still open. */
  get size(): number {
    return this.open.length;
  }

  /**
   * Takes one request for a response (its usage row is written with the reservation). Throws the 429 ProxyError when
   * the sub-key has none left. `committed` resolves once the reservation is durable (null for an unlimited key).
   */
  reserve(subkey: SubkeyState, method: string, model: string | null, lane: string, eventId: string | null): { reservation: Reservation; committed: Promise<void> | null } {
    const record = newUsageRecord(method, this.path, Date.now());
    record.subkeyId = subkey.id;
    record.model = model;
    const committed = reserveQuota(subkey, record, this.writes);
    const reservation: Reservation = { record, subkey, reserved: subkey.remaining !== null, lane, eventId, responseId: null, output: false, started: performance.now() };
    this.open.push(reservation);
    return { reservation, committed };
  }

  /**
   * The reservation's batch did not commit: it never happened (the batcher gave the count back); its row says so.
   * A reservation the connection's close already settled is left as it is (that refund went into the same batch).
   */
  abandon(reservation: Reservation): void {
    if (!this.open.includes(reservation)) return;
    reservation.reserved = false;
    reservation.record.rowId = null;
    reservation.record.status = 500;
    reservation.record.refusal = 'internal_error';
    this.remove(reservation);
    this.writes.enqueueInsert(reservation.record);
  }

  /**
   * Upstream started a response (`response.created`): it belongs to the oldest reservation of its lane that has none
   * yet. Null when no reservation waits: upstream started it on its own (Realtime's voice activity detection).
   */
  bind(responseId: string, lane: string): Reservation | null {
    const reservation = this.open.find((candidate) => candidate.responseId === null && candidate.lane === lane);
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
   * from the event's `usage`; it is charged when it completed or had output, refunded otherwise.
   */
  settle(responseId: string | null, lane: string, end: ResponseEnd, usage: unknown): void {
    const reservation = this.started(responseId, lane);
    if (!reservation) return;
    const charged = end === 'completed' || reservation.output;
    const tokens = normalizeUsage(usage);
    if (tokens) Object.assign(reservation.record, tokens);
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
   * The connection closed: responses with output are charged (status 200), the others refunded and logged with
   * `refusal` (who closed: `client_closed`, `upstream_closed`, or the reason Keygate closed it).
   */
  closeAll(refusal: string): void {
    for (const reservation of [...this.open]) {
      if (reservation.output) this.finish(reservation, 200, null, true);
      else this.finish(reservation, 499, refusal, false);
    }
  }

  private started(responseId: string | null, lane: string): Reservation | undefined {
    if (responseId !== null) return this.open.find((candidate) => candidate.responseId === responseId);
    return this.open.find((candidate) => candidate.responseId !== null && candidate.lane === lane);
  }

  private finish(reservation: Reservation, status: number, refusal: string | null, charged: boolean): void {
    this.remove(reservation);
    if (!charged && reservation.reserved) {
      reservation.reserved = false;
      refundQuota(reservation.subkey, this.keys, this.writes);
    }
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
