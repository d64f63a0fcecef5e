import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ModelsUpstreamReply {
  status: number;
  body: string;
}

export interface ModelsUpstream {
  /** Base URL without `/v1`, as an upstream is configured. */
  baseUrl: string;
  /** Headers of every request received, in order. */
  received: { method: string; url: string; headers: IncomingHttpHeaders }[];
  /** Changes what the next requests get. */
  reply(next: ModelsUpstreamReply | ((url: string) => ModelsUpstreamReply)): void;
  close(): Promise<void>;
}

/** An OpenAI-style model list body. */
export function modelList(models: { id: string; owned_by?: string }[]): string {
  return JSON.stringify({ object: 'list', data: models.map((model) => ({ object: 'model', created: 0, owned_by: 'openai', ...model })) });
}

/** A stand-in upstream on 127.0.0.1 answering `GET /v1/models` as told, recording what it receives. */
export async function startModelsUpstream(initial: ModelsUpstreamReply = { status: 200, body: modelList([]) }): Promise<ModelsUpstream> {
  let replyWith: ModelsUpstreamReply | ((url: string) => ModelsUpstreamReply) = initial;
  const received: ModelsUpstream['received'] = [];
  const server: Server = createServer((request, response) => {
    received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    const reply = typeof replyWith === 'function' ? replyWith(request.url ?? '') : replyWith;
    response.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    received,
    reply(next) {
      replyWith = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
