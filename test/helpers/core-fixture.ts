import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, DATABASE_FILE, type Core, type CoreOptions } from '../../electron/core/app-core';
import { createAesSecretBox } from '../../electron/core/secrets/aes-secret-box';
import type { Logger } from '../../electron/core/logger';
import type { Channel } from '../../electron/shared/contract';
import { checkOutputs } from './output-check';

export interface CoreFixture {
  core: Core;
  dataDir: string;
  /** Every line the core logged. */
  logLines: string[];
  /** Channels that answered successfully through `core.dispatch` (each answer was checked against its output schema). */
  answered: Set<Channel>;
  /** Calls a channel and answers its data, failing the test on an error result. */
  call<T = unknown>(channel: string, input?: unknown): Promise<T>;
  /** The database file and its WAL, checkpointed, as one buffer (to search for plain-text secrets). */
  storeBytes(): Buffer;
  close(): Promise<void>;
}

/**
 * A file's bytes (empty when it does not exist), read by a child process: opening and closing the core's database
 * file here would drop this process's lock on it (POSIX closes every lock a process holds on a file with any of its
 * descriptors).
 */
export function readOutOfProcess(file: string): Buffer {
  const script = 'const fs = require("fs"); if (fs.existsSync(process.argv[1])) process.stdout.write(fs.readFileSync(process.argv[1]));';
  return execFileSync(process.execPath, ['-e', script, file], { maxBuffer: 256 * 1024 * 1024 });
}

/** A core on a fresh temp data dir with a random master key (mounted proxy: no port is opened). */
export function startCore(overrides: Partial<CoreOptions> = {}): CoreFixture {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-core-'));
  const logLines: string[] = [];
  const log: Logger = {
    info: (message) => logLines.push(message),
    warn: (message) => logLines.push(message),
    error: (message, error) => logLines.push(`${message} ${error instanceof Error ? `${error.message} ${error.stack}` : String(error)}`),
  };
  const core = createCore({
    dataDir,
    secrets: createAesSecretBox(randomBytes(32)),
    mode: 'headless',
    version: '0.0.0-test',
    proxyMode: 'mounted',
    host: '127.0.0.1',
    port: 8080,
    log,
    ...overrides,
  });
  // Every flow a test drives through the core (directly or over the admin API) proves the declared outputs.
  const checked = checkOutputs(core.dispatch);
  core.dispatch = checked.dispatch;
  return {
    core,
    dataDir,
    logLines,
    answered: checked.answered,
    async call<T>(channel: string, input: unknown = {}) {
      const result = await core.dispatch(channel, input);
      if (!result.ok) throw new Error(`${channel} failed: ${JSON.stringify(result.error)}`);
      return result.data as T;
    },
    storeBytes() {
      core.db.pragma('wal_checkpoint(TRUNCATE)');
      const file = join(dataDir, DATABASE_FILE);
      return Buffer.concat([readOutOfProcess(file), readOutOfProcess(`${file}-wal`)]);
    },
    async close() {
      await core.close(1000);
      rmSync(dataDir, { recursive: true, force: true });
      if (checked.drifts.length > 0) throw new Error(`outputs drifted from their schemas:\n${checked.drifts.join('\n')}`);
    },
  };
}
