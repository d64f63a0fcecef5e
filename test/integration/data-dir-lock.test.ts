import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from '../../electron/core/store/data-dir-lock';
import { startCore } from '../helpers/core-fixture';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('one process per data directory', () => {
  it('refuses a second holder while the first holds the directory, and frees it on release', () => {
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(process.pid));
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataDir(dir)();
  });

  it('refuses a directory a live process holds, naming it', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(dir, LOCK_FILE), String(child.pid));
      expect(() => lockDataDir(dir)).toThrow(new RegExp(`process ${child.pid}`));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over a lock left by a process that died (kill -9)', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.on('exit', resolve));
    writeFileSync(join(dir, LOCK_FILE), String(child.pid));
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(process.pid));
    release();
  });

  it('makes a second core on the same store fail clearly, and lets it open after the first closes', async () => {
    const first = startCore();
    expect(() => startCore({ dataDir: first.dataDir })).toThrow(DataDirInUseError);
    await first.core.close();
    const { createCore } = await import('../../electron/core/app-core');
    const { createAesSecretBox } = await import('../../electron/core/secrets/aes-secret-box');
    const { randomBytes } = await import('node:crypto');
    const second = createCore({ dataDir: first.dataDir, secrets: createAesSecretBox(randomBytes(32)), mode: 'headless', version: 't', proxyMode: 'mounted' });
    await second.close();
    rmSync(first.dataDir, { recursive: true, force: true });
  });
});
