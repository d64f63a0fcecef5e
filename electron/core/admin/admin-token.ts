import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { Database } from '../store/database';
import { readSetting, SETTING_KEYS, writeSetting } from '../store/settings-repo';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const ADMIN_TOKEN_PREFIX = 'kg-admin-';
/** As long as a generated token's random part: a chosen token is only throttled, so it must resist guessing itself. */
const MIN_ENV_TOKEN_LENGTH = 32;

/** A token given through KEYGATE_ADMIN_TOKEN that is too weak to guard the admin API. */
export class AdminTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminTokenError';
  }
}

/** A new admin token: `kg-admin-` + 32 base62 characters (~190 bits) from the CSPRNG. */
export function generateAdminToken(): string {
  let body = '';
  for (let i = 0; i < 32; i++) body += BASE62[randomInt(BASE62.length)];
  return ADMIN_TOKEN_PREFIX + body;
}

/** What the store keeps instead of the token: its SHA-256, hex. */
export function hashAdminToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compares a presented token with the stored hash in constant time (hashing first equalises the lengths). */
export function verifyAdminToken(presented: string | null, storedHash: string | null): boolean {
  if (!presented || !storedHash || !/^[0-9a-f]{64}$/.test(storedHash)) return false;
  return timingSafeEqual(createHash('sha256').update(presented).digest(), Buffer.from(storedHash, 'hex'));
}

/** The token from `Authorization: Bearer <token>`, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/** The stored hash of the admin token, or null when none was set. */
export function readAdminTokenHash(db: Database): string | null {
  const value = readSetting(db, SETTING_KEYS.adminTokenHash);
  return typeof value === 'string' ? value : null;
}

export type AdminTokenOutcome =
  /** KEYGATE_ADMIN_TOKEN is the token (its hash is stored, replacing any earlier one). */
  | { source: 'env' }
  /** A new token was made: show it once. */
  | { source: 'generated'; token: string }
  /** A token made on an earlier run is still in force. */
  | { source: 'stored' };

/** Why a KEYGATE_ADMIN_TOKEN cannot guard the admin API, or null when it can (or is not set). Never repeats the token. */
export function envAdminTokenProblem(envToken: string | undefined): string | null {
  const token = envToken?.trim();
  if (!token || (token.length >= MIN_ENV_TOKEN_LENGTH && !/\s/.test(token))) return null;
  return (
    `KEYGATE_ADMIN_TOKEN must be at least ${MIN_ENV_TOKEN_LENGTH} characters without spaces (the one given has ${token.length}). ` +
    'Make one with "openssl rand -hex 32", or unset it and Keygate generates one.'
  );
}

/** The token from KEYGATE_ADMIN_TOKEN (trimmed), or null when none is set; AdminTokenError when it is too weak. */
export function checkEnvAdminToken(value: string | undefined): string | null {
  const problem = envAdminTokenProblem(value);
  if (problem) throw new AdminTokenError(problem);
  return value?.trim() || null;
}

/** Makes sure an admin token is in force: the environment's, the stored one, or a new one (also when `reset`). */
export function ensureAdminToken(db: Database, options: { envToken?: string | undefined; reset?: boolean }): AdminTokenOutcome {
  const envToken = checkEnvAdminToken(options.envToken);
  if (envToken) {
    writeSetting(db, SETTING_KEYS.adminTokenHash, hashAdminToken(envToken));
    return { source: 'env' };
  }
  if (!options.reset && readAdminTokenHash(db)) return { source: 'stored' };
  const token = generateAdminToken();
  writeSetting(db, SETTING_KEYS.adminTokenHash, hashAdminToken(token));
  return { source: 'generated', token };
}
