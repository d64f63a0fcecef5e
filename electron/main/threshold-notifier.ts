import { app, Notification, type BrowserWindow } from 'electron';
import type { Logger } from '../core/logger';
import type { PushEventSource } from './ipc';
import { LANGUAGE_STORAGE_KEY, noticeLanguage, thresholdNotice } from './threshold-notice';

/**
 * Shows a desktop notification for each `budget:threshold` push, in the window's language; what it says and whether
 * it shows are decided by `thresholdNotice`. Returns the unsubscribe function.
 */
export function notifyThresholds(events: PushEventSource, window: () => BrowserWindow | null, log: Logger): () => void {
  return events.on('budget:threshold', (event) => {
    const open = window();
    const shown = open && !open.isDestroyed() ? open : null;
    void savedLanguage(shown)
      .then((saved) => {
        const language = noticeLanguage(saved, app.getPreferredSystemLanguages());
        const notice = thresholdNotice(event, { language, windowFocused: shown !== null && shown.isVisible() && shown.isFocused() });
        if (notice && Notification.isSupported()) new Notification(notice).show();
      })
      .catch((error: unknown) => log.error('could not show a budget notification', error));
  });
}

/** The language the user chose in the window: it keeps it in its own storage (null: no window, or no choice). */
async function savedLanguage(window: BrowserWindow | null): Promise<unknown> {
  if (!window) return null;
  try {
    return await window.webContents.executeJavaScript(`localStorage.getItem(${JSON.stringify(LANGUAGE_STORAGE_KEY)})`);
  } catch {
    return null;
  }
}
