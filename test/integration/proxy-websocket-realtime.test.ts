import { performance } from 'node:perf_hooks';
import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
import { describe, expect, it } from 'vitest';
import { remainingOf } from '../helpers/proxy-fixtures';
import { settledRowsOf, UPSTREAM_KEY } from '../helpers/proxy-harness';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import { openSdkRealtime, type SdkRealtime } from '../helpers/ws-client';
import { REALTIME_USAGE, type RecordedUpgrade } from '../helpers/ws-stand-in';

const h = useProxyHarness();

const rows = (subkeyId: string) => settledRowsOf(h, subkeyId);

/** Client events of one type that reached the stand-in upstream. */
function relayed(upgrade: RecordedUpgrade, type: string): Record<string, unknown>[] {
  return upgrade.events.filter((event) => (event as { type?: string }).type === type) as Record<string, unknown>[];
}

/** Sends an event the SDK's types would not allow (a refused one, on purpose). */
function sendRaw(client: SdkRealtime, event: object): void {
  client.rt.send(event as RealtimeClientEvent);
}

async function open(secret: string, model = 'gpt-4o-realtime'): Promise<{ client: SdkRealtime; upgrade: RecordedUpgrade }> {
  const upgrade = h.upstream.sockets.nextUpgrade();
  const client = await openSdkRealtime(h.running.baseURL, secret, model);
  await client.nextEvent((event) => event.type === 'session.created');
  return { client, upgrade: await upgrade };
}

