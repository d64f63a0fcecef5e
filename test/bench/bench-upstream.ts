/** Bench stand-in upstream: a small chat completion as JSON, or as a short SSE stream when the body asks to stream. */
import { createServer } from 'node:http';
import { serveForBench } from './bench-child';

const completion = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1700000000,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18 },
  }),
);
const chunk = (content: string, usage: boolean): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content }, finish_reason: null }], ...(usage ? { usage: null } : {}) })}\n\n`;
const usageChunk = `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } })}\n\n`;

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (part: Buffer) => chunks.push(part));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    if (!body.includes('"stream":true')) {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': completion.length, 'x-request-id': 'req_bench' });
      response.end(completion);
      return;
    }
    const usage = body.includes('"include_usage":true');
    response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_bench' });
    response.write(chunk('Hello', usage));
    setTimeout(() => {
      response.write(chunk(' world', usage));
      if (usage) response.write(usageChunk);
      response.end('data: [DONE]\n\n');
    }, 2);
  });
});
serveForBench(server);
