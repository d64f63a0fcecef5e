/** Where the core writes operational messages. Never pass it a secret: lines may end up in files and bug reports. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/** Writes to stderr, so a headless server's stdout stays machine-readable (`listening on ...`). */
export const stderrLogger: Logger = {
  info: (message) => console.error(message),
  warn: (message) => console.error(`warning: ${message}`),
  error: (message, error) => {
    const cause = error instanceof Error ? error.message : error === undefined || error === null ? '' : String(error);
    console.error(`error: ${message}${cause ? `: ${cause}` : ''}`);
  },
};

/** Discards everything (tests). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
