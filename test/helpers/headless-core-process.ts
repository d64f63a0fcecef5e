import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { channelPath, type Channel, type ChannelInput, type ChannelOutput } from '../../electron/shared/contract';
import type { AppErrorData } from '../../electron/shared/errors';

const root = resolve(import.meta.dirname, '../..');

/** The real headless core (`cli.ts --admin`) running as a child process on a loopback port. */
export interface HeadlessCoreProcess {
  /** `http://127.0.0.1:PORT`: `/v1` is the proxy, `/admin/` the UI, `/admin/api/...` the admin API. */
  url: string;
  token: string;
  dataDir: string;
  /** Calls a channel over the admin API; resolves the output, rejects with the error body's `error`. */
  call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node --import tsx electron/core/headless/cli.ts --admin --port 0` in a temp data dir and waits for `listening on`. */
export async function startHeadlessCore(token = 'admin-token-for-browser-tests-0123456789'): Promise<HeadlessCoreProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-browser-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'electron/core/headless/cli.ts', '--admin', '--port', '0', '--data-dir', dataDir],
    { cwd: root, env: { ...process.env, KEYGATE_ADMIN_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`headless core did not start in 60 s:\n${log}`)), 60_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!.replace(/\/$/, ''));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`headless core exited (${code}) before listening:\n${log}`));
    });
  });

  return {
    url,
    token,
    dataDir,
    async call(channel, input) {
      const response = await fetch(`${url}${channelPath(channel)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await response.json()) as unknown;
      if (!response.ok) throw Object.assign(new Error((body as { error: AppErrorData }).error.message), (body as { error: AppErrorData }).error);
      return body as never;
    },
    output: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
