/** The bench's yardstick: a bare pass-through proxy (node:http + undici Pool.stream), no checks at all. */
import { createServer } from 'node:http';
import { Pool } from 'undici';
import { serveForBench } from './bench-child';

const [, , target] = process.argv;
if (!target) throw new Error('usage: bench-bare-proxy.ts UPSTREAM_URL');
const pool = new Pool(target, { connections: 256 });
const skip = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding']);

const server = createServer((request, response) => {
  const headers: string[] = [];
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    if (!skip.has(request.rawHeaders[index]!.toLowerCase())) headers.push(request.rawHeaders[index]!, request.rawHeaders[index + 1]!);
  }
  pool
    .stream({ path: request.url!, method: request.method as 'POST', headers, body: request }, ({ statusCode, headers: upstreamHeaders }) => {
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(upstreamHeaders)) if (value !== undefined && !skip.has(name)) out[name] = value;
      response.writeHead(statusCode, out);
      return response;
    })
    .catch(() => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
});
serveForBench(server);