describe('Realtime through the official SDK client', () => {
  it('connects with the sub-key and reaches upstream with the real key and the model', async () => {
    const { secret } = h.subkey();
    const { client, upgrade } = await open(secret);
    expect(upgrade.url).toBe('/v1/realtime?model=gpt-4o-realtime');
    expect(upgrade.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    client.rt.send({ type: 'session.update', session: { type: 'realtime', instructions: 'Be brief.' } });
    const updated = await client.nextEvent((event) => event.type === 'session.updated');
    expect(updated.session).toMatchObject({ instructions: 'Be brief.' });
    client.rt.close();
  });

  it('refuses a forbidden model in session.update with an error event, keeps the socket open, relays the next allowed one', async () => {
    const { id, secret } = h.subkey({ allowModels: ['gpt-4o*'] });
    const { client, upgrade } = await open(secret);
    const forbidden = [
      { type: 'session.update', event_id: 'evt_session', session: { type: 'realtime', model: 'o1-realtime' } },
      { type: 'session.update', event_id: 'evt_transcribe', session: { type: 'realtime', audio: { input: { transcription: { model: 'whisper-1' } } } } },
      { type: 'session.update', event_id: 'evt_beta', session: { input_audio_transcription: { model: 'whisper-1' } } },
    ];
    for (const event of forbidden) {
      sendRaw(client, event);
      const error = await client.nextEvent((candidate) => candidate.type === 'error' && (candidate.error as { event_id?: string }).event_id === event.event_id);
      expect(error.error).toMatchObject({ type: 'permission_error', code: 'model_not_allowed', param: 'model', event_id: event.event_id });
    }
    // The SDK reports each one as an error too.
    expect(client.errors.map((error) => error.error?.code)).toEqual(['model_not_allowed', 'model_not_allowed', 'model_not_allowed']);

    client.rt.send({ type: 'session.update', event_id: 'evt_ok', session: { type: 'realtime', model: 'gpt-4o-mini-realtime', instructions: 'ok' } });
    const updated = await client.nextEvent((event) => event.type === 'session.updated');
    expect(updated.session).toMatchObject({ instructions: 'ok', model: 'gpt-4o-mini-realtime' });
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    expect(relayed(upgrade, 'session.update').map((event) => event.event_id)).toEqual(['evt_ok']);
    const refused = (await rows(id)).filter((row) => row.method === 'session.update');
    expect(refused).toHaveLength(3);
    expect(refused.every((row) => row.status === 403 && row.refusal === 'model_not_allowed')).toBe(true);
    client.rt.close();
  });

  it('takes one request per response.create, settles it from response.done (tokens in the row), and refuses the one over quota', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 2 });
    const { client, upgrade } = await open(secret);
    for (let turn = 1; turn <= 2; turn++) {
      client.rt.send({ type: 'response.create' });
      await expect.poll(() => client.events.filter((event) => event.type === 'response.done')).toHaveLength(turn);
    }
    client.rt.send({ type: 'response.create', event_id: 'evt_third' });
    const spent = await client.nextEvent((event) => event.type === 'error');
    expect(spent.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota', event_id: 'evt_third' });
    expect(relayed(upgrade, 'response.create')).toHaveLength(2);
    expect(client.socket.readyState).toBe(client.socket.OPEN);

    const all = await rows(id);
    expect(remainingOf(h.db, id)).toBe(0);
    const responses = all.filter((row) => row.method === 'response.create');
    expect(responses.map((row) => [row.status, row.refusal])).toEqual([
      [200, null],
      [200, null],
      [429, 'insufficient_quota'],
    ]);
    for (const row of responses.slice(0, 2)) {
      expect(row).toMatchObject({
        path: '/v1/realtime',
        model: 'gpt-4o-realtime',
        prompt_tokens: REALTIME_USAGE.input_tokens,
        completion_tokens: REALTIME_USAGE.output_tokens,
        total_tokens: REALTIME_USAGE.total_tokens,
      });
    }
    client.rt.close();
  });

  it('refunds a response that failed or was refused before any output, and charges one cancelled after output', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 5 });
    const { client } = await open(secret);
    let turn = 0;
    h.upstream.sockets.respond = (event, upgrade) => {
      if (event.type !== 'response.create') return false;
      const send = (payload: object) => upgrade.socket.send(JSON.stringify(payload));
      const responseId = `resp_x${++turn}`;
      if (turn === 1) {
        send({ type: 'response.created', response: { id: responseId, status: 'in_progress' } });
        send({ type: 'response.done', response: { id: responseId, status: 'failed', usage: null } });
      } else if (turn === 2) {
        send({ type: 'error', event_id: 'event_up', error: { type: 'invalid_request_error', code: 'conversation_already_has_active_response', message: 'busy', param: null, event_id: event.event_id } });
      } else {
        send({ type: 'response.created', response: { id: responseId, status: 'in_progress' } });
        send({ type: 'response.output_audio.delta', response_id: responseId, item_id: 'item_1', output_index: 0, content_index: 0, delta: 'AAAA' });
        send({ type: 'response.done', response: { id: responseId, status: 'cancelled', usage: REALTIME_USAGE } });
      }
    };
    client.rt.send({ type: 'response.create' });
    await client.nextEvent((event) => event.type === 'response.done');
    client.rt.send({ type: 'response.create' });
    const refused = await client.nextEvent((event) => event.type === 'error');
    // Keygate gave the event an id (it had none), so the error could be tied to it; the client sees that id.
    expect((refused.error as { event_id: string }).event_id).toMatch(/^event_kg_/);
    client.rt.send({ type: 'response.create' });
    await client.nextEvent((event) => event.type === 'response.done' && (event.response as { status: string }).status === 'cancelled');
    const responses = (await rows(id)).filter((row) => row.method === 'response.create');
    expect(responses.map((row) => row.status)).toEqual([500, 400, 200]);
    expect(remainingOf(h.db, id)).toBe(4);
    client.rt.close();
  });

  it('counts a response upstream starts on its own (voice activity), and cancels it when no request is left', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 1 });
    const { client, upgrade } = await open(secret);
    let turn = 0;
    h.upstream.sockets.respond = (event, socketUpgrade) => {
      if (event.type !== 'input_audio_buffer.commit') return false;
      const responseId = `resp_vad${++turn}`;
      socketUpgrade.socket.send(JSON.stringify({ type: 'response.created', response: { id: responseId, status: 'in_progress' } }));
      socketUpgrade.socket.send(JSON.stringify({ type: 'response.done', response: { id: responseId, status: 'completed', usage: REALTIME_USAGE } }));
    };
    client.rt.send({ type: 'input_audio_buffer.commit' });
    await client.nextEvent((event) => event.type === 'response.done');
    client.rt.send({ type: 'input_audio_buffer.commit' });
    const spent = await client.nextEvent((event) => event.type === 'error');
    expect(spent.error).toMatchObject({ code: 'insufficient_quota' });
    await expect.poll(() => relayed(upgrade, 'response.cancel')).toEqual([{ type: 'response.cancel', response_id: 'resp_vad2' }]);
    const all = await rows(id);
    expect(remainingOf(h.db, id)).toBe(0);
    expect(all.filter((row) => row.method === 'response.created').map((row) => [row.status, row.refusal, row.total_tokens])).toEqual([
      [200, null, REALTIME_USAGE.total_tokens],
      [429, 'insufficient_quota', null],
    ]);
    client.rt.close();
  });
});

