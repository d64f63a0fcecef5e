import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import busboy from 'busboy';
import type { BatchFileScan } from './batch-files';
import { proxyErrors, type ProxyError } from './proxy-error';
import type { LimitedStream } from './request-body';

/** The most parts a multipart body may have: each costs a parse, and a body of tiny parts would hold the proxy up. */
export const MAX_FORM_PARTS = 1000;

/** A multipart body read up to its `model` field. */
export interface FormHead {
  /** The `model` field, or null when the body has none. */
  model: string | null;
  /** The bytes read so far: the whole body when `complete`. */
  bytes: Buffer;
  /** Whether the body ended while it was read (no `model` field before its end). */
  complete: boolean;
}

/**
 * Reads a multipart body only as far as its `model` field (`readHead`), so a large upload is checked before most of
 * it has arrived, and then passes the rest on unchanged (`rest`). The parser keeps reading the rest as it goes by,
 * one chunk at a time, and the last chunk is held back until the form is known to be whole: a second `model`
 * field, more than MAX_FORM_PARTS parts, a malformed form or too many bytes fail the stream, which aborts the
 * upstream request before upstream has a whole request to act on.
 */
export class FormBody {
  private readonly parser: busboy.Busboy;
  private failure: ProxyError | null = null;
  private model: string | null = null;
  /** The `purpose` field (file uploads), once the parser has passed it. */
  purpose: string | null = null;
  private models = 0;
  private size = 0;
  private readonly closed: Promise<void>;
  /** Called when the parser found something the reader waits for (a model field, a failure). */
  private wake: (() => void) | null = null;
  /** A chunk is being parsed: the reader looks at the outcome once all of that chunk is. */
  private writing = false;

  /** Throws a 400 ProxyError when the content type is not one busboy can read. */
  constructor(
    private readonly request: IncomingMessage,
    contentType: string,
    private readonly limit: number,
    /** Reads the uploaded file's lines as they go by (a file upload that may be a batch's input). */
    scan: BatchFileScan | null = null,
  ) {
    try {
      // One more than allowed: busboy reports `partsLimit` once that many parts are complete.
      this.parser = busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: 1 << 20, parts: MAX_FORM_PARTS + 1 } });
    } catch (error) {
      throw proxyErrors.badForm(error instanceof Error ? error.message : 'unreadable');
    }
    // No 'file' listener unless scanning: busboy then skips file contents without making a stream for them.
    if (scan) {
      this.parser.on('file', (_name, stream) => {
        scan.startFile();
        stream.on('data', (chunk: Buffer) => scan.push(chunk));
      });
    }
    this.parser.on('field', (name, value) => {
      if (name === 'purpose') this.purpose = value;
      if (name !== 'model') return;
      // Two model fields could mean two different models to two parsers: refuse the ambiguity.
      if (++this.models > 1) this.fail(proxyErrors.badForm('the field "model" appears more than once'));
      else this.model = value;
      this.wake?.();
    });
    this.parser.on('partsLimit', () => this.fail(proxyErrors.badForm(`the body has more than ${MAX_FORM_PARTS} parts`)));
    this.parser.on('error', (error: unknown) => this.fail(proxyErrors.badForm(error instanceof Error ? error.message : 'unreadable')));
    this.closed = new Promise((resolve) => this.parser.on('close', resolve));
  }

  /** Reads the body until its `model` field is found or the body ends. Rejects with a 400/413 ProxyError. */
  readHead(): Promise<FormHead> {
    const { request } = this;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const settle = (error: unknown, complete = false): void => {
        if (settled) return;
        settled = true;
        cleanup();
        if (error) reject(error);
        else resolve({ model: this.model, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), complete });
      };
      this.wake = () => {
        // Not halfway through a chunk: a second model field later in the same chunk must be seen first.
        if (this.writing) return;
        if (this.failure) settle(this.failure);
        else if (this.models > 0) {
          request.pause();
          settle(null);
        }
      };
      const onData = (chunk: Buffer): void => {
        if (this.count(chunk)) {
          settle(this.failure);
          return;
        }
        chunks.push(chunk);
        this.parse(chunk);
      };
      const onEnd = (): void => {
        request.off('data', onData);
        this.wake = null;
        this.parser.end();
        void this.closed.then(() => settle(this.failure, true));
      };
      const onError = (error: Error): void => settle(error);
      const onClose = (): void => {
        if (!request.complete) onError(new Error('The client closed the connection before sending the whole body.'));
      };
      const cleanup = (): void => {
        this.wake = null;
        request.off('data', onData);
        request.off('end', onEnd);
        request.off('error', onError);
        request.off('close', onClose);
      };
      request.on('data', onData);
      request.on('end', onEnd);
      request.on('error', onError);
      request.on('close', onClose);
    });
  }

  /**
   * The whole body for upstream: `head` (what readHead read), then the rest of the request as it arrives, still
   * parsed and counted. Each chunk goes on once the next one arrived, and the last once the parser found the form
   * complete: a form that turns out bad never reaches upstream whole. `failure` holds the 400/413 once it failed.
   */
  rest(head: Buffer): LimitedStream {
    let held = head;
    const stream = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        if (!this.count(chunk)) this.parse(chunk);
        if (this.failure) {
          stream.failure = this.failure;
          callback(this.failure);
          return;
        }
        const ready = held;
        held = chunk;
        callback(null, ready);
      },
      flush: (callback) => {
        if (this.failure) {
          stream.failure = this.failure;
          callback(this.failure);
          return;
        }
        this.parser.end();
        void this.closed.then(() => {
          stream.failure = this.failure;
          if (this.failure) callback(this.failure);
          else callback(null, held);
        });
      },
    }) as LimitedStream;
    stream.failure = null;
    // The failure may come before undici listens; it reads `failure` when the request breaks.
    stream.on('error', () => undefined);
    return this.request.pipe(stream);
  }

  /**
   * Feeds a chunk to busboy. With no 'file' listener busboy parses a chunk synchronously, emitting its fields on the
   * way; `writing` makes the reader wait for the end of the chunk either way.
   */
  private parse(chunk: Buffer): void {
    this.writing = true;
    try {
      this.parser.write(chunk);
    } finally {
      this.writing = false;
    }
    this.wake?.();
  }

  /** Counts a chunk against the size limit; true (and a 413 failure) when it goes over. */
  private count(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size <= this.limit) return false;
    this.fail(proxyErrors.tooLarge(this.limit));
    return true;
  }

  private fail(error: ProxyError): void {
    this.failure ??= error;
    this.wake?.();
  }
}
