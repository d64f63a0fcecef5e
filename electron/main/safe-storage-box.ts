import type { SafeStorage } from 'electron';
import { SEAL_TAGS, sealTagOf, type SecretBox } from '../core/secrets/secret-box';

/** The part of Electron's `safeStorage` the box uses (a parameter, so tests pass a fake). */
export type SafeStorageApi = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;

/**
 * How strong the OS's protection is. On Linux without a keyring (`basic_text`), safeStorage encrypts with a
 * password hard-coded in Chromium: better than plain text, but anyone with the file can read it; the UI
 * warns about it through `app:info`.
 */
export function safeStorageKind(safeStorage: SafeStorageApi, platform: NodeJS.Platform): 'os-keychain' | 'weak' {
  return platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text' ? 'weak' : 'os-keychain';
}

/**
 * A SecretBox over Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet); sealed = tag `kgS1` +
 * safeStorage's blob. Null when the OS offers no encryption at all (call after `app` is ready).
 * Uses the synchronous API because the SecretBox interface is synchronous (the store seals inside transactions).
 */
export function createSafeStorageBox(safeStorage: SafeStorageApi, platform: NodeJS.Platform): SecretBox | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  return {
    kind: safeStorageKind(safeStorage, platform),
    seal(plaintext) {
      return Buffer.concat([SEAL_TAGS.os, safeStorage.encryptString(plaintext)]);
    },
    open(sealed) {
      if (sealTagOf(sealed) !== 'os') throw new Error('This value was not sealed with the OS keychain.');
      try {
        return safeStorage.decryptString(sealed.subarray(SEAL_TAGS.os.length));
      } catch {
        throw new Error('The OS keychain could not decrypt a stored key (another user account or a reset keychain?). Enter the upstream API key again.');
      }
    },
  };
}
