import type { SecretStorageKind } from '../shared/types';
import { sealTagOf, type SecretBox } from '../core/secrets/secret-box';

/**
 * The desktop app's SecretBox: seals with the OS keychain box, and opens each value with the box its tag names.
 * Values a headless install sealed (tag `kgA1`) open with the AES box when its master key is available, so
 * moving a data directory from headless to desktop keeps upstream keys working.
 */
export class SealedSecretRouter implements SecretBox {
  readonly kind: SecretStorageKind;
  private aes: SecretBox | null | undefined;

  /**
   * @param primary seals every new value (the safeStorage box, or the AES box when the OS offers no encryption).
   * @param loadAes finds the headless AES box (master key from the environment or the data directory), or null;
   *   called at most once, on the first headless-sealed value.
   */
  constructor(
    private readonly primary: SecretBox,
    private readonly loadAes: () => SecretBox | null,
  ) {
    this.kind = primary.kind;
  }

  seal(plaintext: string): Buffer {
    return this.primary.seal(plaintext);
  }

  open(sealed: Buffer): string {
    const tag = sealTagOf(sealed);
    if (tag === 'os') {
      if (this.primary.kind === 'master-key') {
        throw new Error('This key was sealed with the OS keychain, which is not available now. Enter the upstream API key again.');
      }
      return this.primary.open(sealed);
    }
    if (tag === 'aes') {
      if (this.primary.kind === 'master-key') return this.primary.open(sealed);
      if (this.aes === undefined) this.aes = this.loadAes();
      if (!this.aes) {
        throw new Error(
          'This key was sealed by headless Keygate: set KEYGATE_MASTER_KEY or copy its master.key into the data folder, or enter the upstream API key again.',
        );
      }
      return this.aes.open(sealed);
    }
    throw new Error('Not a sealed Keygate secret.');
  }
}
