import { describe, expect, it } from 'vitest';
import { groupsAt, unrestrictedPermissions, type PermissionLevel, type Permissions } from '../../electron/shared/permissions';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import { openSocket, refusedUpgrade, type TestSocket } from '../helpers/ws-client';
import type { RecordedUpgrade } from '../helpers/ws-stand-in';

const h = useProxyHarness();

/** Restricted to one group at `level`. */
function only(group: 'responses' | 'realtime', level: PermissionLevel): Permissions {
  return { ...unrestrictedPermissions(), mode: 'restricted', groups: { ...groupsAt('none'), [group]: level } };
}

/** Changes a key's permissions in the store and tells the proxy, as subkeys:update does. */
function setPermissions(id: string, permissions: Permissions): void {
  h.running.proxy.flush();
  h.db.prepare('UPDATE subkeys SET permissions = ? WHERE id = ?').run(JSON.stringify(permissions), id);
  h.running.proxy.invalidate(id);
}

async function open(path: string, secret: string): Promise<{ client: TestSocket; upgrade: RecordedUpgrade }> {
  const upgrade = h.upstream.sockets.nextUpgrade();
  const client = await openSocket(h.running.port, path, { headers: { authorization: `Bearer ${secret}` } });
  return { client, upgrade: await upgrade };
}

const errorCodes = (client: TestSocket) => client.events.filter((event) => event.type === 'error').map((event) => (event.error as { code: string }).code);

/** Sends a response.create and answers the id upstream gave the response. */
async function create(client: TestSocket, extra: Record<string, unknown> = {}): Promise<string> {
  const done = client.events.filter((event) => event.type === 'response.completed').length;
  client.send({ type: 'response.create', model: 'gpt-4o', input: 'hi', ...extra });
  await expect.poll(() => client.events.filter((event) => event.type === 'response.completed').length).toBe(done + 1);
  return (client.events.filter((event) => event.type === 'response.completed').at(-1)!.response as { id: string }).id;
}

describe('WebSocket permissions', () => {
  it('refuses the upgrade to a key without write on the socket’s group (403 permission_denied), opening nothing upstream', async () => {
    const cases: [Permissions, string][] = [
      [only('responses', 'read'), '/v1/responses'],
      [only('responses', 'write'), '/v1/realtime?model=gpt-4o-realtime'],
      [only('realtime', 'read'), '/v1/realtime?model=gpt-4o-realtime'],
      [{ ...unrestrictedPermissions(), mode: 'read_only' }, '/v1/responses'],
    ];
    for (const [permissions, path] of cases) {
      const { secret } = h.subkey({ permissions });
      const answer = await refusedUpgrade(h.running.port, path, { headers: { authorization: `Bearer ${secret}` } });
      expect([answer.status, (JSON.parse(answer.body) as { error: { code: string } }).error.code], path).toEqual([403, 'permission_denied']);
    }
    expect(h.upstream.sockets.upgrades).toHaveLength(0);
    const { client } = await open('/v1/realtime?model=gpt-4o-realtime', h.subkey({ permissions: only('realtime', 'write') }).secret);
    client.socket.close();
  });

  it('applies a permission change to the next frame with an error event, keeping the socket open', async () => {
    const { id, secret } = h.subkey({ permissions: only('responses', 'write') });
    const { client, upgrade } = await open('/v1/responses', secret);
    await create(client);
    setPermissions(id, only('responses', 'read'));
    client.send({ type: 'response.create', model: 'gpt-4o', input: 'refused' });
    await expect.poll(() => errorCodes(client)).toEqual(['permission_denied']);
    expect(client.events.find((event) => event.type === 'error')).toMatchObject({ status: 403, error: { type: 'permission_error' } });
    setPermissions(id, only('responses', 'write'));
    await create(client, { input: 'allowed again' });
    expect(upgrade.events.map((event) => (event as { input: string }).input)).toEqual(['hi', 'allowed again']);
    client.socket.close();
  });

  it('refuses every Realtime event once the key lost realtime write', async () => {
    const { id, secret } = h.subkey({ permissions: only('realtime', 'write') });
    const { client, upgrade } = await open('/v1/realtime?model=gpt-4o-realtime', secret);
    setPermissions(id, only('realtime', 'read'));
    client.send({ type: 'input_audio_buffer.append', audio: 'AAAA' });
    client.send({ type: 'response.create' });
    await expect.poll(() => errorCodes(client)).toEqual(['permission_denied', 'permission_denied']);
    expect(upgrade.events).toEqual([]);
    client.socket.close();
  });
});

describe('WebSocket object ownership', () => {
  const own = unrestrictedPermissions();

  it('chains a response made over the socket by previous_response_id, and refuses another key’s or an unknown one with 404, socket open', async () => {
    const a = h.subkey({ permissions: own });
    const b = h.subkey({ permissions: own });
    const { client, upgrade } = await open('/v1/responses', a.secret);
    const { client: other } = await open('/v1/responses', b.secret);
    const first = await create(client);
    const second = await create(client, { previous_response_id: first });
    const foreign = await create(other);
    other.socket.close();

    const refused: Record<string, unknown>[] = [
      { previous_response_id: foreign },
      { previous_response_id: 'resp_made_elsewhere' },
      { conversation: 'conv_made_elsewhere' },
      { conversation: { id: 'conv_made_elsewhere' } },
      { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-made-elsewhere' }] }] },
    ];
    for (const extra of refused) client.send({ type: 'response.create', model: 'gpt-4o', input: 'x', ...extra });
    await expect.poll(() => errorCodes(client)).toEqual(refused.map(() => 'object_not_found'));
    expect(client.events.filter((event) => event.type === 'error').every((event) => event.status === 404)).toBe(true);
    // Still open, and a UUID elsewhere in the event is nobody's business.
    await create(client, { previous_response_id: second, prompt_cache_key: '01a24209-6aa2-75c2-8e5a-f341cabaf3ee', client_metadata: { thread_id: '01a24209-6aa2-75c2-8e5a-f341cabaf3ee' } });
    expect(upgrade.events).toHaveLength(3);

    // Recorded in the store as the key's own, so HTTP sees it the same way.
    await h.settled(30);
    const owner = (responseId: string) => h.db.prepare('SELECT subkey_id FROM objects WHERE id = ?').pluck().get(responseId);
    expect([owner(first), owner(second), owner(foreign)]).toEqual([a.id, a.id, b.id]);
    const retrieve = (secret: string, responseId: string) => h.raw('GET', `/v1/responses/${responseId}`, { authorization: `Bearer ${secret}` });
    expect((await retrieve(b.secret, first)).status).toBe(404);
    expect((await retrieve(a.secret, first)).status).not.toBe(404);
    client.socket.close();
  });

  it('lets a key with shareProjectObjects name any response', async () => {
    const { secret } = h.subkey({ permissions: { ...own, shareProjectObjects: true } });
    const { client } = await open('/v1/responses', secret);
    await create(client, { previous_response_id: 'resp_made_elsewhere' });
    expect(errorCodes(client)).toEqual([]);
    client.socket.close();
  });
});
