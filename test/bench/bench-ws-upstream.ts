/**
 * Bench stand-in for a WebSocket upstream (Realtime-like): each `response.create` is answered with response.created,
 * one text delta and response.done with usage, as small JSON events.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { serveForBench } from './bench-child';

const usage = { total_tokens: 30, input_tokens: 20, output_tokens: 10 };
const server = createServer((_request, response) => {
  response.writeHead(404);
  response.end();
});
const sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => (offered.has('realtime') ? 'realtime' : false) });
server.on('upgrade', (request, socket, head) => {
  sockets.handleUpgrade(request, socket, head, (ws) => {
    let responses = 0;
    ws.on('message', (data) => {
      const event = JSON.parse(data.toString()) as { type?: string };
      if (event.type !== 'response.create') return;
      const id = `resp_${++responses}`;
      ws.send(JSON.stringify({ type: 'response.created', event_id: `${id}_0`, response: { id, object: 'realtime.response', status: 'in_progress' } }));
      ws.send(JSON.stringify({ type: 'response.output_text.delta', event_id: `${id}_1`, response_id: id, item_id: `item_${id}`, output_index: 0, content_index: 0, delta: 'Hello!' }));
      ws.send(JSON.stringify({ type: 'response.done', event_id: `${id}_2`, response: { id, object: 'realtime.response', status: 'completed', usage } }));
    });
  });
});
serveForBench(server);
