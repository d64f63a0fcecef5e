import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAesSecretBox, loadMasterKey } from '../../electron/core/secrets/aes-secret-box';
import { sealTagOf } from '../../electron/core/secrets/secret-box';
import { findHeadlessBox, openDesktopSecrets } from '../../electron/main/desktop-secrets';
import { createSafeStorageBox, safeStorageKind, type SafeStorageApi } from '../../electron/main/safe-storage-box';
import { SealedSecretRouter } from '../../electron/main/sealed-secret-router';

const API_KEY = 'sk-proj-upstream-0123456789abcdef';
const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

/** Stands in for Electron's safeStorage: a reversible transform under a per-"keychain" secret, like the OS's. */
function fakeSafeStorage(backend: ReturnType<SafeStorageApi['getSelectedStorageBackend']> = 'gnome_libsecret', available = true, keychain = 7): SafeStorageApi {
  const xor = (bytes: Buffer) => Buffer.from(bytes.map((byte) => byte ^ keychain));
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain) => Buffer.concat([Buffer.from('v11'), xor(Buffer.from(plain, 'utf8'))]),
    decryptString: (blob) => {
      if (!blob.subarray(0, 3).equals(Buffer.from('v11'))) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return xor(blob.subarray(3)).toString('utf8');
    },
  };
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-secrets-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('safe-storage box', () => {
  it('seals with the OS tag and opens its own values', () => {
    const box = createSafeStorageBox(fakeSafeStorage(), 'linux')!;
    const sealed = box.seal(API_KEY);
    expect(sealTagOf(sealed)).toBe('os');
    expect(sealed.includes(Buffer.from(API_KEY))).toBe(false);
    expect(box.open(sealed)).toBe(API_KEY);
  });

  it('is weak exactly when Linux falls back to basic_text', () => {
    expect(safeStorageKind(fakeSafeStorage('basic_text'), 'linux')).toBe('weak');
    expect(createSafeStorageBox(fakeSafeStorage('basic_text'), 'linux')!.kind).toBe('weak');
    expect(safeStorageKind(fakeSafeStorage('kwallet6'), 'linux')).toBe('os-keychain');
    expect(safeStorageKind(fakeSafeStorage('unknown'), 'darwin')).toBe('os-keychain');
    expect(safeStorageKind(fakeSafeStorage('unknown'), 'win32')).toBe('os-keychain');
  });

  it('is absent when the OS offers no encryption', () => {
    expect(createSafeStorageBox(fakeSafeStorage('basic_text', false), 'linux')).toBeNull();
  });

  it('fails clearly on a value it did not seal, or another keychain\'s', () => {
    const box = createSafeStorageBox(fakeSafeStorage(), 'darwin')!;
    const aes = createAesSecretBox(Buffer.alloc(32, 1));
    expect(() => box.open(aes.seal(API_KEY))).toThrow('not sealed with the OS keychain');
    const otherAccount = createSafeStorageBox({ ...fakeSafeStorage(), decryptString: () => { throw new Error('boom'); } }, 'darwin')!;
    expect(() => otherAccount.open(box.seal(API_KEY))).toThrow(/could not decrypt/);
  });
});

