import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAesSecretBox, loadMasterKey, MasterKeyError, parseMasterKey } from '../../electron/core/secrets/aes-secret-box';
import { SEAL_TAGS, sealTagOf } from '../../electron/core/secrets/secret-box';

const SECRET = 'sk-proj-realUpstreamKey0123456789abcdef';

describe('AES secret box', () => {
  it('seals to tag + 12-byte IV + 16-byte auth tag + ciphertext and opens it again', () => {
    const box = createAesSecretBox(randomBytes(32));
    const sealed = box.seal(SECRET);
    expect(box.kind).toBe('master-key');
    expect(sealTagOf(sealed)).toBe('aes');
    expect(sealed.length).toBe(SEAL_TAGS.aes.length + 12 + 16 + Buffer.byteLength(SECRET));
    expect(sealed.includes(Buffer.from(SECRET))).toBe(false);
    expect(box.open(sealed)).toBe(SECRET);
  });

  it('uses a fresh IV each time, so equal keys seal differently', () => {
    const box = createAesSecretBox(randomBytes(32));
    expect(box.seal(SECRET).equals(box.seal(SECRET))).toBe(false);
  });

  it('refuses to open with another master key, and the error names no key material', () => {
    const key = randomBytes(32);
    const other = randomBytes(32);
    const sealed = createAesSecretBox(key).seal(SECRET);
    let message = '';
    try {
      createAesSecretBox(other).open(sealed);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/master key/);
    for (const material of [key.toString('hex'), other.toString('hex'), key.toString('base64'), SECRET]) {
      expect(message).not.toContain(material);
    }
  });

  it('detects a tampered ciphertext or auth tag', () => {
    const box = createAesSecretBox(randomBytes(32));
    const sealed = box.seal(SECRET);
    const flippedBody = Buffer.from(sealed);
    flippedBody[flippedBody.length - 1]! ^= 1;
    const flippedTag = Buffer.from(sealed);
    flippedTag[SEAL_TAGS.aes.length + 12]! ^= 1;
    expect(() => box.open(flippedBody)).toThrow(/altered/);
    expect(() => box.open(flippedTag)).toThrow(/altered/);
    expect(() => box.open(sealed.subarray(0, 10))).toThrow(/truncated/);
  });

  it('refuses values sealed by the OS keychain box or not sealed at all', () => {
    const box = createAesSecretBox(randomBytes(32));
    expect(() => box.open(Buffer.concat([SEAL_TAGS.os, randomBytes(40)]))).toThrow(/desktop app/);
    expect(() => box.open(Buffer.from('plain text'))).toThrow(/Not a sealed/);
  });

  it('refuses a master key of the wrong size', () => {
    expect(() => createAesSecretBox(randomBytes(16))).toThrow(MasterKeyError);
  });
});

describe('parseMasterKey', () => {
  it('accepts 64 hex characters and base64 of 32 bytes', () => {
    const key = randomBytes(32);
    expect(parseMasterKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseMasterKey(` ${key.toString('base64')}\n`).equals(key)).toBe(true);
  });

  it.each(['', 'short', 'zz'.repeat(32), randomBytes(31).toString('base64'), randomBytes(33).toString('hex')])(
    'refuses %j with a message that does not repeat the value',
    (value) => {
      let error: unknown;
      try {
        parseMasterKey(value);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(MasterKeyError);
      expect((error as Error).message).toMatch(/64 hex characters or the base64/);
      if (value.length > 4) expect((error as Error).message).not.toContain(value);
    },
  );
});

describe('loadMasterKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-mk-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates master.key with mode 0600 on first use and reads the same key afterwards', () => {
    const first = loadMasterKey(dir, {});
    expect(first.origin).toBe('file-created');
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    const second = loadMasterKey(dir, {});
    expect(second.origin).toBe('file');
    expect(second.key.equals(first.key)).toBe(true);
    expect(second.warning).toBeNull();
    expect(readFileSync(join(dir, 'master.key'), 'utf8').trim()).toBe(first.key.toString('hex'));
  });

  it('warns when master.key is readable by others', () => {
    loadMasterKey(dir, {});
    chmodSync(join(dir, 'master.key'), 0o644);
    expect(loadMasterKey(dir, {}).warning).toMatch(/chmod 600/);
  });

  it('prefers KEYGATE_MASTER_KEY and writes no file then', () => {
    const key = randomBytes(32);
    const loaded = loadMasterKey(dir, { KEYGATE_MASTER_KEY: key.toString('hex') });
    expect(loaded.origin).toBe('env');
    expect(loaded.key.equals(key)).toBe(true);
    expect(() => statSync(join(dir, 'master.key'))).toThrow();
  });

  it('refuses a bad KEYGATE_MASTER_KEY or a corrupt master.key clearly', () => {
    expect(() => loadMasterKey(dir, { KEYGATE_MASTER_KEY: 'not-a-key' })).toThrow(MasterKeyError);
    writeFileSync(join(dir, 'master.key'), 'garbage', { mode: 0o600 });
    expect(() => loadMasterKey(dir, {})).toThrow(/does not hold a valid master key/);
  });
});
