/** The part of Electron's `before-quit` event the coordinator uses. */
export interface QuitEvent {
  preventDefault(): void;
}

export interface QuitCoordinatorOptions {
  /** Stops the proxy, waits for in-flight requests and closes the store. */
  shutdown: () => Promise<void>;
  /** Asks the app to quit again once shutdown is over (`app.quit`). */
  quit: () => void;
  /** Upper bound on the whole shutdown; past it the app quits anyway. */
  timeoutMs: number;
  onError?: (error: unknown) => void;
}

/**
 * Turns Electron's synchronous `before-quit` into an asynchronous, bounded shutdown: the first quit is held
 * (preventDefault) while the core closes, then `quit` runs again and is let through. Windows read `quitting`
 * to tell "close to tray" from "the app is quitting".
 */
export class QuitCoordinator {
  private state: 'running' | 'shutting-down' | 'done' = 'running';

  constructor(private readonly options: QuitCoordinatorOptions) {}

  get quitting(): boolean {
    return this.state !== 'running';
  }

  /** Handler for `app.on('before-quit')`. */
  onBeforeQuit(event: QuitEvent): void {
    if (this.state === 'done') return;
    event.preventDefault();
    if (this.state === 'shutting-down') return;
    this.state = 'shutting-down';
    void this.shutDown();
  }

  private async shutDown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.timeoutMs);
    });
    try {
      await Promise.race([this.options.shutdown(), deadline]);
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      clearTimeout(timer);
      this.state = 'done';
      this.options.quit();
    }
  }
}
