import { describe, expect, it } from 'vitest';
import { AdminThrottle } from '../../electron/core/admin/admin-throttle';

describe('AdminThrottle memory', () => {
  it('remembers at most maxAddresses, and forgets quiet addresses once their window has passed', () => {
    let now = 0;
    const throttle = new AdminThrottle({ maxAddresses: 1_000, now: () => now });
    for (let index = 0; index < 50_000; index++) throttle.fail(`10.${index >> 16}.${(index >> 8) & 255}.${index & 255}`);
    expect(throttle.size).toBeLessThanOrEqual(1_000);
    // The newest addresses are the ones kept.
    expect(throttle.waitSeconds('10.0.195.79')).toBe(0);
    now += 60_001;
    throttle.fail('192.0.2.1');
    expect(throttle.size).toBe(1);
  });

  it('keeps at most maxFailures times per address, however many wrong tokens it sends', () => {
    let now = 0;
    const throttle = new AdminThrottle({ now: () => now });
    for (let index = 0; index < 10_000; index++) {
      throttle.fail('192.0.2.7');
      now += 1;
    }
    expect(throttle.size).toBe(1);
    expect(throttle.waitSeconds('192.0.2.7')).toBe(60);
  });
});
