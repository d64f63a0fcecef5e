/**
 * The proxy alone in a child process, for crash and memory tests: `node --import tsx test/helpers/proxy-process.ts
 * DB_FILE` opens the store, serves createProxy on 127.0.0.1 (free port, test SecretBox) and prints `listening PORT`.
 * Spawned with an IPC channel, it answers `mem` with its `process.memoryUsage()` (after a GC when `--expose-gc`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxy } from '../../electron/core/proxy/proxy';
import { openDatabase } from '../../electron/core/store/database';
import { testSecretBox } from './proxy-fixtures';

const [, , file] = process.argv;
if (!file) throw new Error('usage: proxy-process.ts DB_FILE');
const proxy = createProxy({ db: openDatabase(file), secrets: testSecretBox() });
const server = createServer((request, response) => proxy.handle(request, response));
server.on('upgrade', (request, socket, head) => proxy.upgrade(request, socket, head));
server.listen(0, '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
process.on('message', (message) => {
  if (message !== 'mem') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ mem: process.memoryUsage() });
});
