import type { Dispatch } from '../core/dispatch';
import type { Channel } from '../shared/contract';
import type { Result } from '../shared/errors';
import { isAppOrigin } from './app-origin';

/** The part of Electron's `WebFrameMain` the sender check reads. */
export interface SenderFrame {
  readonly url: string;
  /** null for a main (top-level) frame. */
  readonly parent: unknown;
}

/** The part of Electron's `IpcMainInvokeEvent` the handler reads (`senderFrame` is null once the frame is gone). */
export interface InvokeEvent {
  readonly senderFrame: SenderFrame | null;
}

export type SenderCheck = (event: InvokeEvent) => boolean;

/**
 * Trusts a message only from a main frame showing the app itself (app://keygate, or the dev server in
 * development): an iframe, a navigated-away page or a destroyed frame is refused.
 */
export function createSenderCheck(devServerUrl: string | null = null): SenderCheck {
  return (event) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    return isAppOrigin(frame.url, devServerUrl);
  };
}

export interface IpcHandlerOptions {
  dispatch: Dispatch;
  isTrustedSender: SenderCheck;
  /** Told about refused senders (for the log); receives the URL only, never the input. */
  onRefused?: (channel: Channel, senderUrl: string | null) => void;
}

const FORBIDDEN: Result<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'Only the Keygate window may call Keygate.' },
};

const INTERNAL: Result<never> = {
  ok: false,
  error: { code: 'INTERNAL', message: 'Something went wrong inside Keygate. The details are in its log.' },
};

/**
 * The handler `ipcMain.handle(channel, …)` runs: checks the sender, then validates and calls the service
 * through `dispatch` (the same path the admin HTTP API takes). Always resolves to a Result, because Electron
 * passes only the `message` of a thrown error to the renderer; never rejects, never carries a stack.
 */
export function createIpcHandler(channel: Channel, { dispatch, isTrustedSender, onRefused }: IpcHandlerOptions) {
  return async (event: InvokeEvent, input: unknown): Promise<Result<unknown>> => {
    if (!isTrustedSender(event)) {
      onRefused?.(channel, event.senderFrame?.url ?? null);
      return FORBIDDEN;
    }
    try {
      return await dispatch(channel, input);
    } catch {
      return INTERNAL;
    }
  };
}
