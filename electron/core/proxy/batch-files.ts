import { bringsUnsizedInput, estimateTokens, outputCount } from '../budgets/estimate';
import { perCallTool } from '../budgets/per-call-tools';
import type { Database } from '../store/database';
import { repeatsBatchLineMember } from './duplicate-members';
import { readModels, type ModelPlaces, type NamedModels } from './model-places';

/** At most this many different models or urls are remembered per file; more make the file unreadable to Keygate. */
const MAX_DISTINCT = 1000;

/**
 * One model's share of a batch's worst case, each line estimated as an HTTP request with its body is (estimate.ts):
 * input tokens, the output caps its lines set (times each line's outputs: `n` choices, prompts), and how many outputs
 * have no cap (each takes the settings' default output cap when the batch is created).
 */
export interface BatchModelEstimate {
  model: string;
  input: number;
  output: number;
  uncapped: number;
  /** Its lines' bytes: what their text can cost at most (estimate.ts boundTokens); absent in summaries made before. */
  bytes?: number;
  /** How many of its lines bring input they do not carry (an image or file by reference…), bounded by the context window. */
  unsized?: number;
  /** A tool billed per call that one of its lines turns on (per-call-tools.ts); absent when none does. */
  tool?: string;
}

/** What a batch input file asks for, read from its JSONL lines. */
export interface BatchFileSummary {
  lines: number;
  models: string[];
  endpoints: string[];
  /** False when a line is not a JSON object with string `url` and `body.model` (the batch is then refused). */
  readable: boolean;
  /** Its lines' worst case per model; null for a file read before Keygate kept it (a budgeted key cannot use it). */
  estimate: BatchModelEstimate[] | null;
}

/**
 * Reads an uploaded file's JSONL lines as they stream by (the upload itself is not held): each non-empty line must be
 * `{ …, "url": "/v1/…", "body": { "model": "…" } }`, its models (the body's own and those at its endpoint's nested
 * places) named once each. Bounded by the request body limit, and by MAX_DISTINCT.
 */
export class BatchFileScan {
  private tail: Buffer | null = null;
  private lines = 0;
  private readonly models = new Set<string>();
  private readonly endpoints = new Set<string>();
  private readonly estimates = new Map<string, BatchModelEstimate>();
  private readable = true;
  private files = 0;

  /** `placesOf(url)`: where a request to that url names models (model-places.ts), as checked over HTTP. */
  constructor(private readonly placesOf: (url: string) => ModelPlaces) {}

  /** A new file part began; a form with two files is not read (which would be the batch's input is unclear). */
  startFile(): void {
    if (++this.files > 1) this.readable = false;
  }

  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      this.line(this.tail ? Buffer.concat([this.tail, piece]) : piece);
      this.tail = null;
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) this.tail = this.tail ? Buffer.concat([this.tail, chunk.subarray(start)]) : Buffer.from(chunk.subarray(start));
  }

  /** The file ended. */
  result(): BatchFileSummary {
    if (this.tail) this.line(this.tail);
    this.tail = null;
    if (this.files !== 1) this.readable = false;
    return { lines: this.lines, models: [...this.models], endpoints: [...this.endpoints], readable: this.readable, estimate: [...this.estimates.values()] };
  }

  private line(bytes: Buffer): void {
    const text = bytes.toString('utf8').trim();
    if (text === '') return;
    this.lines++;
    if (!this.readable) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.readable = false;
      return;
    }
    const line = parsed as { url?: unknown; body?: { model?: unknown } | null } | null;
    const model = typeof line?.body === 'object' && line.body !== null ? line.body.model : undefined;
    if (typeof line?.url !== 'string' || typeof model !== 'string') {
      this.readable = false;
      return;
    }
    // Every model the body names where the endpoint's requests name one, read one way: a line that would reach
    // another model than the one recorded, or name one where only a nested place shows it, must not pass unseen.
    const places = this.placesOf(line.url);
    let named: NamedModels;
    try {
      // Throws for a model that is not a string, or a place spelled another way (`Model`).
      named = readModels(line.body, places);
    } catch {
      this.readable = false;
      return;
    }
    if (repeatsBatchLineMember(bytes, places, named.members)) {
      this.readable = false;
      return;
    }
    this.models.add(model);
    for (const other of named.nested) this.models.add(other);
    this.endpoints.add(line.url);
    if (this.models.size > MAX_DISTINCT || this.endpoints.size > MAX_DISTINCT) this.readable = false;
    this.estimate(model, line.body, bytes.length);
  }

  /**
   * Adds a line to its model's worst case. The line's bytes stand for its body's (the envelope adds a few dozen, so
   * this errs high); a default of 0 marks a line without an output cap (caps are positive).
   */
  private estimate(model: string, body: unknown, bytes: number): void {
    const tokens = estimateTokens(body, bytes, 0);
    const request = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
    const outputs = request ? outputCount(request) : 1;
    let sum = this.estimates.get(model);
    if (!sum) {
      sum = { model, input: 0, output: 0, uncapped: 0, bytes: 0, unsized: 0 };
      this.estimates.set(model, sum);
    }
    sum.input += tokens.input;
    sum.bytes! += bytes;
    if (request && bringsUnsizedInput(request)) sum.unsized!++;
    // Capped so that absurd caps (1e300) stay a finite number in JSON: still far beyond any budget.
    sum.output = Math.min(sum.output + tokens.output, Number.MAX_SAFE_INTEGER);
    // Each of its outputs (n choices, prompts) takes the default cap when the line sets none.
    if (tokens.output === 0) sum.uncapped += outputs;
    const tool = request && perCallTool(request);
    if (tool) sum.tool ??= tool;
  }
}

/** Batch input files uploaded through the proxy: the `batch_files` table, plus what is queued but not yet written. */
export class BatchFiles {
  private readonly recent = new Map<string, { subkeyId: string; summary: BatchFileSummary }>();
  private readonly select;

  constructor(db: Database) {
    this.select = db.prepare<[string], { subkey_id: string; line_count: number; models: string; endpoints: string; readable: number; estimate: string | null }>(
      'SELECT subkey_id, line_count, models, endpoints, readable, estimate FROM batch_files WHERE file_id = ?',
    );
  }

  /** The file's uploader and summary, or null when it was not uploaded through Keygate with purpose `batch`. */
  get(fileId: string): { subkeyId: string; summary: BatchFileSummary } | null {
    const recent = this.recent.get(fileId);
    if (recent) return recent;
    const row = this.select.get(fileId);
    if (!row) return null;
    return {
      subkeyId: row.subkey_id,
      summary: {
        lines: row.line_count,
        models: JSON.parse(row.models) as string[],
        endpoints: JSON.parse(row.endpoints) as string[],
        readable: row.readable === 1,
        estimate: row.estimate === null ? null : (JSON.parse(row.estimate) as BatchModelEstimate[]),
      },
    };
  }

  /** Remembers a file until the write batch has it in the store. */
  remember(fileId: string, subkeyId: string, summary: BatchFileSummary): void {
    if (this.recent.size >= 1000) this.recent.clear();
    this.recent.set(fileId, { subkeyId, summary });
  }
}
