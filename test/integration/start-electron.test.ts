import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { electronPackageDir, isElectronInstalled } from '../../electron/tools/electron-binary';

const root = resolve(import.meta.dirname, '..', '..');
// Where the binary is already unpacked, `npm start` would launch Electron instead of downloading it.
const electronInstalled = isElectronInstalled(electronPackageDir(root), {});
let cache: string;

beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'keygate-electron-cache-'));
});
afterEach(() => rmSync(cache, { recursive: true, force: true }));

/** Runs `npm start` with Electron's downloads pointed at `mirror`; resolves with its exit code and output. */
function npmStart(mirror: string): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, ELECTRON_MIRROR: mirror, electron_config_cache: cache },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((done) => child.on('exit', (code) => done({ code, output, ms: Date.now() - started })));
}

describe.skipIf(electronInstalled)('npm start without the Electron binary', () => {
  it('says the download failed and why, how to retry, and that serve --admin needs no Electron; it builds nothing', async () => {
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const { port } = probe.address() as { port: number };
    await new Promise((done) => probe.close(done));

    const { code, output, ms } = await npmStart(`http://127.0.0.1:${port}/`);

    expect(code).toBe(1);
    expect(output).toContain('the Electron 45.5.0 binary');
    expect(output).toContain('could not be downloaded');
    expect(output).toContain(`why: connect ECONNREFUSED 127.0.0.1:${port} (the connection was refused)`);
    expect(output).toContain('retry: run `npm start` again');
    expect(output).toContain('`npm run serve -- --admin` serves the same app in a browser');
    expect(output).not.toContain('TypeError: fetch failed');
    expect(existsSync(join(root, 'node_modules', 'better-sqlite3', 'build-electron'))).toBe(false);
    expect(ms).toBeLessThan(20_000);
  }, 30_000);

  it('reports a mirror that does not have the file', async () => {
    const mirror = createHttpServer((_request, response) => response.writeHead(404).end());
    await new Promise<void>((done) => mirror.listen(0, '127.0.0.1', done));
    const { port } = mirror.address() as { port: number };
    try {
      const { code, output } = await npmStart(`http://127.0.0.1:${port}/`);
      expect(code).toBe(1);
      expect(output).toMatch(/why: Response code 404 \(Not Found\) for http:\/\/127\.0\.0\.1:\d+\/v45\.5\.0\/electron-v45\.5\.0-/);
    } finally {
      mirror.close();
    }
  }, 30_000);
});