describe("a sub-key's open sockets follow its lifetime", () => {
  async function closesWithin(client: SdkRealtime, change: () => void): Promise<{ code: number; reason: string; ms: number }> {
    const started = performance.now();
    change();
    const closed = await client.closed;
    return { ...closed, ms: performance.now() - started };
  }

  it('closes with 1008 and a reason within a second when the key is disabled mid-session', async () => {
    const { id, secret } = h.subkey();
    const { client, upgrade } = await open(secret);
    const closed = await closesWithin(client, () => {
      h.running.proxy.flush();
      h.db.prepare('UPDATE subkeys SET enabled = 0 WHERE id = ?').run(id);
      h.running.proxy.invalidate(id);
    });
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/^subkey_disabled: /);
    expect(closed.ms).toBeLessThan(1000);
    expect(client.events.at(-1)).toMatchObject({ type: 'error', error: { code: 'subkey_disabled' } });
    await expect.poll(() => upgrade.socket.readyState).toBe(upgrade.socket.CLOSED);
    const connection = (await rows(id)).find((row) => row.method === 'WS');
    expect(connection).toMatchObject({ status: 101, refusal: 'ws_close_1008' });
  });

  it('closes with 1008 when the key is removed, and when it expires (a timer, no event needed)', async () => {
    const removed = h.subkey();
    const first = await open(removed.secret);
    const gone = await closesWithin(first.client, () => {
      h.running.proxy.flush();
      h.db.prepare('DELETE FROM subkeys WHERE id = ?').run(removed.id);
      h.running.proxy.invalidate(removed.id);
    });
    expect([gone.code, gone.reason.split(':')[0]]).toEqual([1008, 'invalid_api_key']);
    expect(gone.ms).toBeLessThan(1000);

    const expiresAt = Date.now() + 1200;
    const expiring = h.subkey({ expiresAt });
    const second = await open(expiring.secret);
    const expired = await second.client.closed;
    expect([expired.code, expired.reason.split(':')[0]]).toEqual([1008, 'subkey_expired']);
    expect(Date.now() - expiresAt).toBeLessThan(1000);
  });

  it("closes with 1008 when the key's policy no longer allows the session's model", async () => {
    const { id, secret } = h.subkey({ allowModels: ['gpt-4o*'] });
    const { client } = await open(secret);
    const closed = await closesWithin(client, () => {
      h.running.proxy.flush();
      h.db.prepare('UPDATE subkeys SET allow_models = ? WHERE id = ?').run(JSON.stringify(['gpt-4o-mini*']), id);
      h.running.proxy.invalidate(id);
    });
    expect([closed.code, closed.reason.split(':')[0]]).toEqual([1008, 'model_not_allowed']);
    expect(closed.ms).toBeLessThan(1000);
  });

  it('lets a response in progress finish when the quota runs out, and refuses the next response.create', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 1 });
    const { client, upgrade } = await open(secret);
    let release!: () => void;
    h.upstream.sockets.respond = (event, socketUpgrade) => {
      if (event.type !== 'response.create') return false;
      socketUpgrade.socket.send(JSON.stringify({ type: 'response.created', response: { id: 'resp_slow', status: 'in_progress' } }));
      release = () => socketUpgrade.socket.send(JSON.stringify({ type: 'response.done', response: { id: 'resp_slow', status: 'completed', usage: REALTIME_USAGE } }));
    };
    client.rt.send({ type: 'response.create' });
    await client.nextEvent((event) => event.type === 'response.created');
    client.rt.send({ type: 'response.create', event_id: 'evt_next' });
    const spent = await client.nextEvent((event) => event.type === 'error');
    expect(spent.error).toMatchObject({ code: 'insufficient_quota', event_id: 'evt_next' });
    release();
    const done = await client.nextEvent((event) => event.type === 'response.done');
    expect(done.response).toMatchObject({ id: 'resp_slow', status: 'completed' });
    expect(relayed(upgrade, 'response.create')).toHaveLength(1);
    const responses = (await rows(id)).filter((row) => row.method === 'response.create');
    expect(responses.map((row) => [row.status, row.total_tokens])).toEqual([
      [200, REALTIME_USAGE.total_tokens],
      [429, null],
    ]);
    client.rt.close();
  });
});
