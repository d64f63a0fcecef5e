import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from '../helpers/serve-process';
import { startStandInUpstream, type StandInUpstream } from '../helpers/stand-in-upstream';
import { RESPONSES_TEXT, RESPONSES_USAGE } from '../helpers/ws-stand-in';

/**
 * Codex CLI through `npm run serve`. Codex is not a dependency (its npm package carries a ~300 MB binary): the test
 * runs when KEYGATE_CODEX names a `codex` executable (e.g. from `npx -y @openai/codex@0.171.0`, see the proxy README)
 * or one is installed in node_modules, and says it skipped otherwise.
 */
const root = resolve(import.meta.dirname, '../..');
const codex = process.env.KEYGATE_CODEX ?? [join(root, 'node_modules/.bin/codex')].find((candidate) => existsSync(candidate));
if (!codex) console.log('codex-cli.test: skipped (set KEYGATE_CODEX to a codex executable to run it)');

const ADMIN_TOKEN = 'codex-admin-token-0123456789abcdef';
let dir: string;
let stand: StandInUpstream;
let server: ServeProcess;

async function admin(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}/admin/api/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

function runCodex(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = execFile(codex!, args, { cwd: dir, env: { ...process.env, ...env }, timeout: 90_000 }, (error, stdout, stderr) => {
      resolveRun({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    // `codex exec` appends whatever stdin holds to the prompt and waits for its end.
    child.stdin?.end();
  });
}

describe.skipIf(!codex)('Codex CLI through the headless server', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-codex-'));
    mkdirSync(join(dir, 'codex-home'));
    stand = await startStandInUpstream();
    server = await startServe(['--data-dir', join(dir, 'data'), '--port', '0', '--admin'], { KEYGATE_ADMIN_TOKEN: ADMIN_TOKEN });
  });
  afterAll(async () => {
    await server?.stop();
    await stand?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses its built-in WebSocket path on the first try, with the sub-key, counted per response.create', async () => {
    const upstream = await admin('upstreams/add', { name: 'stand-in', baseUrl: stand.baseUrl, apiKey: 'sk-upstream-codex-0123456789' });
    const issued = await admin('subkeys/create', { name: 'codex', upstreamId: upstream.id, remainingRequests: 10, allowModels: ['gpt-4o*'] });
    const secret = issued.secret as string;

    const run = await runCodex(
      ['exec', '--skip-git-repo-check', '-s', 'read-only', '-m', 'gpt-4o', '-c', `openai_base_url="${server.url}/v1"`, '-c', 'check_for_update_on_startup=false', 'Say hello.'],
      { CODEX_HOME: join(dir, 'codex-home'), CODEX_API_KEY: secret, OPENAI_API_KEY: secret },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n').at(-1)).toBe(RESPONSES_TEXT);
    // The first try was the WebSocket: no fallback to HTTP, no reconnects.
    expect(run.stderr).not.toMatch(/Reconnecting|Falling back/);
    expect(stand.requests.filter((request) => request.url.startsWith('/v1/responses'))).toHaveLength(0);
    expect(stand.sockets.upgrades.length).toBeGreaterThanOrEqual(1);
    expect(stand.sockets.upgrades.every((upgrade) => upgrade.url === '/v1/responses' && upgrade.headers.authorization === 'Bearer sk-upstream-codex-0123456789')).toBe(true);

    const subkeyId = (issued.subkey as { id: string }).id;
    // Read through the admin API: the server holds the store's exclusive lock.
    const rows = (await admin('usage/list', { subkeyId, limit: 100 })) as unknown as { method: string; status: number | null; totalTokens: number | null }[];
    const responses = rows.filter((row) => row.method === 'response.create');
    const creates = stand.sockets.upgrades.flatMap((upgrade) => upgrade.events).filter((event) => (event as { type?: string }).type === 'response.create');
    expect(responses).toHaveLength(creates.length);
    expect(responses.every((row) => row.status === 200 && row.totalTokens === RESPONSES_USAGE.total_tokens)).toBe(true);
    const keys = (await admin('subkeys/list', {})) as unknown as { id: string; remainingRequests: number | null }[];
    expect(keys.find((key) => key.id === subkeyId)?.remainingRequests).toBe(10 - creates.length);
  }, 120_000);
});
