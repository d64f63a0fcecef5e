import { describe, expect, it } from 'vitest';
import { ProxyError } from '../../electron/core/proxy/proxy-error';
import { formatResetDuration, RateLimiter } from '../../electron/core/proxy/rate-limiter';

const limits = (requestsPerMinute: number | null, tokensPerMinute: number | null = null, maxConcurrent: number | null = null) => ({ requestsPerMinute, tokensPerMinute, maxConcurrent });

function refusal(run: () => void): ProxyError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProxyError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('formatResetDuration', () => {
  it("writes durations as OpenAI's reset headers do", () => {
    expect(formatResetDuration(0)).toBe('0s');
    expect(formatResetDuration(-5)).toBe('0s');
    expect(formatResetDuration(250)).toBe('250ms');
    expect(formatResetDuration(6000)).toBe('6s');
    expect(formatResetDuration(1500)).toBe('1.5s');
    expect(formatResetDuration(59_999)).toBe('59.999s');
    expect(formatResetDuration(60_000)).toBe('1m0s');
  });
});

describe('RateLimiter', () => {
  it('forgets a dropped request (its reservation never committed) but keeps a released one', () => {
    const limiter = new RateLimiter();
    const rpm = limits(2);
    limiter.checkFits('k', rpm, 0, 0);
    const dropped = limiter.take('k', rpm, 0, 0);
    limiter.drop(dropped);
    const released = limiter.take('k', rpm, 0, 1);
    limiter.release(released);
    limiter.take('k', rpm, 0, 2);
    expect(refusal(() => limiter.checkFits('k', rpm, 0, 3)).code).toBe('rate_limit_exceeded');
    expect(limiter.headers('k', rpm, 3)['x-ratelimit-remaining-requests']).toBe('0');
  });

  it('settles a request that outlived the window without counting it again', () => {
    const limiter = new RateLimiter();
    const tpm = limits(null, 1000);
    const long = limiter.take('k', tpm, 900, 0);
    // 70 s later the request ends: its entry left the window at 60 s, so its usage does not come back.
    limiter.take('k', tpm, 100, 65_000);
    limiter.settle(long, 5000);
    expect(limiter.headers('k', tpm, 70_000)['x-ratelimit-remaining-tokens']).toBe('900');
  });

  it('says how long until enough tokens leave the window for the request', () => {
    const limiter = new RateLimiter();
    const tpm = limits(null, 1000);
    limiter.take('k', tpm, 400, 0);
    limiter.take('k', tpm, 400, 10_000);
    // 800 used at 20 s. 500 more fit once the first 400 leave, at 60 s…
    const error = refusal(() => limiter.checkFits('k', tpm, 500, 20_000));
    expect(error.type).toBe('tokens');
    expect(error.headers?.['retry-after-ms']).toBe('40000');
    // …700 more only once both have left, at 70 s.
    const larger = refusal(() => limiter.checkFits('k', tpm, 700, 20_000));
    expect(larger.headers?.['retry-after-ms']).toBe('50000');
  });

  it('keeps one entry per millisecond, so a busy key holds at most a minute of milliseconds', () => {
    const limiter = new RateLimiter();
    const rpm = limits(1_000_000, 1_000_000_000);
    let last = limiter.take('k', rpm, 10, 0);
    for (let index = 1; index < 100_000; index++) last = limiter.take('k', rpm, 10, Math.floor(index / 100));
    expect(last.window.entries.length).toBe(1000);
    expect(limiter.headers('k', rpm, 999)['x-ratelimit-remaining-requests']).toBe(String(1_000_000 - 100_000));
    expect(limiter.headers('k', rpm, 999)['x-ratelimit-remaining-tokens']).toBe(String(1_000_000_000 - 1_000_000));
    // A minute on, every millisecond has aged out.
    expect(limiter.headers('k', rpm, 61_000)['x-ratelimit-remaining-requests']).toBe('1000000');
  });
});
