import { connect } from 'node:net';

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