describe('SealedSecretRouter', () => {
  const os = () => createSafeStorageBox(fakeSafeStorage(), 'darwin')!;
  const aes = createAesSecretBox(Buffer.alloc(32, 9));

  it('seals every new value with the OS keychain', () => {
    const router = new SealedSecretRouter(os(), () => aes);
    expect(router.kind).toBe('os-keychain');
    expect(sealTagOf(router.seal(API_KEY))).toBe('os');
  });

  it('opens values a headless install sealed with its master key', () => {
    const loadAes = vi.fn(() => aes);
    const router = new SealedSecretRouter(os(), loadAes);
    expect(router.open(aes.seal(API_KEY))).toBe(API_KEY);
    expect(router.open(aes.seal('second'))).toBe('second');
    expect(loadAes).toHaveBeenCalledOnce();
  });

  it('never loads the master key for OS-sealed values', () => {
    const loadAes = vi.fn(() => aes);
    const router = new SealedSecretRouter(os(), loadAes);
    expect(router.open(router.seal(API_KEY))).toBe(API_KEY);
    expect(loadAes).not.toHaveBeenCalled();
  });

  it('says what to do when a headless value arrives without its master key', () => {
    const router = new SealedSecretRouter(os(), () => null);
    expect(() => router.open(aes.seal(API_KEY))).toThrow(/KEYGATE_MASTER_KEY or copy its master.key/);
  });

  it('with the AES box as primary, opens AES values and explains OS-sealed ones', () => {
    const router = new SealedSecretRouter(aes, () => null);
    expect(router.kind).toBe('master-key');
    expect(router.open(router.seal(API_KEY))).toBe(API_KEY);
    expect(() => router.open(os().seal(API_KEY))).toThrow(/OS keychain, which is not available/);
  });

  it('refuses untagged data', () => {
    expect(() => new SealedSecretRouter(os(), () => aes).open(Buffer.from('plain text'))).toThrow('Not a sealed Keygate secret.');
  });

  it('never puts the plaintext or the sealed bytes in an error', () => {
    const router = new SealedSecretRouter(os(), () => null);
    const sealed = aes.seal(API_KEY);
    let message = '';
    try {
      router.open(sealed);
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/headless Keygate/);
    expect(message).not.toContain(API_KEY);
    expect(message).not.toContain(sealed.toString('base64').slice(0, 16));
  });
});

describe('openDesktopSecrets', () => {
  it('moves from headless to desktop: keys sealed headless open with master.key from the data folder', () => {
    const dataDir = tempDir();
    const headless = createAesSecretBox(loadMasterKey(dataDir, {}).key);
    const sealedHeadless = headless.seal(API_KEY);
    const desktop = openDesktopSecrets({ safeStorage: fakeSafeStorage(), platform: 'linux', dataDir, env: {}, log });
    expect(desktop.kind).toBe('os-keychain');
    expect(desktop.open(sealedHeadless)).toBe(API_KEY);
    expect(sealTagOf(desktop.seal(API_KEY))).toBe('os');
  });

  it('also opens them with KEYGATE_MASTER_KEY', () => {
    const hex = 'ab'.repeat(32);
    const sealed = createAesSecretBox(Buffer.from(hex, 'hex')).seal(API_KEY);
    const desktop = openDesktopSecrets({ safeStorage: fakeSafeStorage(), platform: 'darwin', dataDir: tempDir(), env: { KEYGATE_MASTER_KEY: hex }, log });
    expect(desktop.open(sealed)).toBe(API_KEY);
  });

  it('never creates a master key when the OS keychain works', () => {
    const dataDir = tempDir();
    const desktop = openDesktopSecrets({ safeStorage: fakeSafeStorage(), platform: 'win32', dataDir, env: {}, log });
    desktop.open(desktop.seal(API_KEY));
    expect(() => desktop.open(createAesSecretBox(Buffer.alloc(32, 3)).seal(API_KEY))).toThrow(/master.key/);
    expect(readdirSync(dataDir)).toEqual([]);
    expect(findHeadlessBox(dataDir, {}, log)).toBeNull();
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('falls back to a private master.key when the OS offers no encryption', () => {
    const dataDir = tempDir();
    const desktop = openDesktopSecrets({ safeStorage: fakeSafeStorage('basic_text', false), platform: 'linux', dataDir, env: {}, log });
    expect(desktop.kind).toBe('master-key');
    expect(sealTagOf(desktop.seal(API_KEY))).toBe('aes');
    const file = join(dataDir, 'master.key');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The same folder later opened headless reads the same keys.
    expect(createAesSecretBox(loadMasterKey(dataDir, {}).key).open(desktop.seal(API_KEY))).toBe(API_KEY);
  });

  it('reports a broken master key instead of crashing, and keeps working for OS-sealed keys', () => {
    const desktop = openDesktopSecrets({ safeStorage: fakeSafeStorage(), platform: 'darwin', dataDir: tempDir(), env: { KEYGATE_MASTER_KEY: 'not-a-key' }, log });
    expect(desktop.open(desktop.seal(API_KEY))).toBe(API_KEY);
    expect(() => desktop.open(createAesSecretBox(Buffer.alloc(32, 3)).seal(API_KEY))).toThrow(/master/);
    expect(log.error).toHaveBeenCalledWith('the headless master key could not be used', expect.any(Error));
  });
});
