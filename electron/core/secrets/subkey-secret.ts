import { createHash, randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SUBKEY_PREFIX = 'sk-kg-';
const SECRET_LENGTH = 40;

/** A new sub-key secret: `sk-kg-` + 40 base62 characters (~238 bits) from the CSPRNG. */
export function generateSubkeySecret(): string {
  let body = '';
  for (let i = 0; i < SECRET_LENGTH; i++) body += BASE62[randomInt(BASE62.length)];
  return SUBKEY_PREFIX + body;
}

/** What the store keeps instead of the secret: its SHA-256, hex. High-entropy secrets need no salt or slow hash. */
export function hashSubkeySecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** `sk-kg-…wxyz` for a sub-key, `sk-…wxyz` for an upstream key: enough to recognise, not to use. */
export function secretHint(secret: string): string {
  const prefix = secret.startsWith(SUBKEY_PREFIX) ? SUBKEY_PREFIX : secret.startsWith('sk-') ? 'sk-' : '';
  return secret.length <= prefix.length + 8 ? `${prefix}…` : `${prefix}…${secret.slice(-4)}`;
}
