import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../electron/core/store/data-dir-lock';

const root = resolve(import.meta.dirname, '..', '..');
let dataDir: string;
let serverPid: number | null = null;

afterEach(() => {
  // Never leave a server behind when the assertion fails (that is the bug this guards against).
  if (serverPid !== null && alive(serverPid)) process.kill(serverPid, 'SIGKILL');
  serverPid = null;
  rmSync(dataDir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/v1/models`, { signal: AbortSignal.timeout(1_000) });
    return false;
  } catch {
    return true;
  }
}

describe('npm run serve under a supervisor', () => {
  it('stops the server, frees the port and releases the store when npm alone gets SIGTERM', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'keygate-npm-serve-'));
    const env: NodeJS.ProcessEnv = { ...process.env, KEYGATE_MASTER_KEY: '', KEYGATE_ADMIN_TOKEN: '' };
    const npm = spawn('npm', ['run', 'serve', '--', '--port', '0', '--data-dir', dataDir], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    npm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`serve did not start:\n${stderr}`)), 30_000);
      npm.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^listening on (http:\/\/\S+)$/m.exec(stdout);
        if (match) {
          clearTimeout(timer);
          done(match[1]!);
        }
      });
    });
    const lock = join(dataDir, LOCK_FILE);
    serverPid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    expect(serverPid).not.toBe(npm.pid);
    expect(alive(serverPid)).toBe(true);

    const stoppedAt = Date.now();
    npm.kill('SIGTERM');
    await expect.poll(() => alive(serverPid!), { timeout: 5_000, interval: 100 }).toBe(false);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(existsSync(lock)).toBe(false);
    expect(await refused(url)).toBe(true);
    expect(stderr).toContain('shutting down');
  }, 45_000);
});
