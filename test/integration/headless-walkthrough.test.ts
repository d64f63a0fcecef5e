import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sectionBlocks } from '../helpers/doc-blocks';
import { CHAT_USAGE, startStandInUpstream, STAND_IN_MODELS, type StandInUpstream } from '../helpers/stand-in-upstream';

const root = resolve(import.meta.dirname, '..', '..');
const REAL_KEY = 'sk-proj-WALKTHROUGHrealKEY0123456789abcdef';
const MARKER = '@@walkthrough block done@@';

let upstream: StandInUpstream;
let tmp: string;

beforeAll(async () => {
  upstream = await startStandInUpstream();
  tmp = mkdtempSync(join(tmpdir(), 'keygate-walkthrough-'));
});
afterAll(async () => {
  // A block that failed before step 8 leaves the server running: stop it by the pid in its lock file.
  for (const name of readdirSync(tmp)) {
    const lock = join(tmp, name, 'keygate.lock');
    if (existsSync(lock)) process.kill(Number(readFileSync(lock, 'utf8')), 'SIGKILL');
  }
  await upstream?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs the blocks in one bash, in the clone, as a reader pasting them would; answers each block's stdout. */
function runBlocks(blocks: string[]): Promise<{ outputs: string[]; stderr: string; code: number | null }> {
  const script = ['set -euo pipefail', ...blocks.map((block) => `${block}\necho '${MARKER}'`)].join('\n');
  const child = spawn('bash', ['-c', script], {
    cwd: root,
    env: { ...process.env, TMPDIR: tmp, OPENAI_API_KEY: REAL_KEY, KEYGATE_ADMIN_TOKEN: '', KEYGATE_MASTER_KEY: '', KEYGATE_DATA_DIR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolveRun) =>
    child.on('exit', (code) => resolveRun({ outputs: stdout.split(`${MARKER}\n`), stderr, code })),
  );
}

describe('docs/headless.md walkthrough', () => {
  it('works as written: start, token, upstream, sync, sub-key, proxy call, usage, stop', async () => {
    const blocks = sectionBlocks(join(root, 'docs', 'headless.md'), 'Walkthrough', 'sh');
    expect(blocks).toHaveLength(8);
    // The one substitution: OpenAI's address becomes the stand-in's (only in the block that names it).
    expect(blocks.filter((block) => block.includes('https://api.openai.com'))).toHaveLength(1);
    const run = await runBlocks(blocks.map((block) => block.replaceAll('https://api.openai.com', upstream.baseUrl)));
    const [started, info, added, synced, issued, called, usage, stopped] = run.outputs;
    expect(run.code, run.stderr).toBe(0);

    expect(started).toMatch(/^Keygate at http:\/\/127\.0\.0\.1:\d+, admin token kg-admin-[0-9A-Za-z]{32}\n$/);
    expect(JSON.parse(info!)).toMatchObject({ mode: 'headless', secretStorage: 'master-key' });
    expect(JSON.parse(added!)).toMatchObject({ name: 'OpenAI', baseUrl: upstream.baseUrl, keyHint: 'sk-…cdef' });
    expect(added).not.toContain(REAL_KEY);
    expect(synced!.trim().split('\n').sort()).toEqual([...STAND_IN_MODELS].sort());
    expect(JSON.parse(issued!)).toMatchObject({ name: 'laptop', remainingRequests: 100, allowModels: ['gpt-4o-mini'], status: 'active' });

    const [reply, refusal] = called!.trim().split('\n');
    expect(reply).toBe('Hello world');
    expect(JSON.parse(refusal!)).toMatchObject({ type: 'permission_error', code: 'model_not_allowed' });
    const chats = upstream.requests.filter((request) => request.url === '/v1/chat/completions');
    expect(chats).toHaveLength(1);
    expect(chats[0]!.headers.authorization).toBe(`Bearer ${REAL_KEY}`);
    expect(JSON.parse(chats[0]!.body.toString()).model).toBe('gpt-4o-mini');

    const [usageRows, keyRows] = [usage!.trim().split('\n').slice(0, 2), usage!.trim().split('\n').slice(2)];
    expect(usageRows.map((line) => JSON.parse(line))).toMatchObject([
      { path: '/v1/chat/completions', status: 403, totalTokens: null, refusal: 'model_not_allowed' },
      { path: '/v1/chat/completions', model: 'gpt-4o-mini', status: 200, totalTokens: CHAT_USAGE.total_tokens, refusal: null },
    ]);
    expect(keyRows.map((line) => JSON.parse(line))).toEqual([{ name: 'laptop', status: 'active', remainingRequests: 99 }]);

    expect(stopped).toBe('');
    // The throwaway data directory is gone, and with it the server (it removed its lock on a clean exit).
    expect(readdirSync(tmp).filter((name) => existsSync(join(tmp, name, 'keygate.db')))).toEqual([]);
  }, 120_000);
});
