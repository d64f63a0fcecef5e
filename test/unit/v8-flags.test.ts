import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronJsFlagsSwitch, PROXY_V8_FLAGS } from '../../electron/core/v8-flags';

const root = resolve(import.meta.dirname, '../..');

/** The young generation's size after allocating 200 MB of short-lived objects, in a node started with `flags`. */
function youngGenerationMb(flags: readonly string[]): number {
  const script = `
    const v8 = require('node:v8');
    let kept = [];
    for (let i = 0; i < 2e6; i++) { const o = { i, s: 'x' + i, a: [i, i] }; if (i % 100 === 0) kept.push(o); if (kept.length > 5000) kept = []; }
    process.stdout.write(String(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size));`;
  return Number(execFileSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' })) / 1048576;
}

/**
 * The old generation's largest size, in a node started with `flags`, while a live set of ~20 MB stands and objects
 * that outlive two scavenges (like a loaded proxy's requests in flight) keep dying in the old generation.
 */
function oldGenerationPeakMb(flags: readonly string[]): number {
  const script = `
    const v8 = require('node:v8');
    globalThis.live = Array.from({ length: 200000 }, (_, i) => ({ i, s: 'live' + i }));
    const ring = new Array(300000).fill(null);
    let peak = 0;
    for (let i = 0; i < 3e6; i++) {
      ring[i % ring.length] = { i, s: 'x' + i, a: [i, i, i] };
      if (i % 10000 === 0) peak = Math.max(peak, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size);
    }
    process.stdout.write(String(peak));`;
  return Number(execFileSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' })) / 1048576;
}

describe('V8 flags of a process that runs the proxy', () => {
  it('collect the old generation before it grows to several times what is live', () => {
    const without = oldGenerationPeakMb(PROXY_V8_FLAGS.filter((flag) => !flag.startsWith('--heap-growing-percent')));
    const withFlags = oldGenerationPeakMb(PROXY_V8_FLAGS);
    expect(without).toBeGreaterThan(150);
    expect(withFlags).toBeLessThan(without / 2);
  }, 30_000);

  it('bound the young generation, which grows to 32 MB under allocation without them', () => {
    expect(youngGenerationMb([])).toBeGreaterThan(16);
    expect(youngGenerationMb(PROXY_V8_FLAGS)).toBeLessThanOrEqual(16);
  });

  it('are on `npm run serve`’s node command line, before the server starts', () => {
    const { scripts } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.serve).toBe(`node ${PROXY_V8_FLAGS.join(' ')} --import tsx electron/core/headless/cli.ts`);
  });

  it('reach Electron’s main process as one --js-flags switch', () => {
    expect(electronJsFlagsSwitch()).toBe('--js-flags=--max-semi-space-size=8 --heap-growing-percent=30');
    expect(readFileSync(resolve(root, 'electron/tools/start-electron.ts'), 'utf8')).toContain("electronJsFlagsSwitch(), '.'");
  });
});
