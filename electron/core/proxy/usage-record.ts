import type { UsageEntry } from '../../shared/types';
import type { CarriedReservation } from './carried-reservations';
import type { RollupCount } from './daily-rollup';

/** Token counts read from an answer; null where unknown. */
export interface TokenUsage {
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  /** Of `promptTokens`, read from the prompt cache; absent when the answer did not say. */
  cachedTokens?: number | null;
  /** Of `completionTokens`, spent on reasoning; absent when the answer did not say. */
  reasoningTokens?: number | null;
}

/** One row of the usage log, filled in as the request goes; `rowId` is set once the row is written. */
export interface UsageRecord extends TokenUsage {
  rowId: number | bigint | null;
  /** Its row in `in_flight` while the request is journaled there and its usage row is not yet written. */
  journalId?: number | bigint | null;
  subkeyId: string | null;
  at: number;
  method: string;
  path: string;
  model: string | null;
  /** HTTP status answered; null while in flight. */
  status: number | null;
  latencyMs: number | null;
  /** Why Keygate answered the request itself (the error code), or null when upstream answered. */
  refusal: string | null;
  cachedTokens: number | null;
  reasoningTokens: number | null;
  /** What the answer cost in US dollars (the price its budgets were settled with); null when unpriced or unanswered. */
  costUsd: number | null;
  /** What its written row counts for in the daily roll-up (daily-rollup.ts); null until a commit wrote it. */
  counted: RollupCount | null;
  /** Its count in the commit being written, which becomes `counted` only if that commit succeeds (daily-rollup.ts). */
  pendingCount: RollupCount | null;
  /** The reservation its journal row carries until the commit that writes its usage row (carried-reservations.ts). */
  carried: CarriedReservation | null;
}

/** Puts an answer's token counts on its usage row (the cached and reasoning parts null when the answer did not say). */
export function recordTokens(record: UsageRecord, usage: TokenUsage): void {
  record.promptTokens = usage.promptTokens;
  record.completionTokens = usage.completionTokens;
  record.totalTokens = usage.totalTokens;
  record.cachedTokens = usage.cachedTokens ?? null;
  record.reasoningTokens = usage.reasoningTokens ?? null;
}

/** The longest path and model name a usage row keeps: a client chooses them, and must not choose how big rows get. */
export const MAX_STORED_PATH = 512;
export const MAX_STORED_MODEL = 256;
/** The largest token count stored: upstream's numbers are summed per day, and SQLite's sum must not overflow. */
export const MAX_STORED_TOKENS = 1_000_000_000_000;

/** `text` cut to at most `max` UTF-16 code units, never between the two halves of a surrogate pair. */
export function truncated(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** A token count as stored: a whole number in 0..MAX_STORED_TOKENS, null when unknown. */
export function storedTokens(count: number | null): number | null {
  if (count === null || Number.isNaN(count)) return null;
  return Math.min(Math.max(Math.round(count), 0), MAX_STORED_TOKENS);
}

/**
 * A record as the usage log answers it once written (its row id set): the stored, bounded values. The sub-key's name
 * is not the proxy's to know: the usage:changed throttle fills it in from the sub-keys it reads anyway.
 */
export function usageEntryOf(record: UsageRecord): UsageEntry {
  return {
    id: Number(record.rowId),
    subkeyId: record.subkeyId,
    subkeyName: null,
    subkeyDeleted: false,
    at: new Date(record.at).toISOString(),
    method: record.method,
    path: record.path,
    model: record.model === null ? null : truncated(record.model, MAX_STORED_MODEL),
    status: record.status,
    latencyMs: record.latencyMs,
    promptTokens: storedTokens(record.promptTokens),
    completionTokens: storedTokens(record.completionTokens),
    totalTokens: storedTokens(record.totalTokens),
    refusal: record.refusal,
    costUsd: record.costUsd,
    cachedTokens: storedTokens(record.cachedTokens),
    reasoningTokens: storedTokens(record.reasoningTokens),
  };
}

/** A fresh record for a request that just arrived (its path cut to MAX_STORED_PATH). */
export function newUsageRecord(method: string, path: string, at: number): UsageRecord {
  return {
    rowId: null,
    subkeyId: null,
    at,
    method,
    path: truncated(path, MAX_STORED_PATH),
    model: null,
    status: null,
    latencyMs: null,
    promptTokens: null,
    completionTokens: null,
    totalTokens: null,
    refusal: null,
    cachedTokens: null,
    reasoningTokens: null,
    costUsd: null,
    counted: null,
    pendingCount: null,
    carried: null,
  };
}
