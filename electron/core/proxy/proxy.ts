import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { isModelAllowed } from '../../shared/model-policy';
import { checkUsable, identify } from './authenticate';
import { authorize, requestedModel } from './authorize';
import { canonicalTarget } from './canonical-path';
import { answerPreflight } from './cors';
import { CAPPED_HEADER, MAX_CREDENTIAL_SECONDS, prepareMint } from './credential-mint';
import { checkEndpoint } from './endpoint-gate';
import { checkBatch } from './batch-gate';
import { batchAmounts, batchSpent } from './batch-amounts';
import { BatchFiles, BatchFileScan } from './batch-files';
import { EndpointTable } from './endpoint-table';
import { modelPlacesOf } from './model-places';
import { FormBody, type FormHead } from './form-body';
import { Forwarding, type ForwardOutcome } from './forward';
import { upstreamRequestHeaders } from './forward-headers';
import { isAllowedHost } from './host-check';
import { InFlight } from './in-flight';
import { KeyCache, type SubkeyState, type UpstreamState } from './key-cache';
import { checkMethod } from './method-gate';
import { idPlacesOf } from './object-id-places';
import { checkObjects, checkOwned, creationRecorder, isOwnedList, ObjectOwners } from './object-ownership';
import { checkPermission } from './permission-gate';
import { headerCount } from './raw-headers';
import { ProxyError, proxyErrors, sendError } from './proxy-error';
import { bodyKindOf, checkDeclaredLength, hasBody, limitStream, parseJsonBody, readBody, type LimitedStream } from './request-body';
import type { Proxy, ProxyOptions } from './types';
import { newUsageRecord, recordTokens, usageEntryOf, type TokenUsage, type UsageRecord } from './usage-record';
import { WriteBatcher } from './write-batcher';
import { createSocketProxy } from './ws-proxy';
import { SpendGate, type Reservation, type SpendAmounts } from './spend-gate';
import { requestAmounts, spendsAnswerUsage, usageAmounts } from './spend-amounts';
import { ResponseContexts } from './response-contexts';
import { FINAL_BATCH_STATUSES, LateSettlements } from './late-settlements';
import { hasRateLimits } from './rate-limiter';
import { BudgetAlerts } from '../budgets/budget-alerts';
import { subkeyStatus } from '../store/subkeys-repo';

const DEFAULT_MAX_BODY = 64 * 1024 * 1024;
const DEFAULT_UPSTREAM_TIMEOUT = 10 * 60 * 1000;
/** While the store cannot be written, how often one request may try a write again. */
const STORE_RETRY_MS = 1_000;
const STORE_UNAVAILABLE = proxyErrors.storeUnavailable().code;

/** One request on its way through the proxy. */
interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  record: UsageRecord;
  started: number;
  subkey: SubkeyState | null;
  /** The usage row is queued for writing (later changes are completions). */
  queued: boolean;
  /** Quota and budgets taken and not yet settled or given back. */
  reservation: Reservation | null;
  /** What the request's usage is priced by (its model on its upstream), once reserved with a budget in dollars. */
  priced: { model: string | null; upstream: UpstreamState } | null;
  /**
   * A `POST /v1/batches`: the models its lines name and the batch its answer made (once known). Its answer's usage is
   * not its lines': its reservation stands until a retrieval or cancel shows the finished batch's (settleBatch).
   */
  batch: { models: readonly string[]; id: string | null } | null;
  /** A retrieval or cancel of a batch (`/v1/batches/{id}`), and the status its answer shows. */
  looksAtBatch: { id: string; status: string | null } | null;
  /** The answer's `usage` is what this request spent (spendsAnswerUsage), not that of an object it retrieves. */
  ownUsage: boolean;
  /** A `POST /v1/responses`: the response it made (once known) and the conversation it named, for ResponseContexts. */
  responses: { id: string | null; conversation: unknown; background: boolean } | null;
  /** The response a retrieval or cancel names (`/v1/responses/{id}`), whose usage may settle a background one. */
  looksAt: string | null;
  forwarding: Forwarding | null;
  clientGone: boolean;
  finished: boolean;
  /** Its slot in `inFlight` (-1 until it is in flight). */
  slot: number;
}

