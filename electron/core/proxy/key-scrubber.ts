/**
 * Keys shorter than this are placeholders (`ollama`, `none`) for local servers that check no key: they guard nothing,
 * and masking them would garble ordinary text that happens to contain them.
 */
const MIN_SCRUBBED_KEY_LENGTH = 12;
const NOTHING = Buffer.alloc(0);

/** The real upstream key as the scrubber looks for it, and the mask shown in its place. */
export interface KeyPattern {
  key: string;
  /** `sk-…` + the key's last four characters. */
  mask: string;
  /** The mask's UTF-8 bytes as a latin1 string: Node writes header values as latin1, and `…` is not latin1. */
  headerMask: string;
  keyBytes: Buffer;
  maskBytes: Buffer;
}

/** The pattern for `key`, or null when the key is too short to be a secret (see MIN_SCRUBBED_KEY_LENGTH). */
export function keyPattern(key: string): KeyPattern | null {
  if (key.length < MIN_SCRUBBED_KEY_LENGTH) return null;
  const mask = `sk-…${key.slice(-4)}`;
  const maskBytes = Buffer.from(mask);
  return { key, mask, headerMask: maskBytes.toString('latin1'), keyBytes: Buffer.from(key), maskBytes };
}

/** A header value with every occurrence of the key replaced by the mask (sent as the mask's UTF-8 bytes). */
export function scrubHeaderValue(value: string, pattern: KeyPattern): string {
  return value.includes(pattern.key) ? value.replaceAll(pattern.key, pattern.headerMask) : value;
}

/**
 * Masks the key in a body that streams by in chunks. A chunk is searched with `Buffer.indexOf` and passed on as is
 * when it holds no key; only a trailing partial match (a suffix of the chunk that starts the key) is held back until
 * the next chunk shows whether the key continues. An SSE event ends in `\n\n`, which never starts a key, so events
 * are never delayed.
 */
export class KeyScrubber {
  private held: Buffer | null = null;
  /** How many bytes shorter the body became (the mask is shorter than any scrubbed key). */
  shrunk = 0;

  constructor(private readonly pattern: KeyPattern) {}

  /** What to send on for `chunk` (possibly empty). */
  push(chunk: Buffer): Buffer {
    const { keyBytes, maskBytes } = this.pattern;
    const input = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = null;
    let parts: Buffer[] | null = null;
    let from = 0;
    for (let at = input.indexOf(keyBytes); at !== -1; at = input.indexOf(keyBytes, from)) {
      (parts ??= []).push(input.subarray(from, at), maskBytes);
      from = at + keyBytes.length;
      this.shrunk += keyBytes.length - maskBytes.length;
    }
    const tail = partialMatchStart(input, from, keyBytes);
    // A copy, so a small held tail does not pin a large chunk.
    if (tail < input.length) this.held = Buffer.from(input.subarray(tail));
    if (!parts) return tail === input.length ? input : input.subarray(0, tail);
    parts.push(input.subarray(from, tail));
    return Buffer.concat(parts);
  }

  /** What is still held when the body ends: a partial key that never completed, passed on as it was. */
  end(): Buffer {
    const rest = this.held ?? NOTHING;
    this.held = null;
    return rest;
  }
}

/** Where the longest suffix of `input` (from `from` on) that is a proper prefix of `key` starts; `input.length` if none. */
function partialMatchStart(input: Buffer, from: number, key: Buffer): number {
  // A plain loop: at most key.length - 1 bytes, cheaper than a native call per candidate.
  const length = input.length;
  const first = key[0];
  for (let start = Math.max(from, length - key.length + 1); start < length; start++) {
    if (input[start] !== first) continue;
    let matched = 1;
    while (start + matched < length && input[start + matched] === key[matched]) matched++;
    if (start + matched === length) return start;
  }
  return length;
}
