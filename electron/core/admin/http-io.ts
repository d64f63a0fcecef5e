import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppErrorData } from '../../shared/errors';
import { httpStatusOf } from '../../shared/errors';

export const MAX_ADMIN_BODY_BYTES = 1024 * 1024;
/** After refusing a large body we still read (and drop) this much so the client can read our 413. */
const MAX_DISCARD_BYTES = 16 * 1024 * 1024;

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** Writes `body` as JSON with `status`. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body ?? null);
  response.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Writes `{ error: { code, message, issues? } }` with the status of its code (or `status`). */
export function sendError(response: ServerResponse, error: AppErrorData, status = httpStatusOf[error.code], headers: Record<string, string> = {}): void {
  sendJson(response, status, { error }, headers);
}

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413; message: string };

/** Reads a JSON body of at most `limit` bytes; an empty body is `{}`. */
export function readJsonBody(request: IncomingMessage, limit = MAX_ADMIN_BODY_BYTES): Promise<BodyResult> {
  const tooLarge: BodyResult = { ok: false, status: 413, message: `The request body is larger than ${limit} bytes.` };
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    discard(request);
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.off('end', onEnd);
        discard(request);
        resolve(tooLarge);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(parseJson(Buffer.concat(chunks).toString('utf8')));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', () => resolve({ ok: false, status: 400, message: 'The request body could not be read.' }));
  });
}

function parseJson(text: string): BodyResult {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, status: 400, message: 'The request body is not valid JSON.' };
  }
}

/** Drops the rest of a refused body (bounded), so the client is not cut off before it reads the answer. */
function discard(request: IncomingMessage): void {
  let dropped = 0;
  request.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > MAX_DISCARD_BYTES) request.destroy();
  });
  request.resume();
}
