import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  desktopNodeWarning,
  electronDownloadFailureMessage,
  networkCause,
  nodeAtLeast,
  StallTimeoutError,
  withStallTimeout,
} from '../../electron/tools/electron-download';

const download = { version: '45.5.0', platform: 'linux', arch: 'x64' };

/** The error Node's fetch really throws for a refused connection. */
async function refusedFetchError(): Promise<unknown> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return fetch(`http://127.0.0.1:${port}/electron.zip`).then(
    () => {
      throw new Error('the port answered');
    },
    (error: unknown) => error,
  );
}

describe('the Node floor of the desktop app', () => {
  it('compares versions numerically', () => {
    expect(nodeAtLeast('22.12.0', '22.12.0')).toBe(true);
    expect(nodeAtLeast('v24.1.0', '22.12.0')).toBe(true);
    expect(nodeAtLeast('22.9.0', '22.12.0')).toBe(false);
    expect(nodeAtLeast('20.20.2', '22.12.0')).toBe(false);
  });

  it('warns below 22.12 and says tests and serve are fine from 20.19', () => {
    expect(desktopNodeWarning('v22.12.0')).toBeNull();
    const warning = desktopNodeWarning('v20.20.2');
    expect(warning).toContain('needs Node 22.12.0 or newer');
    expect(warning).toContain('this is Node 20.20.2');
    expect(warning).toContain('Node 20.19 or newer');
  });
});

describe('networkCause', () => {
  it('finds the socket error under fetch’s "fetch failed"', async () => {
    const cause = networkCause(await refusedFetchError());
    expect(cause.code).toBe('ECONNREFUSED');
    expect(cause.detail).toMatch(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  it('keeps the message of errors without a cause', () => {
    expect(networkCause(new Error('Response code 404 (Not Found) for http://mirror/v45.5.0/electron.zip'))).toEqual({
      code: null,
      detail: 'Response code 404 (Not Found) for http://mirror/v45.5.0/electron.zip',
    });
    const dns = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND github.com'), { code: 'ENOTFOUND' }),
    });
    expect(networkCause(dns)).toEqual({ code: 'ENOTFOUND', detail: 'getaddrinfo ENOTFOUND github.com' });
  });
});

describe('electronDownloadFailureMessage', () => {
  it('says that the download failed and why, how to retry, and the way without Electron', async () => {
    const message = electronDownloadFailureMessage(await refusedFetchError(), download);
    expect(message).toContain('the Electron 45.5.0 binary (linux-x64) could not be downloaded');
    expect(message).toMatch(/why: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(the connection was refused\)/);
    expect(message).toContain('retry: run `npm start` again');
    expect(message).toContain('ELECTRON_MIRROR=');
    expect(message).toContain('`npm run serve -- --admin` serves the same app in a browser');
    expect(message).not.toContain('fetch failed');
  });

  it('explains a name that does not resolve', () => {
    const dns = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND github.com'), { code: 'ENOTFOUND' }),
    });
    expect(electronDownloadFailureMessage(dns, download)).toContain('why: getaddrinfo ENOTFOUND github.com (the host name does not resolve');
  });
});

describe('withStallTimeout', () => {
  it('gives up a download that receives nothing', async () => {
    const never = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    const started = Date.now();
    await expect(withStallTimeout(50, never)).rejects.toBeInstanceOf(StallTimeoutError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('never cuts off a slow download that keeps receiving data', async () => {
    const slow = async (_signal: AbortSignal, progress: () => void) => {
      for (let chunk = 0; chunk < 6; chunk++) {
        await new Promise((done) => setTimeout(done, 30));
        progress();
      }
      return 'done';
    };
    await expect(withStallTimeout(50, slow)).resolves.toBe('done');
  });

  it('passes the download’s own error on', async () => {
    await expect(withStallTimeout(1_000, () => Promise.reject(new Error('checksum mismatch')))).rejects.toThrow('checksum mismatch');
  });
});
