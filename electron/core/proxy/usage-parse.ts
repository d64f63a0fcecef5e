import { StringDecoder } from 'node:string_decoder';
import type { TokenUsage } from './usage-record';

const USAGE_KEY = Buffer.from('"usage"');

/**
 * Reads token counts from OpenAI's `usage` object in its two spellings (chat: prompt/completion, Responses API:
 * input/output). Null when `value` holds no counts.
 */
export function normalizeUsage(value: unknown): TokenUsage | null {
  if (typeof value !== 'object' || value === null) return null;
  const usage = value as Record<string, unknown>;
  const prompt = count(usage.prompt_tokens) ?? count(usage.input_tokens);
  const completion = count(usage.completion_tokens) ?? count(usage.output_tokens);
  let total = count(usage.total_tokens);
  if (total === null && prompt !== null && completion !== null) total = prompt + completion;
  if (prompt === null && completion === null && total === null) return null;
  const tokens: TokenUsage = { promptTokens: prompt, completionTokens: completion, totalTokens: total };
  // Parts of the two totals, in any spelling (Realtime's is `input_token_details`); only set when reported, so answers
  // without them read as before.
  const cached = count(detail(usage.prompt_tokens_details ?? usage.input_tokens_details ?? usage.input_token_details, 'cached_tokens'));
  const reasoning = count(detail(usage.completion_tokens_details ?? usage.output_tokens_details, 'reasoning_tokens'));
  if (cached !== null) tokens.cachedTokens = cached;
  if (reasoning !== null) tokens.reasoningTokens = reasoning;
  return tokens;
}

function detail(details: unknown, name: string): unknown {
  return typeof details === 'object' && details !== null ? (details as Record<string, unknown>)[name] : undefined;
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

/**
 * Finds the last `"usage": { … }` member in JSON text and parses only that object (not the whole document).
 * Skips `"usage"` inside strings' escaped quotes and `"usage": null`.
 */
export function extractUsage(text: Buffer): TokenUsage | null {
  let from = text.length;
  while (from > 0) {
    const at = text.lastIndexOf(USAGE_KEY, from - 1);
    if (at === -1) return null;
    from = at;
    if (at > 0 && text[at - 1] === 0x5c) continue;
    let index = at + USAGE_KEY.length;
    while (isSpace(text[index])) index++;
    if (text[index] !== 0x3a) continue;
    index++;
    while (isSpace(text[index])) index++;
    if (text[index] !== 0x7b) continue;
    const end = objectEnd(text, index);
    if (end === -1) continue;
    try {
      const usage = normalizeUsage(JSON.parse(text.toString('utf8', index, end)));
      if (usage) return usage;
    } catch {
      // Not a well-formed object after all: look further back.
    }
  }
  return null;
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Index just past the object starting at `start` (a `{`), honouring strings; -1 when it does not close. */
function objectEnd(text: Buffer, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const byte = text[index];
    if (inString) {
      if (byte === 0x5c) index++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b) depth++;
    else if (byte === 0x7d && --depth === 0) return index + 1;
  }
  return -1;
}

/**
 * Watches a JSON answer streamed to the client, keeping references to its chunks (no copies) up to `limit` bytes,
 * then only the tail, where OpenAI puts `usage`.
 */
export class JsonUsageSniffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit = 1 << 20) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }

  result(): TokenUsage | null {
    const text = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    return extractUsage(text);
  }
}

/**
 * Watches a server-sent-event stream passed through untouched and reads `usage` from the lines that carry one
 * (chat chunks with `stream_options.include_usage`, the Responses API's `response.completed`). Only lines containing
 * `"usage"` followed by an object are parsed, and only that object.
 */
export class SseUsageSniffer {
  private tail: Buffer | null = null;
  private usage: TokenUsage | null = null;

  constructor(private readonly maxLine = 16 << 20) {}

