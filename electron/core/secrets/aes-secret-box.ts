import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write';
import { SEAL_TAGS, sealTagOf, type SecretBox } from './secret-box';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const AUTH_TAG_BYTES = 16;
export const MASTER_KEY_FILE = 'master.key';

/** A master key that cannot be used (wrong length or encoding). The message never repeats the value. */
export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

/** Headless SecretBox: AES-256-GCM; sealed = tag `kgA1` + 12-byte IV + 16-byte auth tag + ciphertext. */
export function createAesSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new MasterKeyError(`The master key must be ${KEY_BYTES} bytes.`);
  const masterKey = Buffer.from(key);
  return {
    kind: 'master-key',
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([SEAL_TAGS.aes, iv, cipher.getAuthTag(), ciphertext]);
    },
    open(sealed) {
      const tag = sealTagOf(sealed);
      if (tag !== 'aes') {
        throw new Error(tag === 'os' ? 'This key was sealed by the desktop app (OS keychain) and cannot be opened headless.' : 'Not a sealed Keygate secret.');
      }
      const body = sealed.subarray(SEAL_TAGS.aes.length);
      if (body.length < IV_BYTES + AUTH_TAG_BYTES) throw new Error('Sealed secret is truncated.');
      const iv = body.subarray(0, IV_BYTES);
      const authTag = body.subarray(IV_BYTES, IV_BYTES + AUTH_TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', masterKey, iv);
      decipher.setAuthTag(authTag);
      try {
        return Buffer.concat([decipher.update(body.subarray(IV_BYTES + AUTH_TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        // node's message is generic already; ours says what to check without naming any key material.
        throw new Error('Could not decrypt a stored secret: the master key is not the one it was sealed with, or the data was altered.');
      }
    },
  };
}

/** Parses `KEYGATE_MASTER_KEY`: 64 hex characters or base64 of exactly 32 bytes. */
export function parseMasterKey(value: string): Buffer {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  throw new MasterKeyError(
    'KEYGATE_MASTER_KEY must be 64 hex characters or the base64 encoding of 32 bytes (e.g. the output of `openssl rand -hex 32`).',
  );
}

export interface MasterKeySource {
  key: Buffer;
  /**
   * Where it came from, for the log (never the key). `file-replaced`: master.key was empty or unreadable and
   * nothing was sealed with it yet, so a new one took its place.
   */
  origin: 'env' | 'file-created' | 'file-replaced' | 'file';
  /** Set when master.key is readable by others than its owner. */
  warning: string | null;
}

export interface LoadMasterKeyOptions {
  /**
   * Whether the store holds secrets sealed with this scheme (headless upstream keys). Decides what an empty or
   * unreadable master.key means: a first start cut short (make a new one) or lost keys (stop and say how to recover).
   * Without it, Keygate assumes there are some.
   */
  hasSealedSecrets?: () => boolean;
}

/**
 * The master key from `KEYGATE_MASTER_KEY`, else from `<dataDir>/master.key`, created 0600 on first run (written
 * whole or not at all). An empty or unreadable master.key is replaced only when nothing is sealed with it yet.
 */
export function loadMasterKey(dataDir: string, env: NodeJS.ProcessEnv = process.env, options: LoadMasterKeyOptions = {}): MasterKeySource {
  const fromEnv = env.KEYGATE_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return { key: parseMasterKey(fromEnv), origin: 'env', warning: null };
  const file = join(dataDir, MASTER_KEY_FILE);
  const created = createKeyFileOnce(file);
  if (created) return { key: created, origin: 'file-created', warning: null };
  try {
    return readKeyFile(file);
  } catch (error) {
    const problem = error instanceof MasterKeyError ? 'does not hold a valid master key (64 hex characters expected)' : `cannot be read (${errorCode(error)})`;
    if (options.hasSealedSecrets?.() ?? true) throw new MasterKeyError(lostKeyMessage(file, problem));
    const key = randomBytes(KEY_BYTES);
    writeFileAtomic(file, keyFileText(key), { mode: 0o600, exclusive: false });
    return { key, origin: 'file-replaced', warning: null };
  }
}

function lostKeyMessage(file: string, problem: string): string {
  return (
    `${file} ${problem}, and upstream API keys in the store were sealed with it. ` +
    'Restore master.key from a backup (or set KEYGATE_MASTER_KEY to the key). Without a backup those keys are lost: ' +
    'delete master.key to make a new one, then enter each upstream\'s API key again (sub-keys and usage are kept).'
  );
}

function keyFileText(key: Buffer): string {
  return `${key.toString('hex')}\n`;
}

function errorCode(error: unknown): string {
  return String((error as NodeJS.ErrnoException | null)?.code ?? (error as Error | null)?.message ?? error);
}

/** Writes a fresh random key, whole or not at all; null when the file exists (two processes never overwrite each other). */
function createKeyFileOnce(file: string): Buffer | null {
  const key = randomBytes(KEY_BYTES);
  try {
    writeFileAtomic(file, keyFileText(key), { mode: 0o600, exclusive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
  return key;
}

function readKeyFile(file: string): MasterKeySource {
  const fd = openSync(file, 'r');
  try {
    const mode = fstatSync(fd).mode & 0o777;
    const warning =
      process.platform !== 'win32' && (mode & 0o077) !== 0
        ? `${file} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 "${file}"`
        : null;
    const text = readFileSync(fd, 'utf8');
    try {
      return { key: parseMasterKey(text), origin: 'file', warning };
    } catch {
      throw new MasterKeyError(`${file} does not hold a valid master key (64 hex characters expected).`);
    }
  } finally {
    closeSync(fd);
  }
}