/**
 * The OpenAI-compatible proxy: authenticate → authorize (model policy) → reserve quota → forward → record usage.
 * Quota and usage writes are group-committed per event-loop turn (see WriteBatcher); sub-keys and decrypted upstream
 * keys are cached in memory until `invalidate`.
 */
export function createProxy(options: ProxyOptions): Proxy {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const allowedHosts = options.allowedHosts ?? [];
  const table = new EndpointTable();
  /** Where a batch input line's body names models: as a POST to its url would (only `model` for a url not in the table). */
  const batchLinePlaces = (url: string) => {
    const path = url.split('?')[0]!;
    return modelPlacesOf(path.startsWith('/v1/') ? table.match('POST', path.slice(3))?.spec : null);
  };
  const owners = new ObjectOwners(options.db);
  const batchFiles = new BatchFiles(options.db);
  const inFlight = new InFlight<Exchange>();
  // Clients send the same Host on every request: remember the last one that passed.
  let lastAllowedHost: string | undefined;
  let drained: (() => void) | null = null;
  /** While the store fails: when the next request may go on to try writing (see checkStoreWritable). */
  let storeRetryAt = 0;

  const writes = new WriteBatcher(
    options.db,
    (subkeyIds, finished) => {
      if (options.onUsageRows && finished.length > 0) options.onUsageRows(finished.map(usageEntryOf));
      if (!options.onUsage) return;
      for (const id of subkeyIds) {
        try {
          options.onUsage(id);
        } catch {
          // A listener's failure is not the request's.
        }
      }
    },
    (deltas) => {
      // The batch did not commit: its reservations never happened, so the in-memory counts get them back.
      for (const [id, delta] of deltas) {
        const subkey = keys.cachedSubkey(id);
        if (subkey && subkey.remaining !== null) subkey.remaining -= delta;
      }
    },
    (failure) => {
      if (failure !== null) storeRetryAt = performance.now() + STORE_RETRY_MS;
      try {
        options.onStoreHealth?.(failure);
      } catch {
        // A listener's failure is not the request's.
      }
    },
  );
  // The daily roll-up follows the settings' time zone from the start (see DailyRollup.followZone).
  writes.flush();
  const keys = new KeyCache({
    db: options.db,
    secrets: options.secrets,
    upstreamTimeoutMs: options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT,
    pendingDelta: (id) => writes.pendingDelta(id),
  });
  const gate = new SpendGate(options.db, keys, writes, options.now);
  // What finished responses read and wrote, for the estimate of a request continuing one (HTTP or WebSocket).
  const contexts = new ResponseContexts();
  const background = new LateSettlements('response', { db: options.db, writes, keys, gate });
  const batches = new LateSettlements('batch', { db: options.db, writes, keys, gate });
  // Budget thresholds are looked at after the turn a key with budgets settled in, off the request's path.
  const alerts = options.onBudgetThreshold ? new BudgetAlerts(options.db, gate, options.onBudgetThreshold, options.now) : null;
  if (alerts) gate.onSettle((subkey) => alerts.settled(subkey.id, subkey.budgets));
  // WebSockets share the key cache, the write batcher and the endpoint table: the same stages check their frames.
  const sockets = createSocketProxy({
    keys,
    writes,
    table,
    owners,
    allowedHosts,
    maxFrameBytes: maxBodyBytes,
    upstreamTimeoutMs: options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT,
    gate,
    db: options.db,
    contexts,
  });

  /**
   * Fail closed: while the store cannot be written, requests are refused before anything is read or forwarded. One
   * request per STORE_RETRY_MS goes on instead; its own reservation commit is the try (it is forwarded only if that
   * commit succeeds), so the store is tried with a real write, and at a bounded rate.
   */
  function checkStoreWritable(): void {
    if (writes.failure === null) return;
    const now = performance.now();
    if (now < storeRetryAt) throw proxyErrors.storeUnavailable();
    storeRetryAt = now + STORE_RETRY_MS;
  }

  function finish(exchange: Exchange): void {
    if (exchange.finished) return;
    exchange.finished = true;
    const { record } = exchange;
    record.latencyMs = Math.round((performance.now() - exchange.started) * 1000) / 1000;
    // A store that cannot be written takes no row for the refusal either: trying would only fail again.
    if (record.refusal !== STORE_UNAVAILABLE) {
      if (exchange.queued) writes.enqueueComplete(record);
      else if (exchange.subkey === null) {
        // Refused before any sub-key was known: counted, not logged, so requests without a key cannot grow the store.
        writes.enqueueRefusal(record.refusal ?? 'internal_error', record.at);
      } else {
        exchange.queued = true;
        writes.enqueueInsert(record);
      }
    }
    inFlight.delete(exchange.slot, exchange);
    if (inFlight.size === 0 && drained) drained();
  }

  function refund(exchange: Exchange): void {
    if (exchange.reservation) gate.release(exchange.reservation);
  }

  function fail(exchange: Exchange, error: unknown): void {
    const proxyError = error instanceof ProxyError ? error : proxyErrors.internal();
    refund(exchange);
    if (exchange.clientGone) {
      exchange.record.status = 499;
      exchange.record.refusal = 'client_closed';
    } else {
      exchange.record.status = proxyError.status;
      exchange.record.refusal = proxyError.code;
      // A body the proxy did not read must not be taken for the next request on this connection. A request without
      // one (no length, not chunked) may be refused before Node marks it complete: its connection can stay open.
      const unreadBody = !exchange.request.complete && hasBody(exchange.request);
      // A rate-limited key's refusals say where its limits stand too.
      const rate = exchange.subkey ? gate.rateHeaders(exchange.subkey) : null;
      sendError(exchange.response, proxyError, unreadBody || rate ? { ...rate, ...(unreadBody && { connection: 'close' }) } : undefined);
    }
    finish(exchange);
  }

  function settle(exchange: Exchange, outcome: ForwardOutcome): void {
    const { record } = exchange;
    if (outcome.status !== null) {
      const usage = exchange.ownUsage ? outcome.usage : null;
      const ok = outcome.status >= 200 && outcome.status < 300;
      record.status = outcome.status;
      // Spent only on a 2xx, which counts even when the client left mid-stream (the reservation, unless usage arrived).
      if (!ok) refund(exchange);
      else if (exchange.reservation) {
        // A batch's answer carries none of its lines' usage (a new batch may even report zeros): its reservation,
        // the priced worst case of every line, stands as the charge.
        const spent = exchange.batch !== null ? null : usageAmounts(options.db, exchange, usage);
        gate.settle(exchange.reservation, spent);
        // The row shows what the budgets were settled with (a batch: its lines' priced worst case, when a dollar
        // budget had it priced); a request that names no model has no price to show.
        if (exchange.batch !== null) record.costUsd = exchange.reservation.holds.find((hold) => hold.budget.metric === 'usd')?.amount ?? null;
        else record.costUsd = spent && exchange.priced?.model != null ? spent.usd : null;
      }
      if (usage && exchange.responses && ok) {
        contexts.remember(exchange.responses.id, exchange.responses.conversation, (usage.promptTokens ?? 0) + (usage.completionTokens ?? 0));
      }
      // A background response answers queued: its reservation stands until its usage shows (settleBackground).
      if (ok && !usage && exchange.responses?.background && exchange.responses.id !== null && exchange.reservation && exchange.priced) {
        const { model, upstream } = exchange.priced;
        background.remember(exchange.responses.id, { reservation: exchange.reservation, record, models: model === null ? [] : [model], upstream });
      }
      if (ok && exchange.looksAt !== null && outcome.usage) settleBackground(exchange.looksAt, outcome.usage);
      if (ok && exchange.batch?.id && exchange.reservation && exchange.priced) {
        batches.remember(exchange.batch.id, { reservation: exchange.reservation, record, models: exchange.batch.models, upstream: exchange.priced.upstream });
      }
      const looked = exchange.looksAtBatch;
      if (ok && looked !== null && looked.status !== null && FINAL_BATCH_STATUSES.has(looked.status) && outcome.usage) settleBatch(looked.id, outcome.usage);
      if (usage) recordTokens(record, usage);
      finish(exchange);
      return;
    }
    fail(exchange, outcome.error ?? proxyErrors.upstreamUnreachable());
  }

  /**
   * A background response's usage, seen in the answer to a retrieval or cancel of it: its own request's reservation
   * and usage row are settled to it (once), as a request that answered with usage would have been.
   */
  function settleBackground(responseId: string, usage: TokenUsage): void {
    const pending = background.take(responseId);
    if (!pending) return;
    const model = pending.models[0] ?? null;
    const spent = usageAmounts(options.db, { priced: { model, upstream: pending.upstream } }, usage);
    settleLate(pending, usage, spent, spent && model !== null ? spent.usd : null);
  }

  /**
   * A finished batch's usage, seen in the answer to a retrieval or cancel of it: its creation's reservation and usage
   * row are settled to it (once), as batchSpent prices it.
   */
  function settleBatch(batchId: string, usage: TokenUsage): void {
    const pending = batches.take(batchId);
    if (!pending) return;
    const spent = batchSpent(options.db, pending.upstream, pending.models, usage);
    settleLate(pending, usage, spent, spent?.usd ?? null);
  }

  /** Work settled after its answer: its holds become what `usage` spent, and its usage row shows the usage and `costUsd`. */
  function settleLate(pending: { reservation: Reservation; record: UsageRecord }, usage: TokenUsage, spent: SpendAmounts | null, costUsd: number | null): void {
    if (spent) gate.settleLate(pending.reservation, spent);
    recordTokens(pending.record, usage);
    pending.record.costUsd = costUsd;
    writes.enqueueComplete(pending.record);
  }

  async function proxy(exchange: Exchange, path: string, query: string): Promise<void> {
    const { request, response, record } = exchange;
    const method = record.method;
    checkStoreWritable();
    let subkey = identify(request.headers, keys);
    exchange.subkey = subkey;
    record.subkeyId = subkey.id;
    checkUsable(subkey, record.at);
    gate.checkLeft(subkey);

    // Checked after the key so that junk from anyone without one is not logged row by row.
    checkMethod(method, request.headers);
    // Every check below reads the canonical path, and upstream gets exactly that path.
    const target = canonicalTarget(path, query);
    const endpoint = table.match(method, target.path.slice(3));
    checkEndpoint(method, target.path, endpoint, subkey, () => keys.upstream(subkey.upstreamId));
    checkPermission(method, endpoint, subkey);
    checkDeclaredLength(request, maxBodyBytes);
    const bodyKind = bodyKindOf(request);
    let body: Buffer | Readable | null = null;
    let json: unknown = undefined;
    let formModel: string | null = null;
    let form: FormBody | null = null;
    let formHead: FormHead | null = null;
    let scan: BatchFileScan | null = null;
    if (bodyKind === 'json') {
      body = await readBody(request, maxBodyBytes);
      json = parseJsonBody(body);
    } else if (bodyKind === 'form') {
      // A file upload may be a batch's input: its lines are read as they go by, and kept if its purpose is `batch`.
      if (method === 'POST' && endpoint?.spec.path === '/files') scan = new BatchFileScan(batchLinePlaces);
      // Its fields naming objects are collected for every key, so a key whose sharing ends mid-upload is checked too.
      form = new FormBody(request, request.headers['content-type']!, maxBodyBytes, scan, idPlacesOf(endpoint?.spec));
      formHead = await form.readHead();
      formModel = formHead.model;
      body = formHead.bytes;
    }
    const queryModels = query === '' ? [] : new URLSearchParams(query).getAll('model');
    // Two `model` parameters could mean two different models to the proxy and to upstream: refuse the ambiguity.
    if (queryModels.length > 1) throw proxyErrors.duplicateModel();
    const queryModel = queryModels[0] ?? null;
    // Another key's objects are not found (404), before anything else is said about them.
    const jsonBytes = bodyKind === 'json' ? (body as Buffer) : null;
    if (!subkey.permissions.shareProjectObjects) checkObjects(endpoint?.spec, target.path.slice(3), json, jsonBytes, subkey.id, owners, formHead?.ids);
    // A batch counts one request per line of its input, whose models and endpoints were read at upload.
    const batchFile = method === 'POST' && endpoint?.spec.path === '/batches' ? checkBatch(json, subkey, batchFiles, table) : null;
    const claims = { method, endpoint, bodyKind, json, jsonBytes, formModel, queryModel, indirectChecked: batchFile !== null };
    // Recorded before the policy is applied, so a refused request's row still says what it asked for.
    record.model = requestedModel(claims);
    record.model = authorize(subkey, claims);
    if (!keys.isCurrent(subkey)) {
      // The sub-key changed while its body was arriving: check again against what the store says now.
      subkey = identify(request.headers, keys);
      exchange.subkey = subkey;
      record.subkeyId = subkey.id;
      checkUsable(subkey, Date.now());
      checkEndpoint(method, target.path, endpoint, subkey, () => keys.upstream(subkey.upstreamId));
      checkPermission(method, endpoint, subkey);
      if (!subkey.permissions.shareProjectObjects) checkObjects(endpoint?.spec, target.path.slice(3), json, jsonBytes, subkey.id, owners, formHead?.ids);
      if (batchFile) checkBatch(json, subkey, batchFiles, table);
      record.model = authorize(subkey, claims);
    }
    const upstream = keys.upstream(subkey.upstreamId);
    const ownOnly = !subkey.permissions.shareProjectObjects;
    if (endpoint?.spec.mints) {
      const minted = prepareMint(endpoint.spec, subkey, bodyKind, json, Date.now());
      if (minted.body) body = minted.body;
      if (minted.capped) response.setHeader(CAPPED_HEADER, String(MAX_CREDENTIAL_SECONDS));
    }

    let injectedUsage = false;
    if (bodyKind === 'json' && method === 'POST' && wantsInjectedUsage(target.path, json)) {
      body = withIncludeUsage(body as Buffer, json as Record<string, unknown>);
      injectedUsage = true;
    }
    let limited: LimitedStream | null = null;
    if (bodyKind === 'raw') {
      limited = limitStream(maxBodyBytes);
      body = request.pipe(limited);
    } else if (form && formHead && !formHead.complete) {
      // The model is known: what is left of the upload streams to upstream as it arrives.
      limited = form.rest(formHead.bytes, ownOnly ? (named) => checkOwned(named, subkey.id, owners) : null);
      body = limited;
    }

    const responses = method === 'POST' && endpoint?.spec.path === '/responses' && bodyKind === 'json';
    if (responses) {
      const body = json as Record<string, unknown> | null;
      // A streamed background response reports its usage in its stream, like any other.
      exchange.responses = { id: null, conversation: body?.conversation, background: body?.background === true && body.stream !== true };
    }
    exchange.looksAt = objectLookedAt('responses', method, endpoint?.spec.path, target.path);
    const facts = {
      method,
      specPath: endpoint?.spec.path ?? null,
      json,
      jsonBytes: bodyKind === 'json' ? (body as Buffer).length : 0,
      sentJson: jsonBytes,
      form: bodyKind === 'form',
      context: responses ? contexts.of(json) : 0,
      background: exchange.responses?.background === true,
      model: record.model,
      upstream,
      db: options.db,
    };
    // A batch takes, all or none, one request per line of its input and its lines' worst case as read at upload.
    exchange.batch = batchFile ? { models: batchFile.models, id: null } : null;
    exchange.ownUsage = spendsAnswerUsage(method, endpoint?.spec.path ?? null);
    const amounts = batchFile ? batchAmounts(subkey, batchFile, facts) : requestAmounts(subkey, facts);
    const reservation = gate.reserve(subkey, amounts, record);
    // Alone in flight, no other request can share this commit: write it now instead of at the end of the loop turn.
    if (inFlight.size === 1) writes.flushReservations();
    exchange.queued = true;
    exchange.reservation = reservation;
    // Every answer is priced, for its row's cost: prices.ts turned the model's price into rates once, so settling
    // costs a few arithmetic operations (~0.2 µs), not a price-library call (~17 µs).
    exchange.priced = { model: record.model, upstream };
    try {
      await reservation.committed;
    } catch {
      // The batch did not commit, so the reservation never happened (the batcher already restored the counts).
      gate.abandon(reservation);
      throw proxyErrors.storeUnavailable();
    }
    if (exchange.clientGone) throw proxyErrors.internal();

    const policy = subkey.policy;
    const owner = subkey.id;
    const modelFilter =
      subkey.restricted && method === 'GET' && target.path === '/v1/models'
        ? (id: string) => isModelAllowed(policy, id)
        : ownOnly && isOwnedList(method, endpoint?.spec)
          ? (id: string) => owners.owner(id) === owner
          : null;
    const uploaded = form;
    const looksAtBatch = objectLookedAt('batches', method, endpoint?.spec.path, target.path);
    exchange.looksAtBatch = looksAtBatch === null ? null : { id: looksAtBatch, status: null };
    const created = creationRecorder(endpoint?.spec, json, (id, kind) => {
      if (kind === 'response' && exchange.responses) exchange.responses.id = id;
      if (kind === 'batch' && exchange.batch) exchange.batch.id = id;
      owners.remember(id, owner);
      writes.enqueueObject(id, owner, kind, Date.now());
      if (scan && uploaded?.purpose === 'batch') {
        const summary = scan.result();
        batchFiles.remember(id, owner, summary);
        writes.enqueueBatchFile(id, owner, summary);
      }
    });
    const contentLength = Buffer.isBuffer(body) ? body.length : body !== null ? declaredLength(request) : null;
    const forwarding = new Forwarding(
      {
        upstream,
        method,
        path: target.target,
        headers: upstreamRequestHeaders(request.rawHeaders, upstream.authorization, contentLength),
        body,
        injectedUsage,
        modelFilter,
        created: created ?? (exchange.looksAtBatch ? (answer) => (exchange.looksAtBatch!.status = batchStatus(answer)) : null),
        bodyFailure: limited ? () => limited.failure : null,
        rateHeaders: hasRateLimits(subkey.rateLimits) ? (headers) => void gate.rateHeaders(subkey, headers) : null,
      },
      response,
      (outcome) => settle(exchange, outcome),
    );
    exchange.forwarding = forwarding;
    forwarding.start();
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
    const exchange: Exchange = {
      request,
      response,
      record: newUsageRecord(request.method ?? 'GET', path, Date.now()),
      started: performance.now(),
      subkey: null,
      queued: false,
      reservation: null,
      priced: null,
      batch: null,
      looksAtBatch: null,
      ownUsage: false,
      responses: null,
      looksAt: null,
      forwarding: null,
      clientGone: false,
      finished: false,
      slot: -1,
    };
    const host = request.headers.host;
    if (headerCount(request.rawHeaders, 'host') > 1) {
      // Node keeps the first Host; a front proxy or upstream may route by the last.
      exchange.slot = inFlight.add(exchange);
      fail(exchange, proxyErrors.ambiguousRequest('it has more than one Host header'));
      return;
    }
    if (host === undefined || host !== lastAllowedHost) {
      if (!isAllowedHost(host, allowedHosts)) {
        exchange.slot = inFlight.add(exchange);
        fail(exchange, proxyErrors.hostNotAllowed());
        return;
      }
      lastAllowedHost = host;
    }
    if (path !== '/v1' && !path.startsWith('/v1/')) {
      sendError(response, proxyErrors.notFound(path));
      return;
    }
    if (exchange.record.method === 'OPTIONS') {
      answerPreflight(request, response);
      return;
    }
    exchange.slot = inFlight.add(exchange);
    response.on('close', () => {
      if (response.writableFinished) return;
      exchange.clientGone = true;
      exchange.forwarding?.abort();
    });
    proxy(exchange, path, query).catch((error: unknown) => fail(exchange, error));
  }

  async function drainRequests(timeoutMs: number): Promise<void> {
    if (inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        drained = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      drained = null;
      for (const exchange of inFlight.values()) exchange.response.destroy();
      // Let the aborted requests record how they ended before the last flush.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  return {
    handle,
    upgrade: (request, socket, head) => sockets.upgrade(request, socket, head),
    flush: () => writes.flush(),
    counted(subkey) {
      const remainingRequests = subkey.remainingRequests === null ? null : Math.max(0, subkey.remainingRequests + writes.pendingDelta(subkey.id));
      const expiresAt = subkey.expiresAt === null ? null : Date.parse(subkey.expiresAt);
      return {
        ...subkey,
        remainingRequests,
        budgets: subkey.budgets.map((budget) => ({ ...budget, spent: gate.budgetSpent(subkey.id, budget).spent })),
        status: subkeyStatus({ enabled: subkey.enabled, expiresAt, remainingRequests }, Date.now()),
      };
    },
    storeFailure: () => writes.failure,
    invalidate(subkeyId, invalidateOptions) {
      keys.invalidate(subkeyId, invalidateOptions?.quotaReset ?? false);
      // Open sockets of a sub-key that was disabled, expired or removed close within this call.
      sockets.invalidate(subkeyId);
    },
    async drain(timeoutMs) {
      await Promise.all([drainRequests(timeoutMs), sockets.drain(timeoutMs)]);
      writes.flush();
      alerts?.flush();
      keys.closePools();
    },
  };
}

/**
 * The id a retrieval (`GET /v1/{objects}/{id}`) or cancel (`POST …/cancel`) of one of `objects` names in the
 * canonical (decoded) path, else null: its answer may show the usage that settles the request that made it.
 */
function objectLookedAt(objects: 'responses' | 'batches', method: string, specPath: string | undefined, path: string): string | null {
  const item = objects === 'responses' ? '/responses/{response_id}' : '/batches/{batch_id}';
  const looks = (method === 'GET' && specPath === item) || (method === 'POST' && specPath === `${item}/cancel`);
  return looks ? path.split('/')[3]! : null;
}

/** The `status` of a batch object answered as JSON, or null. */
function batchStatus(answer: Buffer): string | null {
  try {
    const status = (JSON.parse(answer.toString('utf8')) as { status?: unknown } | null)?.status;
    return typeof status === 'string' ? status : null;
  } catch {
    return null;
  }
}

/** A chat or completions stream that did not ask for usage: Keygate asks for it, and hides it again. */
function wantsInjectedUsage(path: string, json: unknown): boolean {
  if (path !== '/v1/chat/completions' && path !== '/v1/completions') return false;
  if (typeof json !== 'object' || json === null) return false;
  const body = json as { stream?: unknown; stream_options?: unknown };
  if (body.stream !== true) return false;
  const options = body.stream_options as { include_usage?: unknown } | null | undefined;
  return !(typeof options === 'object' && options !== null && options.include_usage === true);
}

const INCLUDE_USAGE = Buffer.from(',"stream_options":{"include_usage":true}');

/**
 * The body with `stream_options.include_usage: true`. Without stream options the member is spliced in before the
 * closing brace (no re-serialising of a possibly long conversation); otherwise the body is re-serialised.
 */
function withIncludeUsage(body: Buffer, json: Record<string, unknown>): Buffer {
  if (!('stream_options' in json)) {
    const close = body.lastIndexOf(0x7d);
    return Buffer.concat([body.subarray(0, close), INCLUDE_USAGE, body.subarray(close)]);
  }
  const options = typeof json.stream_options === 'object' && json.stream_options !== null ? json.stream_options : {};
  return Buffer.from(JSON.stringify({ ...json, stream_options: { ...options, include_usage: true } }));
}

function declaredLength(request: IncomingMessage): number | null {
  const length = request.headers['content-length'];
  return length === undefined ? null : Number(length);
}
