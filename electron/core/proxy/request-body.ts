import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { proxyErrors, type ProxyError } from './proxy-error';
import { headerCount } from './raw-headers';

/** How a request body is carried: JSON is read and multipart read up to its model (form-body.ts), anything else is streamed. */
export type BodyKind = 'none' | 'json' | 'form' | 'raw';

// A `boundary` parameter, also in RFC 2231's `boundary*=` / `boundary*0=` spellings.
const BOUNDARY_PARAMETER = /;\s*boundary\s*(?:\*\d*\*?)?\s*=/gi;

/**
 * The kind of body a request has, from its method, length headers and content type. Refuses (400
 * `ambiguous_request`) a content type that two readers could take differently: two Content-Type headers (Node keeps
 * the first, other servers the last), or a multipart type with two `boundary` parameters.
 */
export function bodyKindOf(request: IncomingMessage): BodyKind {
  if (headerCount(request.rawHeaders, 'content-type') > 1) throw proxyErrors.ambiguousRequest('it has more than one Content-Type header');
  if (!hasBody(request)) return 'none';
  const type = request.headers['content-type'] ?? '';
  if (/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) return 'json';
  if (/^multipart\/form-data\b/i.test(type)) {
    if ((type.match(BOUNDARY_PARAMETER)?.length ?? 0) > 1) throw proxyErrors.ambiguousRequest('its multipart Content-Type has more than one boundary');
    return 'form';
  }
  return 'raw';
}

/** Whether a request carries a body at all (a length other than 0, or chunked), whatever its content type. */
export function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Refuses early when the declared length is over the limit. */
export function checkDeclaredLength(request: IncomingMessage, limit: number): void {
  const length = request.headers['content-length'];
  if (length !== undefined && Number(length) > limit) throw proxyErrors.tooLarge(limit);
}

/**
 * Reads the whole body (at most `limit` bytes, else a 413 ProxyError). A body of a declared length is whole with its
 * last byte: 'end' comes a tick or two after it, and waiting for it would only delay the request.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = request.headers['transfer-encoding'] === undefined ? Number(request.headers['content-length']) : Number.NaN;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(proxyErrors.tooLarge(limit));
        return;
      }
      chunks.push(chunk);
      if (size === declared) onEnd();
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      if (!request.complete) onError(new Error('The client closed the connection before sending the whole body.'));
    };
    const cleanup = (): void => {
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

/** Parses a JSON body; a 400 ProxyError when it is not JSON. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw proxyErrors.badJson(error instanceof Error ? error.message : 'unreadable');
  }
}

/** A pass-through stream that fails once more than its limit went through; `failure` then holds the 413. */
export interface LimitedStream extends Transform {
  failure: ProxyError | null;
}

/** A pass-through stream that fails with a 413 ProxyError once more than `limit` bytes went through. */
export function limitStream(limit: number): LimitedStream {
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size <= limit) return callback(null, chunk);
      stream.failure = proxyErrors.tooLarge(limit);
      callback(stream.failure);
    },
  }) as LimitedStream;
  stream.failure = null;
  // The failure may come before undici listens; it reads `failure` when the request breaks.
  stream.on('error', () => undefined);
  return stream;
}
