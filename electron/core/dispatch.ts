import { AppError, type AppErrorData, type FieldIssue, type Result } from '../shared/errors';
import { contract, isChannel, type Channel, type Handlers } from '../shared/contract';
import type { z } from 'zod';

/** Calls a channel by name with untrusted input. IPC (electron/main) and the admin HTTP API both use it. */
export type Dispatch = (channel: string, input: unknown) => Promise<Result<unknown>>;

export interface DispatchOptions {
  /** Receives unexpected errors (bugs), which callers only see as a generic INTERNAL error. */
  onUnexpectedError?: (channel: string, error: unknown) => void;
  /**
   * Runs before every handler. The core flushes the proxy's pending writes here, so a read shows every request
   * already answered (they are group-committed a turn later otherwise). Cheap when nothing is pending.
   */
  beforeCall?: (channel: Channel) => void;
}

/** Maps zod issues to field issues: `path` names the field, the message is the schema's own. */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((key) => (typeof key === 'number' ? key : String(key))),
    message: issue.message,
  }));
}

/** Turns any thrown value into error data that is safe to send: no stack, no unexpected message. */
export function toErrorData(error: unknown): AppErrorData {
  if (error instanceof AppError) return error.toData();
  return { code: 'INTERNAL', message: 'Something went wrong inside Keygate. The details are in its log.' };
}

/** Validates input with the channel's schema, calls its handler and answers a Result; never throws. */
export function createDispatcher(handlers: Handlers, options: DispatchOptions = {}): Dispatch {
  return async (channel, input) => {
    if (!isChannel(channel)) return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `Unknown channel: ${channel.slice(0, 100)}` } };
    const parsed = contract[channel].input.safeParse(input ?? {});
    if (!parsed.success) {
      const issues = toFieldIssues(parsed.error);
      return { ok: false, error: { code: 'INVALID_INPUT', message: issues[0]?.message ?? 'Invalid input', issues } };
    }
    try {
      options.beforeCall?.(channel);
      const handler = handlers[channel] as (value: unknown) => unknown;
      return { ok: true, data: await handler(parsed.data) };
    } catch (error) {
      if (!(error instanceof AppError)) options.onUnexpectedError?.(channel, error);
      return { ok: false, error: toErrorData(error) };
    }
  };
}
