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
