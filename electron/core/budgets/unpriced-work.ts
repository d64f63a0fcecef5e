import type { Budget } from '../../shared/types';

/** Work that runs upstream after its answer, billed by a measure no request or answer shows Keygate. */
interface UnpricedWork {
  what: string;
  /** Whether it spends tokens too (a tokens budget cannot hold it either), not only dollars. */
  tokens: boolean;
}

const TRAINING: UnpricedWork = { what: 'a fine-tuning job (billed per training token and epoch, or per hour)', tokens: true };
const ASSISTANTS_RUN: UnpricedWork = { what: 'an Assistants run (its assistant reads the whole thread, with tools, as often as it takes)', tokens: true };
const REALTIME_CALL: UnpricedWork = { what: 'a realtime call (billed as it runs, between the caller and OpenAI)', tokens: true };
const VIDEO: UnpricedWork = { what: 'a video (billed per second of video)', tokens: false };

/** By documented path (openai-endpoints.ts), for a POST: each starts its work with one. */
const UNPRICED_WORK: ReadonlyMap<string, UnpricedWork> = new Map([
  ['/fine_tuning/jobs', TRAINING],
  ['/fine_tuning/jobs/{fine_tuning_job_id}/resume', TRAINING],
  ['/fine_tuning/alpha/graders/run', { what: 'a grader run (its grader model reads every sample)', tokens: true }],
  ['/evals/{eval_id}/runs', { what: 'an eval run (it samples a model over its whole data source)', tokens: true }],
  ['/threads/runs', ASSISTANTS_RUN],
  ['/threads/{thread_id}/runs', ASSISTANTS_RUN],
  ['/threads/{thread_id}/runs/{run_id}/submit_tool_outputs', ASSISTANTS_RUN],
  ['/realtime/calls', REALTIME_CALL],
  ['/realtime/calls/{call_id}/accept', REALTIME_CALL],
  ['/videos', VIDEO],
  ['/videos/edits', VIDEO],
  ['/videos/extensions', VIDEO],
  ['/videos/{video_id}/remix', VIDEO],
  ['/containers', { what: 'a code interpreter container (billed per session)', tokens: false }],
]);

/**
 * What work a request starts that a key's budgets cannot hold, or null. Its answer comes back queued or open, and
 * what it then spends (training tokens, an eval's samples, an Assistants run's turns, seconds of video or of a call, a
 * container's sessions) shows in no `usage` Keygate reads, so no reservation bounds it: under a budget in US dollars it
 * is refused (403 `price_unknown`), and under one in tokens when the work spends tokens.
 */
export function unpricedWork(method: string, specPath: string | null, budgets: readonly Budget[]): string | null {
  if (specPath === null || method !== 'POST') return null;
  const work = UNPRICED_WORK.get(specPath);
  if (!work) return null;
  return budgets.some((budget) => budget.metric === 'usd' || (work.tokens && budget.metric === 'tokens')) ? work.what : null;
}
