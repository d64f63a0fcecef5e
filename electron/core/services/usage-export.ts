import type { Writable } from 'node:stream';
import type { UsageEntry } from '../../shared/types';
import type { Database } from '../store/database';
import { iterateUsage } from '../store/usage-repo';

/** The export's columns, in order: a usage entry's fields (as usage:list answers them). */
export const USAGE_CSV_COLUMNS = [
  'id',
  'at',
  'subkeyId',
  'subkeyName',
  'subkeyDeleted',
  'method',
  'path',
  'model',
  'status',
  'latencyMs',
  'promptTokens',
  'completionTokens',
  'totalTokens',
  'cachedTokens',
  'reasoningTokens',
  'costUsd',
  'refusal',
] as const satisfies readonly (keyof UsageEntry)[];

/** Rows written between turns of the event loop, so a long export never holds the proxy's store for long. */
const ROWS_PER_TURN = 1_000;

/**
 * One CSV cell (RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled). A text cell starting with
 * `=`, `+`, `-`, `@`, tab or CR gets a leading `'`: spreadsheets run such a cell as a formula, and paths, model names
 * and refusal codes are chosen by whoever calls the proxy (OWASP's "CSV injection"). Numbers are never text here, so
 * a negative number could not be mangled.
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A usage entry as one CSV record, CRLF-terminated. */
export function usageCsvLine(entry: UsageEntry): string {
  let line = '';
  for (let index = 0; index < USAGE_CSV_COLUMNS.length; index++) {
    if (index > 0) line += ',';
    line += csvCell(entry[USAGE_CSV_COLUMNS[index]!]);
  }
  return `${line}\r\n`;
}

/**
 * Streams the usage log (newest first, the filter of usage:list) to `sink` as CSV, a header line first, and ends it.
 * Rows are read with `stmt.iterate()` ROWS_PER_TURN at a time into one chunk; the iterator is closed before the
 * chunk is written (an open iterator keeps the connection busy, and the proxy writes on it between turns), and the
 * next chunk is read after the last id once the sink drained (backpressure). So memory stays bounded by a chunk and
 * the sink's buffer whatever the log's size. Resolves with the number of rows once the sink finished; rejects when
 * the sink closes early or fails.
 */
export async function writeUsageCsv(db: Database, filter: { subkeyId?: string | undefined; before?: number | undefined }, sink: Writable): Promise<number> {
  const closed = sinkClosed(sink);
  let rows = 0;
  let before = filter.before;
  let full = !sink.write(`${USAGE_CSV_COLUMNS.join(',')}\r\n`);
  for (;;) {
    if (full) await Promise.race([new Promise((resolve) => sink.once('drain', resolve)), closed.promise]);
    else await new Promise((resolve) => setImmediate(resolve));
    if (closed.failure) throw closed.failure;
    let chunk = '';
    let read = 0;
    for (const entry of iterateUsage(db, { subkeyId: filter.subkeyId, before })) {
      before = entry.id;
      chunk += usageCsvLine(entry);
      if (++read >= ROWS_PER_TURN) break;
    }
    rows += read;
    if (read === 0) break;
    full = !sink.write(chunk);
    if (read < ROWS_PER_TURN) break;
  }
  sink.end();
  await Promise.race([new Promise((resolve) => sink.once('finish', resolve)), closed.promise]);
  if (closed.failure) throw closed.failure;
  return rows;
}

/** Settles when the sink fails or closes before it finished; `failure` says why. */
function sinkClosed(sink: Writable): { promise: Promise<void>; failure: Error | null } {
  const state: { promise: Promise<void>; failure: Error | null } = { promise: Promise.resolve(), failure: null };
  state.promise = new Promise<void>((resolve) => {
    sink.once('error', (error: Error) => {
      state.failure = error;
      resolve();
    });
    sink.once('close', () => {
      if (!sink.writableFinished) state.failure ??= new Error('The export was closed before it finished.');
      resolve();
    });
  });
  return state;
}
