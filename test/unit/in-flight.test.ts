import { describe, expect, it } from 'vitest';
import { InFlight } from '../../electron/core/proxy/in-flight';

describe('InFlight', () => {
  it('counts and lists what was added and not yet deleted', () => {
    const inFlight = new InFlight<{ name: string }>();
    const [a, b, c] = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    const slots = [inFlight.add(a), inFlight.add(b), inFlight.add(c)];
    expect(inFlight.size).toBe(3);
    expect(inFlight.delete(slots[1]!, b)).toBe(true);
    expect(inFlight.size).toBe(2);
    expect(inFlight.values()).toEqual([a, c]);
  });

  it('reuses an emptied slot before growing', () => {
    const inFlight = new InFlight<object>();
    const first = {};
    const slot = inFlight.add(first);
    inFlight.add({});
    inFlight.delete(slot, first);
    const next = {};
    expect(inFlight.add(next)).toBe(slot);
    expect(inFlight.values()).toContain(next);
    expect(inFlight.size).toBe(2);
  });

  it('changes nothing when asked to delete what is not in that slot', () => {
    const inFlight = new InFlight<object>();
    const item = {};
    const slot = inFlight.add(item);
    expect(inFlight.delete(-1, item)).toBe(false);
    expect(inFlight.delete(slot + 1, item)).toBe(false);
    expect(inFlight.delete(slot, {})).toBe(false);
    expect(inFlight.size).toBe(1);
    expect(inFlight.delete(slot, item)).toBe(true);
    // Twice: the second finds the slot empty (an exchange finished once must not free another's slot).
    expect(inFlight.delete(slot, item)).toBe(false);
    expect(inFlight.size).toBe(0);
    const other = {};
    const reused = inFlight.add(other);
    expect(reused).toBe(slot);
    expect(inFlight.delete(slot, item)).toBe(false);
    expect(inFlight.values()).toEqual([other]);
  });
});
