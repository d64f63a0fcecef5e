import { describe, expect, it } from 'vitest';
import { keyPattern, KeyScrubber, scrubHeaderValue } from '../../electron/core/proxy/key-scrubber';

const KEY = 'sk-proj-SCRUBme0123456789abcdefWXYZ';
const MASK = 'sk-…WXYZ';
const pattern = keyPattern(KEY)!;

function scrubInPieces(text: string, cuts: number[]): { out: string; shrunk: number } {
  const bytes = Buffer.from(text);
  const scrubber = new KeyScrubber(pattern);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(scrubber.push(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(scrubber.end());
  return { out: Buffer.concat(out).toString(), shrunk: scrubber.shrunk };
}

describe('KeyScrubber', () => {
  const text = `{"error":{"message":"Bad key: Bearer ${KEY} (${KEY})","keep":"sk-proj-SCRUB, s, sk"}}`;
  const expected = `{"error":{"message":"Bad key: Bearer ${MASK} (${MASK})","keep":"sk-proj-SCRUB, s, sk"}}`;

  it('masks every occurrence whole', () => {
    expect(scrubInPieces(text, [])).toEqual({ out: expected, shrunk: 2 * (Buffer.byteLength(KEY) - Buffer.byteLength(MASK)) });
  });

  it('masks the key wherever the chunks are cut, also into single bytes', () => {
    for (let cut = 0; cut <= text.length; cut++) expect(scrubInPieces(text, [cut]).out, `cut at ${cut}`).toBe(expected);
    expect(scrubInPieces(text, Array.from({ length: text.length }, (_, index) => index)).out).toBe(expected);
  });

  it('passes a chunk without the key on as the same buffer, and holds back nothing after a complete SSE event', () => {
    const scrubber = new KeyScrubber(pattern);
    const event = Buffer.from('data: {"choices":[{"delta":{"content":"ask"}}]}\n\n');
    expect(scrubber.push(event)).toBe(event);
    expect(scrubber.end().length).toBe(0);
  });

  it('holds back only a trailing partial key, and gives it back when the key does not continue', () => {
    const scrubber = new KeyScrubber(pattern);
    expect(scrubber.push(Buffer.from('data: x sk-proj-SC')).toString()).toBe('data: x ');
    expect(scrubber.push(Buffer.from('RUBbut not the key')).toString()).toBe('sk-proj-SCRUBbut not the key');
    expect(scrubber.push(Buffer.from('tail sk-pr')).toString()).toBe('tail ');
    expect(scrubber.end().toString()).toBe('sk-pr');
  });

  it('masks header values, sending the mask as its UTF-8 bytes', () => {
    const masked = scrubHeaderValue(`Bearer ${KEY}`, pattern);
    expect(Buffer.from(masked, 'latin1').toString('utf8')).toBe(`Bearer ${MASK}`);
    expect(scrubHeaderValue('req_123', pattern)).toBe('req_123');
  });

  it('leaves placeholder keys too short to be secrets alone', () => {
    expect(keyPattern('ollama')).toBeNull();
    expect(keyPattern('sk-123456789')).not.toBeNull();
  });
});
