import type { SecretStorageKind } from '../../shared/types';

/**
 * Encrypts upstream API keys at rest. Desktop: the OS keychain through Electron's safeStorage
 * (electron/main). Headless: AES-256-GCM with a master key (aes-secret-box.ts).
 */
export interface SecretBox {
  readonly kind: SecretStorageKind;
  seal(plaintext: string): Buffer;
  /** Throws when the data was sealed by another box or tampered with. */
  open(sealed: Buffer): string;
}

/**
 * Every sealed value starts with a 4-byte tag naming the box that sealed it, so a desktop app can still open
 * keys a headless install sealed (given the master key) and a wrong box fails clearly instead of decrypting junk.
 */
export const SEAL_TAGS = {
  /** AES-256-GCM with the headless master key: tag + 12-byte IV + 16-byte auth tag + ciphertext. */
  aes: Buffer.from('kgA1'),
  /** Electron safeStorage (OS keychain): tag + safeStorage's own blob. */
  os: Buffer.from('kgS1'),
} as const;

/** Which box sealed `sealed`, from its tag. */
export function sealTagOf(sealed: Buffer): keyof typeof SEAL_TAGS | null {
  for (const [name, tag] of Object.entries(SEAL_TAGS) as [keyof typeof SEAL_TAGS, Buffer][]) {
    if (sealed.length >= tag.length && sealed.subarray(0, tag.length).equals(tag)) return name;
  }
  return null;
}
