/** The WebSocket yardstick: a bare relay (ws on both sides, frames passed as they come), no checks at all. */
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { serveForBench } from './bench-child';

const [, , target] = process.argv;
if (!target) throw new Error('usage: bench-ws-relay.ts UPSTREAM_WS_URL');
const server = createServer((_request, response) => {
  response.writeHead(404);
  response.end();
});
const sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (request, socket, head) => {
  const upstream = new WebSocket(`${target}${request.url}`, { perMessageDeflate: false });
  upstream.on('error', () => socket.destroy());
  upstream.once('open', () => {
    sockets.handleUpgrade(request, socket, head, (client) => {
      client.on('message', (data, isBinary) => upstream.send(data, { binary: isBinary }));
      upstream.on('message', (data, isBinary) => client.send(data, { binary: isBinary }));
      client.on('close', () => upstream.close());
      upstream.on('close', () => client.close());
    });
  });
});
serveForBench(server);
