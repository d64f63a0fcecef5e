/**
 * The store's files are private (issue 8, §7d): keygate.db, -wal and -shm are created 0600, and a start warns once
 * when the data directory or those files are open to group or others. Real files, modes read with stat.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, DATABASE_FILE, type Core } from '../../electron/core/app-core';
import type { Logger } from '../../electron/core/logger';
import { createAesSecretBox } from '../../electron/core/secrets/aes-secret-box';
import { openDatabase } from '../../electron/core/store/database';

let dir: string;
let warnings: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-modes-'));
  warnings = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;
const log: Logger = { info() {}, warn: (message) => warnings.push(message), error() {} };
const open = (): Core => createCore({ dataDir: dir, secrets: createAesSecretBox(randomBytes(32)), mode: 'headless', version: 't', proxyMode: 'mounted', log });

describe('store files', () => {
  it('a core creates keygate.db and its WAL readable by the owner only, and says nothing', async () => {
    const core = open();
    try {
      await core.dispatch('upstreams:add', { name: 'u', baseUrl: 'https://u.example', apiKey: 'sk-upstream-123456789' });
      const file = join(dir, DATABASE_FILE);
      expect(modeOf(file)).toBe(0o600);
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect(modeOf(`${file}-wal`)).toBe(0o600);
      // The exclusive lock keeps the WAL index in memory: no -shm file to protect.
      expect(existsSync(`${file}-shm`)).toBe(false);
      expect(warnings).toEqual([]);
    } finally {
      await core.close();
    }
  });

  it('a shared connection creates the -shm file 0600 too', () => {
    const file = join(dir, 'shared.db');
    const db = openDatabase(file);
    try {
      db.prepare("INSERT INTO settings (key, value) VALUES ('probe', '1')").run();
      for (const path of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(path), path).toBe(0o600);
    } finally {
      db.close();
    }
  });

  it('warns once at start, naming each path and its mode, when the folder or the files are open to others', async () => {
    const file = join(dir, DATABASE_FILE);
    await open().close();
    chmodSync(dir, 0o755);
    chmodSync(file, 0o644);
    writeFileSync(`${file}-shm`, '', { mode: 0o640 });
    chmodSync(`${file}-shm`, 0o640);
    const core = open();
    await core.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${dir} (755)`);
    expect(warnings[0]).toContain(`${file} (644)`);
    expect(warnings[0]).toContain(`${file}-shm (640)`);
    expect(warnings[0]).toContain('chmod 600');
  });
});
