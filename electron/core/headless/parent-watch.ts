/** How often the parent is looked at: a stop within about a second is soon enough for a supervisor. */
const WATCH_INTERVAL_MS = 250;

/**
 * Calls `onGone` once when this process's parent exits. Under `npm run serve` the parent is the shell npm runs the
 * script in: a supervisor's SIGTERM to npm reaches that shell, which dies of it without passing it on, and the
 * server would keep running and holding the store. Only done when npm started us (`npm_lifecycle_event`), so a
 * server started with `nohup … &` keeps running after its shell exits.
 */
export function whenParentExits(env: NodeJS.ProcessEnv, onGone: () => void): void {
  if (!env.npm_lifecycle_event) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, WATCH_INTERVAL_MS);
  timer.unref();
}
