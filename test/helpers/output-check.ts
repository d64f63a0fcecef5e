import type { Dispatch } from '../../electron/core/dispatch';
import { isChannel, type Channel } from '../../electron/shared/contract';
import { channelOutputSchemas } from '../../electron/shared/output-schemas';

/**
 * Why `data` is not exactly what `channel` declares, or null when it is. Parsing drops undeclared fields, so "exactly"
 * means the parsed value equals the original: an answered field the schema (and so the OpenAPI document) lacks fails.
 */
export function outputDrift(channel: Channel, data: unknown): string | null {
  const parsed = channelOutputSchemas[channel].safeParse(data);
  if (!parsed.success) return `${channel} answered what its output schema refuses: ${JSON.stringify(parsed.error.issues)}`;
  if (JSON.stringify(parsed.data) !== JSON.stringify(data)) {
    return `${channel} answered fields its output schema does not declare: ${JSON.stringify(data).slice(0, 500)}`;
  }
  return null;
}

export interface CheckedDispatch {
  dispatch: Dispatch;
  /** Channels that answered successfully at least once. */
  answered: Set<Channel>;
  /** Every drift seen, also ones a caller swallowed (e.g. the admin API turning a throw into a 500). */
  drifts: string[];
}

/** Wraps a dispatcher so every successful answer is checked against its channel's declared output schema. */
export function checkOutputs(inner: Dispatch): CheckedDispatch {
  const answered = new Set<Channel>();
  const drifts: string[] = [];
  const dispatch: Dispatch = async (channel, input) => {
    const result = await inner(channel, input);
    if (result.ok && isChannel(channel)) {
      answered.add(channel);
      const drift = outputDrift(channel, result.data);
      if (drift) {
        drifts.push(drift);
        throw new Error(drift);
      }
    }
    return result;
  };
  return { dispatch, answered, drifts };
}
