import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
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
  /** Where it came from, for the log (never the key). */
  origin: 'env' | 'file-created' | 'file';
  /** Set when master.key is readable by others than its owner. */
  warning: string | null;
}

/** The master key from `KEYGATE_MASTER_KEY`, else from `<dataDir>/master.key` (created 0600 on first run). */
export function loadMasterKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): MasterKeySource {
  const fromEnv = env.KEYGATE_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return { key: parseMasterKey(fromEnv), origin: 'env', warning: null };
  const file = join(dataDir, MASTER_KEY_FILE);
  const created = createKeyFileOnce(file);
  if (created) return { key: created, origin: 'file-created', warning: null };
  return readKeyFile(file);
}

/** Writes a fresh random key with `wx` (fails if the file exists, so two processes never overwrite each other). */
function createKeyFileOnce(file: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
  const key = randomBytes(KEY_BYTES);
  try {
    writeSync(fd, `${key.toString('hex')}\n`);
  } finally {
    closeSync(fd);
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
