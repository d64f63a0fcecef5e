/** Token counts read from an answer; null where unknown. */
export interface TokenUsage {
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
}

/** One row of the usage log, filled in as the request goes; `rowId` is set once the row is written. */
export interface UsageRecord extends TokenUsage {
  rowId: number | bigint | null;
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
}

/** A fresh record for a request that just arrived. */
export function newUsageRecord(method: string, path: string, at: number): UsageRecord {
  return {
    rowId: null,
    subkeyId: null,
    at,
    method,
    path,
    model: null,
    status: null,
    latencyMs: null,
    promptTokens: null,
    completionTokens: null,
    totalTokens: null,
    refusal: null,
  };
}
