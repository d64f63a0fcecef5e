import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What every bench server does in its child process: listen on 127.0.0.1, tell the parent its port over IPC, answer
 * `rss` and `cpu` (µs used so far) questions, and exit when the parent goes away (so an interrupted bench leaves nothing running).
 */
export function serveForBench(server: Server): void {
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  process.on('message', (message) => {
    if (message === 'rss') process.send?.({ rss: process.memoryUsage().rss });
    if (message === 'mem') {
      (globalThis as { gc?: () => void }).gc?.();
      process.send?.({ mem: process.memoryUsage() });
    }
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpu: user + system });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
