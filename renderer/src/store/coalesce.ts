/**
 * Wraps a read so that it runs at most once per `intervalMs`: a call while one ran recently (or is still running)
 * schedules one more run when the interval is over, and any further calls until then share it. The proxy runs on the
 * same thread as these reads, so a busy window must not turn every push into a full read.
 */
export function coalesced(read: () => Promise<unknown>, intervalMs = 1000): { (): void; cancel(): void } {
  let lastStart = -Infinity;
  let running = false;
  let queued = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  function start(): void {
    timer = null;
    queued = false;
    running = true;
    lastStart = Date.now();
    read()
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (queued) schedule();
      });
  }

  function schedule(): void {
    if (timer) return;
    timer = setTimeout(start, Math.max(0, lastStart + intervalMs - Date.now()));
  }

  function call(): void {
    queued = true;
    if (!running) schedule();
  }
  call.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    queued = false;
  };
  return call;
}