  push(chunk: Buffer): void {
    const lastNewline = chunk.lastIndexOf(0x0a);
    if (lastNewline === -1) {
      this.keep(chunk);
      return;
    }
    const complete = this.tail ? Buffer.concat([this.tail, chunk.subarray(0, lastNewline + 1)]) : chunk.subarray(0, lastNewline + 1);
    this.tail = null;
    if (lastNewline + 1 < chunk.length) this.keep(chunk.subarray(lastNewline + 1));
    if (complete.indexOf(USAGE_KEY) !== -1) this.scan(complete);
  }

  result(): TokenUsage | null {
    if (this.tail) {
      const rest = this.tail;
      this.tail = null;
      if (rest.indexOf(USAGE_KEY) !== -1) this.scan(rest);
    }
    return this.usage;
  }

  private keep(part: Buffer): void {
    const joined = this.tail ? Buffer.concat([this.tail, part]) : Buffer.from(part);
    // A runaway line cannot hold memory hostage: past the limit it is dropped (and its usage unknown).
    this.tail = joined.length > this.maxLine ? null : joined;
  }

  private scan(lines: Buffer): void {
    let start = 0;
    while (start < lines.length) {
      let end = lines.indexOf(0x0a, start);
      if (end === -1) end = lines.length;
      const line = lines.subarray(start, end);
      if (line.indexOf(USAGE_KEY) !== -1) {
        const usage = extractUsage(line);
        if (usage) this.usage = usage;
      }
      start = end + 1;
    }
  }
}

const USAGE_NULL = /,"usage":null|"usage":null,?/g;

/**
 * For a chat stream where Keygate itself asked upstream for `include_usage`: passes events through as they complete,
 * records the usage-only chunk and drops it, and strips the `"usage":null` members the client did not ask for.
 * Works per event (`\n\n`-separated), so it holds at most one incomplete event.
 */
export class InjectedUsageFilter {
  private pending = '';
  private usage: TokenUsage | null = null;
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly maxPending = 1 << 20) {}

  /** The text to send on for `chunk` (possibly empty). */
  push(chunk: Buffer): string {
    this.pending += this.decoder.write(chunk);
    const cut = lastEventEnd(this.pending);
    if (cut === -1) {
      // Not event framing after all (or a runaway event): pass it on rather than hold it.
      if (this.pending.length <= this.maxPending) return '';
      const held = this.pending;
      this.pending = '';
      return held;
    }
    const complete = this.pending.slice(0, cut);
    this.pending = this.pending.slice(cut);
    return this.filter(complete);
  }

  /** What is left when the stream ends. */
  end(): string {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    return rest === '' ? '' : this.filter(rest);
  }

  result(): TokenUsage | null {
    return this.usage;
  }

  private filter(events: string): string {
    if (!events.includes('"usage"')) return events;
    let out = '';
    let start = 0;
    while (start < events.length) {
      const boundary = nextEventEnd(events, start);
      const end = boundary === -1 ? events.length : boundary;
      const event = events.slice(start, end);
      start = end;
      if (!event.includes('"usage"')) {
        out += event;
        continue;
      }
      if (event.includes('"usage":{') && /"choices":\[\s*\]/.test(event)) {
        const data = event.slice(event.indexOf('{'), event.lastIndexOf('}') + 1);
        this.usage = extractUsage(Buffer.from(data)) ?? this.usage;
        continue;
      }
      out += event.replace(USAGE_NULL, '');
    }
    return out;
  }
}

/** Index just past the last complete event (`\n\n` or `\r\n\r\n`) in `text`, or -1. */
function lastEventEnd(text: string): number {
  const lf = text.lastIndexOf('\n\n');
  const crlf = text.lastIndexOf('\r\n\r\n');
  if (lf === -1 && crlf === -1) return -1;
  return Math.max(lf === -1 ? -1 : lf + 2, crlf === -1 ? -1 : crlf + 4);
}

function nextEventEnd(text: string, from: number): number {
  const lf = text.indexOf('\n\n', from);
  const crlf = text.indexOf('\r\n\r\n', from);
  if (lf === -1 && crlf === -1) return -1;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return crlf + 4;
  return lf + 2;
}
