import { connect, type Socket } from 'node:net';

/** An HTTP answer read off a raw socket; header names lower-cased, body as UTF-8. */
export interface SocketAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends one request byte for byte on a fresh TCP connection — `requestLine` exactly as given (HTTP clients normalise
 * paths; this does not) — and reads the answer. Resolves once the answer's body is complete (by Content-Length, or
 * at once for HEAD) or the server closes; rejects when the server closes without an answer.
 */
export function sendRaw(port: number, requestLine: string, headers: Record<string, string> = {}, body = ''): Promise<SocketAnswer> {
  const lines = [requestLine, `host: 127.0.0.1:${port}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (body !== '') lines.push(`content-length: ${Buffer.byteLength(body)}`);
  const isHead = requestLine.startsWith('HEAD ');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`));
    let received = Buffer.alloc(0);
    let answer: SocketAnswer | null = null;
    const timer = setTimeout(() => socket.destroy(new Error(`no complete answer to ${requestLine}`)), 5000);
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      if (answer) resolve(answer);
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      const [statusLine = '', ...headerLines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const parsed: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        parsed[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const bodyBytes = received.subarray(end + 4);
      answer = { status: Number(statusLine.split(' ')[1]), headers: parsed, body: bodyBytes.toString('utf8') };
      const length = isHead ? 0 : parsed['content-length'] === undefined ? null : Number(parsed['content-length']);
      if (length !== null && bodyBytes.length >= length) finish();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (answer) resolve(answer);
      else reject(new Error(`the server closed the connection without answering ${requestLine}`));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * Sends `head` (the request line and header lines, without the blank line; `Connection: close` is added) and `body`
 * over a plain TCP socket, byte for byte: for what node:http would refuse to send, such as two Host headers. Reads
 * the answer until the server closes the connection (it does after answering, as asked).
 */
export function sendRawLines(port: number, head: string[], body: string | Buffer = ''): Promise<SocketAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) });
    });
    // Not half-closed after the body: Node's server would abort a request still in progress when the client ends.
    socket.write(Buffer.concat([Buffer.from(`${[...head, 'Connection: close'].join('\r\n')}\r\n\r\n`), Buffer.from(body)]));
  });
}

/** A request written by hand on its own connection, for what an HTTP client would not send (or would finish). */
export interface RawRequest {
  socket: Socket;
  /** Resolves with the first complete answer; rejects when the connection ends without one. */
  answer: Promise<SocketAnswer>;
  /** Writes `bytes` in slices, waiting for the socket to drain, until done or the connection is gone; resolves with how many bytes were written. */
  send(bytes: Buffer | string, slice?: number): Promise<number>;
  /** Bytes of body written so far (after the head). */
  sent(): number;
}

/** Opens a connection to 127.0.0.1:`port` and writes `head` (request line and headers, ending in a blank line). */
export function rawRequest(port: number, head: string): RawRequest {
  const socket = connect(port, '127.0.0.1');
  socket.write(head);
  let written = 0;
  let gone = false;
  socket.on('close', () => (gone = true));
  socket.on('error', () => (gone = true));
  const answer = new Promise<SocketAnswer>((resolve, reject) => {
    let received: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const parsed = parseAnswer(received);
      if (parsed) {
        socket.off('data', onData);
        resolve(parsed);
      }
    };
    socket.on('data', onData);
    socket.on('close', () => reject(new Error(`the connection closed without a complete answer (${received.length} bytes received)`)));
  });
  // The answer may come while the body is still being written: never let that reject unheard.
  answer.catch(() => undefined);
  return {
    socket,
    answer,
    sent: () => written,
    async send(bytes, slice = 1 << 20) {
      const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      for (let at = 0; at < buffer.length && !gone; at += slice) {
        const part = buffer.subarray(at, at + slice);
        const flushed = socket.write(part);
        written += part.length;
        if (!flushed) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              socket.off('drain', done);
              socket.off('close', done);
              resolve();
            };
            socket.on('drain', done);
            socket.on('close', done);
          });
        }
      }
      return written;
    },
  };
}

function parseAnswer(received: Buffer): SocketAnswer | null {
  const end = received.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (received.length < end + 4 + length) return null;
  return { status: Number(statusLine!.split(' ')[1]), headers, body: received.subarray(end + 4, end + 4 + length).toString('utf8') };
}

/** A multipart part (a field, or a file when `filename` is given), CRLF-framed for `boundary`. */
export function formPart(boundary: string, name: string, value: string | Buffer, filename?: string): Buffer {
  const disposition = `form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}`;
  const type = filename === undefined ? '' : 'Content-Type: application/octet-stream\r\n';
  return Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`), Buffer.from(value), Buffer.from('\r\n')]);
}

/** The closing delimiter of a multipart body. */
export function formEnd(boundary: string): Buffer {
  return Buffer.from(`--${boundary}--\r\n`);
}

/**
 * Sends `requests` on one keep-alive connection, pipelined `depth` at a time (the next batch once the last one is
 * answered), and resolves with each answer's status. Cheap for the client, so the server's cost is what shows.
 */
export function pipelined(port: number, requests: readonly Buffer[], depth = 50): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const statuses: number[] = [];
    let received: Buffer = Buffer.alloc(0);
    let sent = 0;
    const sendBatch = (): void => {
      const batch = requests.slice(sent, sent + depth);
      sent += batch.length;
      socket.write(Buffer.concat(batch));
    };
    socket.on('data', (chunk: Buffer) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      for (;;) {
        const answer = parseAnswer(received);
        if (!answer) break;
        statuses.push(answer.status);
        received = received.subarray(received.indexOf('\r\n\r\n') + 4 + Number(answer.headers['content-length'] ?? 0));
      }
      if (statuses.length === requests.length) {
        socket.end();
        resolve(statuses);
      } else if (statuses.length === sent) sendBatch();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (statuses.length < requests.length) reject(new Error(`the connection closed after ${statuses.length} of ${requests.length} answers`));
    });
    sendBatch();
  });
}
