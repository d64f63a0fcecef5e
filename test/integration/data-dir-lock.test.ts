/**
 * One process per data directory, through SQLite's exclusive lock on keygate.db: an OS file lock the kernel drops
 * when its process dies (issue 8, §6). The pid in keygate.lock only names the owner in the message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, DATABASE_FILE, type Core } from '../../electron/core/app-core';
import { createAesSecretBox } from '../../electron/core/secrets/aes-secret-box';
import { DataDirInUseError, LOCK_FILE } from '../../electron/core/store/data-dir-lock';

const root = resolve(import.meta.dirname, '../..');
let dir: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-lock-'));
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const open = (): Core => createCore({ dataDir: dir, secrets: createAesSecretBox(randomBytes(32)), mode: 'headless', version: 't', proxyMode: 'mounted' });

/** A child process whose core owns `dir`; resolves once it does. */
async function ownerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/store-owner-process.ts', dir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolveOwning, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('owning')) resolveOwning();
    });
    child.on('exit', (code) => reject(new Error(`owner exited (${code}): ${stderr}`)));
  });
  return child;
}

describe('one process per data directory', () => {
  it('refuses a second core in this process while the first is open, naming this process, and opens after close', async () => {
    const first = open();
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(process.pid));
    expect(open).toThrow(DataDirInUseError);
    expect(open).toThrow(`Another Keygate (process ${process.pid}) is already using ${dir}.`);
    // The failed attempt closed its own connection without letting go of the first one's lock.
    expect(first.db.prepare('SELECT count(*) AS n FROM subkeys').get()).toEqual({ n: 0 });
    await first.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    await open().close();
  });

  it('refuses a directory another live process owns, naming it; not even a reader gets in', async () => {
    const owner = await ownerProcess();
    expect(open).toThrow(`Another Keygate (process ${owner.pid}) is already using ${dir}. Quit it first`);
    // Not even a reader gets in: the owner's counts are the only ones.
    const BetterSqlite3 = (await import('better-sqlite3')).default;
    const reader = new BetterSqlite3(join(dir, DATABASE_FILE), { timeout: 0 });
    expect(() => reader.prepare('SELECT count(*) FROM subkeys').get()).toThrow(/locked/);
    reader.close();
  });

  it('still refuses when the owner note is gone or garbage: the lock is the database itself', async () => {
    await ownerProcess();
    writeFileSync(join(dir, LOCK_FILE), 'garbage');
    expect(open).toThrow(`Another Keygate is already using ${dir}.`);
    rmSync(join(dir, LOCK_FILE));
    expect(open).toThrow(DataDirInUseError);
  });

  it('starts at once after the owner is killed with SIGKILL, without waiting for it to be reaped', async () => {
    const owner = await ownerProcess();
    const exited = new Promise((resolveExit) => owner.once('exit', resolveExit));
    owner.kill('SIGKILL');
    const started = performance.now();
    const core = open();
    const waited = performance.now() - started;
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(process.pid));
    await core.close();
    await exited;
    expect(waited).toBeLessThan(500);
  });

  it('is not blocked by a stale note whose pid now belongs to another live process', async () => {
    const unrelated = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    children.push(unrelated);
    writeFileSync(join(dir, LOCK_FILE), String(unrelated.pid));
    const core = open();
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(process.pid));
    await core.close();
  });
});
