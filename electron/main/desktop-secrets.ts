import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE } from '../core/app-core';
import { createAesSecretBox, loadMasterKey, MASTER_KEY_FILE, parseMasterKey } from '../core/secrets/aes-secret-box';
import { SEAL_TAGS, type SecretBox } from '../core/secrets/secret-box';
import { storeHoldsSealedKeys } from '../core/store/sealed-keys-probe';
import type { Logger } from '../core/logger';
import { createSafeStorageBox, type SafeStorageApi } from './safe-storage-box';
import { SealedSecretRouter } from './sealed-secret-router';

export interface DesktopSecretsOptions {
  safeStorage: SafeStorageApi;
  platform: NodeJS.Platform;
  dataDir: string;
  env: Record<string, string | undefined>;
  log: Logger;
}

/**
 * The headless AES box, only if a master key already exists (`KEYGATE_MASTER_KEY`, or `master.key` in the data
 * folder). Never creates one: the desktop app needs it only to open keys a headless install sealed.
 */
export function findHeadlessBox(dataDir: string, env: Record<string, string | undefined>, log: Logger): SecretBox | null {
  try {
    if (env.KEYGATE_MASTER_KEY) return createAesSecretBox(parseMasterKey(env.KEYGATE_MASTER_KEY));
    if (!existsSync(join(dataDir, MASTER_KEY_FILE))) return null;
    const source = loadMasterKey(dataDir, {});
    if (source.warning) log.warn(source.warning);
    return createAesSecretBox(source.key);
  } catch (error) {
    log.error('the headless master key could not be used', error);
    return null;
  }
}

/**
 * The desktop app's SecretBox: the OS keychain through safeStorage, able to open values headless Keygate
 * sealed. Where the OS offers no encryption at all, falls back to the headless scheme (a 0600 master.key in the
 * data folder), reported as `master-key` by `app:info`. Call after `app` is ready.
 */
export function openDesktopSecrets({ safeStorage, platform, dataDir, env, log }: DesktopSecretsOptions): SecretBox {
  const os = createSafeStorageBox(safeStorage, platform);
  if (os) return new SealedSecretRouter(os, () => findHeadlessBox(dataDir, env, log));
  log.warn('The OS offers no encryption for stored keys; using a master key file in the data folder instead.');
  const source = loadMasterKey(dataDir, env, { hasSealedSecrets: () => storeHoldsSealedKeys(join(dataDir, DATABASE_FILE), SEAL_TAGS.aes) });
  if (source.warning) log.warn(source.warning);
  if (source.origin === 'file-replaced') log.warn('master.key was empty or unreadable and nothing was sealed with it yet: made a new one.');
  return new SealedSecretRouter(createAesSecretBox(source.key), () => null);
}
