import { describe, expect, it, vi } from 'vitest';
import { QuitCoordinator } from '../../electron/main/quit-coordinator';

const event = () => ({ preventDefault: vi.fn() });

describe('QuitCoordinator', () => {
  it('holds the first quit until shutdown is over, then quits and lets that quit through', async () => {
    let finish!: () => void;
    const shutdown = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const quit = vi.fn();
    const coordinator = new QuitCoordinator({ shutdown, quit, timeoutMs: 5_000 });
    expect(coordinator.quitting).toBe(false);

    const first = event();
    coordinator.onBeforeQuit(first);
    expect(first.preventDefault).toHaveBeenCalled();
    expect(coordinator.quitting).toBe(true);
    expect(shutdown).toHaveBeenCalledOnce();

    const impatient = event();
    coordinator.onBeforeQuit(impatient);
    expect(impatient.preventDefault).toHaveBeenCalled();
    expect(shutdown).toHaveBeenCalledOnce();
    expect(quit).not.toHaveBeenCalled();

    finish();
    await vi.waitFor(() => expect(quit).toHaveBeenCalledOnce());
    const final = event();
    coordinator.onBeforeQuit(final);
    expect(final.preventDefault).not.toHaveBeenCalled();
  });

  it('quits anyway when shutdown hangs past the bound', async () => {
    vi.useFakeTimers();
    try {
      const quit = vi.fn();
      const coordinator = new QuitCoordinator({ shutdown: () => new Promise(() => {}), quit, timeoutMs: 7_000 });
      coordinator.onBeforeQuit(event());
      await vi.advanceTimersByTimeAsync(6_999);
      expect(quit).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(quit).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
  });

  it('quits anyway when shutdown fails, reporting the error', async () => {
    const quit = vi.fn();
    const onError = vi.fn();
    const coordinator = new QuitCoordinator({ shutdown: () => Promise.reject(new Error('disk full')), quit, timeoutMs: 1_000, onError });
    coordinator.onBeforeQuit(event());
    await vi.waitFor(() => expect(quit).toHaveBeenCalledOnce());
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'disk full' }));
  });
});
