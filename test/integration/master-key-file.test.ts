/**
 * master.key is written whole or not at all, and an empty or unreadable one is replaced only while nothing is sealed
 * with it (issue 8, §7c). A first start on a full disk used to leave an empty master.key that failed every later start.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, DATABASE_FILE } from '../../electron/core/app-core';
import { createAesSecretBox, loadMasterKey, MasterKeyError, MASTER_KEY_FILE } from '../../electron/core/secrets/aes-secret-box';
import { SEAL_TAGS, type SecretBox } from '../../electron/core/secrets/secret-box';
import { storeHoldsSealedKeys } from '../../electron/core/store/sealed-keys-probe';
import { startServe } from '../helpers/serve-process';

const root = resolve(import.meta.dirname, '../..');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-mk-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const keyFile = () => join(dir, MASTER_KEY_FILE);
const sealedProbe = () => ({ hasSealedSecrets: () => storeHoldsSealedKeys(join(dir, DATABASE_FILE), SEAL_TAGS.aes) });

/** A store in `dir` with one upstream whose key `secrets` sealed, written and closed the way the app does it. */
async function storeWithUpstream(secrets: SecretBox): Promise<void> {
  const core = createCore({ dataDir: dir, secrets, mode: 'headless', version: 't', proxyMode: 'mounted' });
  const added = await core.dispatch('upstreams:add', { name: 'Sealed', baseUrl: 'https://u.example', apiKey: 'sk-test-1234567890abcd' });
  expect(added.ok).toBe(true);
  await core.close();
}

/** A stand-in for the desktop's OS keychain: its values carry the `kgS1` tag, not the master key's. */
const osBox: SecretBox = {
  kind: 'os-keychain',
  seal: (plaintext) => Buffer.concat([SEAL_TAGS.os, Buffer.from(plaintext).reverse()]),
  open: (sealed) => Buffer.from(sealed.subarray(SEAL_TAGS.os.length)).reverse().toString(),
};

describe('an empty or unreadable master.key', () => {
  it('is replaced by a new key when the data directory holds no store yet', () => {
    writeFileSync(keyFile(), '', { mode: 0o600 });
    const loaded = loadMasterKey(dir, {}, sealedProbe());
    expect(loaded.origin).toBe('file-replaced');
    expect(readFileSync(keyFile(), 'utf8')).toBe(`${loaded.key.toString('hex')}\n`);
    expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
    expect(loadMasterKey(dir, {}, sealedProbe())).toMatchObject({ origin: 'file' });
  });

  it('is replaced when the store holds upstream keys sealed otherwise (the OS keychain), none with the master key', async () => {
    await storeWithUpstream(osBox);
    writeFileSync(keyFile(), 'half-writ', { mode: 0o600 });
    expect(loadMasterKey(dir, {}, sealedProbe()).origin).toBe('file-replaced');
  });

  it('stops with a way to recover when upstream keys were sealed with it, and leaves the file alone', async () => {
    const original = loadMasterKey(dir, {}, sealedProbe());
    await storeWithUpstream(createAesSecretBox(original.key));
    writeFileSync(keyFile(), '');
    let error: unknown;
    try {
      loadMasterKey(dir, {}, sealedProbe());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MasterKeyError);
    expect((error as Error).message).toMatch(/does not hold a valid master key/);
    expect((error as Error).message).toMatch(/Restore master\.key from a backup \(or set KEYGATE_MASTER_KEY/);
    expect((error as Error).message).toMatch(/delete master\.key to make a new one, then enter each upstream's API key again/);
    expect(readFileSync(keyFile(), 'utf8')).toBe('');
  });

  it('without a way to tell what the store holds, is never replaced', () => {
    writeFileSync(keyFile(), '');
    expect(() => loadMasterKey(dir, {})).toThrow(/Restore master\.key from a backup/);
  });
});

describe('writing master.key', () => {
  it('leaves no file at all, partial or temporary, when the disk refuses the bytes', () => {
    // RLIMIT_FSIZE 0 makes every write to a regular file fail with EFBIG, as a full disk fails with ENOSPC.
    const child = spawnSync(
      'sh',
      [
        '-c',
        'trap "" XFSZ; ulimit -f 0; exec "$0" "$@"',
        process.execPath,
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { loadMasterKey } from ${JSON.stringify(join(root, 'electron/core/secrets/aes-secret-box.ts'))};
         try { loadMasterKey(${JSON.stringify(dir)}, {}); } catch (error) { process.stderr.write(String(error.code)); process.exit(3); }`,
      ],
      { cwd: root, encoding: 'utf8', env: { ...process.env, KEYGATE_MASTER_KEY: '' } },
    );
    expect(child.stderr).toContain('EFBIG');
    expect(child.status).toBe(3);
    expect(readdirSync(dir)).toEqual([]);
    expect(loadMasterKey(dir, {}).origin).toBe('file-created');
  });
});

describe('npm run serve with an empty master.key', { timeout: 60_000 }, () => {
  it('starts on a fresh data directory, making a new key', async () => {
    writeFileSync(keyFile(), '', { mode: 0o600 });
    const server = await startServe(['--data-dir', dir, '--port', '0']);
    try {
      expect(server.url).not.toBe('');
      expect(server.stderr()).toContain('was empty or unreadable and nothing was sealed with it yet: made a new one');
      expect(readFileSync(keyFile(), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    } finally {
      await server.stop();
    }
  });

  it('refuses to start after upstream keys were sealed with the lost key (even only in the WAL of a killed run)', async () => {
    const token = 'mk-admin-token-0123456789abcdef0123';
    const first = await startServe(['--data-dir', dir, '--port', '0', '--admin'], { KEYGATE_ADMIN_TOKEN: token });
    const added = await fetch(`${first.url}/admin/api/upstreams/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'Sealed', baseUrl: 'https://u.example', apiKey: 'sk-test-1234567890abcd' }),
    });
    expect(added.status).toBe(200);
    await first.stop('SIGKILL');
    writeFileSync(keyFile(), '');
    const second = await startServe(['--data-dir', dir, '--port', '0']);
    expect(await second.exited).toBe(1);
    expect(second.url).toBe('');
    expect(second.stderr()).toContain('Restore master.key from a backup');
    expect(readFileSync(keyFile(), 'utf8')).toBe('');
  });
});
