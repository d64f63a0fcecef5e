import { connect } from 'node:net';
import type { RawAnswer } from './proxy-harness';

/**
 * Sends `head` (the request line and header lines, without the blank line; `Connection: close` is added) and `body`
 * over a plain TCP socket, byte for byte: for what node:http would refuse to send, such as two Host headers. Reads
 * the answer until the server closes the connection (it does after answering, as asked).
 */
export function sendRaw(port: number, head: string[], body: string | Buffer = ''): Promise<RawAnswer> {
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
