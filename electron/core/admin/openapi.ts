import { z } from 'zod';
import { channelPath, channels, contract, type Channel } from '../../shared/contract';
import { channelOutputSchemas, ErrorBodySchema } from '../../shared/output-schemas';

export const OPENAPI_PATH = '/admin/api/openapi.json';

type JsonObject = { [key: string]: unknown };

/** What each channel does, for the document's summaries. */
const SUMMARIES: Record<Channel, string> = {
  'app:info': 'Version, mode, data directory and how upstream keys are stored',
  'upstreams:list': 'List upstreams (never their keys)',
  'upstreams:add': 'Add an upstream with its real API key',
  'upstreams:update': 'Rename an upstream, or change its base URL or key',
  'upstreams:remove': 'Remove an upstream that no sub-key uses',
  'upstreams:test': "Call the upstream's `GET /v1/models` with its real key",
  'models:sync': "Replace an upstream's models with what it lists now",
  'models:list': "An upstream's models from its last sync",
  'subkeys:list': 'List sub-keys (never their secrets)',
  'subkeys:create': 'Issue a sub-key; its secret is answered this once',
  'subkeys:update': "Change a sub-key's name, expiry, quota, model policy or enabled state",
  'subkeys:rotate': 'Replace the secret of a sub-key (the old one stops working at once)',
  'subkeys:remove': 'Delete a sub-key',
  'usage:list': 'Requests through the proxy, newest first (refused ones included)',
  'usage:daily': 'Requests, tokens and cost per sub-key and local day (the settings\' time zone)',
  'usage:refusals': 'Requests refused before a sub-key was known, per reason, over the last day and week',
  'usage:storage': "The store's size on disk and the oldest request the log keeps (retention: `proxy:configure`)",
  'proxy:status': 'Whether `/v1` serves, and its base URL',
  'proxy:start': 'Serve `/v1`',
  'proxy:stop': 'Stop serving `/v1` (it answers 503 `proxy_stopped` until started)',
  'proxy:configure': "Change `autoStart`, the budgets' time zone or default output cap, or the request log's retention (headless: the address comes from `--host` / `--port`)",
  'prices:list': 'The date of the price data in use and the custom prices',
  'prices:set': 'Set the price of a model on an upstream (US dollars per million tokens)',
  'prices:remove': 'Remove a custom price',
  'prices:update': 'Fetch newer price data from @pydantic/genai-prices (the last good copy is kept)',
  'usage:models': 'Requests, tokens and cost per model over the last local days, most expensive first; with `subkeyId`, that sub-key\'s only',
  'alerts:list': 'The latest `budget:threshold` announcements kept in the store (the newest per key and budget or expiry), newest first, at most 50: what fired while no window was open',
  'usage:export': 'Desktop: save the filtered usage log as CSV to a file the user picks. Over HTTP, `GET /admin/api/usage/export?subkeyId=&before=` (or this POST) answers the CSV itself, streamed as `text/csv`',
};

type ErrorStatus = '404' | '409' | '502';

/** Errors a channel answers besides the ones every channel may (400, 401, 403, 405, 413, 500). */
const CHANNEL_ERRORS: Record<Channel, ErrorStatus[]> = {
  'app:info': [],
  'upstreams:list': [],
  'upstreams:add': [],
  'upstreams:update': ['404'],
  'upstreams:remove': ['404', '409'],
  'upstreams:test': ['404'],
  'models:sync': ['404', '502'],
  'models:list': ['404'],
  'subkeys:list': [],
  'subkeys:create': [],
  'subkeys:update': ['404'],
  'subkeys:rotate': ['404'],
  'subkeys:remove': ['404'],
  'usage:list': [],
  'usage:daily': [],
  'usage:refusals': [],
  'usage:storage': [],
  'proxy:status': [],
  'proxy:start': [],
  'proxy:stop': [],
  'proxy:configure': ['409'],
  'prices:list': [],
  'prices:set': [],
  'prices:remove': ['404'],
  'prices:update': ['502'],
  'usage:export': [],
  'usage:models': [],
  'alerts:list': [],
};

const ERROR_RESPONSES: Record<string, { name: string; description: string; headers?: JsonObject }> = {
  '400': { name: 'InvalidInput', description: '`INVALID_INPUT`: the body is not JSON, or a field is wrong (`issues` names each one).' },
  '401': {
    name: 'Unauthorized',
    description: '`UNAUTHORIZED`: no admin token, or a wrong one.',
    headers: { 'WWW-Authenticate': { schema: { type: 'string', const: 'Bearer realm="keygate-admin"' } } },
  },
  '403': { name: 'ForbiddenHost', description: '`FORBIDDEN`: the `Host` header is not a loopback name or one allowed with `--allow-host` (DNS rebinding guard).' },
  '404': { name: 'NotFound', description: '`NOT_FOUND`: no such id (or no such path).' },
  '405': {
    name: 'MethodNotAllowed',
    description: '`INVALID_INPUT`: wrong HTTP method; `Allow` names the right one.',
    headers: { Allow: { schema: { type: 'string' } } },
  },
  '409': { name: 'Conflict', description: '`CONFLICT`: the change contradicts the current state (e.g. an upstream still used by sub-keys).' },
  '413': { name: 'PayloadTooLarge', description: '`INVALID_INPUT`: the body is larger than 1 MiB.' },
  '429': {
    name: 'RateLimited',
    description: '`RATE_LIMITED`: 20 wrong tokens within a minute from this address; wait `Retry-After` seconds.',
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
  },
  '500': { name: 'Internal', description: '`INTERNAL`: a bug or an unreadable stored key; details are in the server log only.' },
  '502': { name: 'UpstreamError', description: '`UPSTREAM_ERROR`: the upstream refused or could not be reached.' },
};

const COMMON_ERRORS = ['400', '401', '403', '405', '413', '429', '500'];

const DESCRIPTION = [
  'The admin API of a headless Keygate (`npm run serve -- --admin`): one `POST` endpoint per contract channel, JSON both ways.',
  'Every path needs the admin token as `Authorization: Bearer <token>` (printed once by the first `--admin` run, or `KEYGATE_ADMIN_TOKEN`).',
  'An empty body counts as `{}`. Success is `200` with the channel output as the body; an error is `{ "error": { "code", "message", "issues"? } }` with the status of its code.',
  'Generated from `electron/shared/contract.ts` (inputs) and `electron/shared/output-schemas.ts` (outputs): regenerate with `npm run docs:admin-api`.',
].join('\n\n');

/**
 * Drops what a JSON Schema reader gains nothing from: zod's long date-time regex next to `format`, the ±2^53 bounds
 * of every integer, and (outputs only) `additionalProperties: false`, since answers may gain fields over time.
 */
function tidy(node: JsonObject, output: boolean): void {
  if (node.format === 'date-time' || node.format === 'date') delete node.pattern;
  if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
  if (node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
  if (output && node.additionalProperties === false) delete node.additionalProperties;
}

/** Converts a zod schema; its named parts (`.meta({ id })`) land in `defs` and are referred to as components. */
function toSchema(schema: z.ZodType, io: 'input' | 'output', defs: Map<string, string>, components: JsonObject): JsonObject {
  const converted = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    override: ({ jsonSchema }) => tidy(jsonSchema as JsonObject, io === 'output'),
  }) as JsonObject;
  const rewritten = JSON.parse(JSON.stringify(converted).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonObject;
  const { $schema: _schema, $defs, ...rest } = rewritten;
  for (const [name, def] of Object.entries(($defs ?? {}) as JsonObject)) {
    const text = JSON.stringify(def);
    if (defs.has(name) && defs.get(name) !== text) throw new Error(`two different schemas are named ${name}`);
    defs.set(name, text);
    components[name] = def;
  }
  return rest;
}

/** Whether an input may be left out entirely (no required field), so the request body is optional. */
function bodyOptional(schema: JsonObject): boolean {
  return !Array.isArray(schema.required) || schema.required.length === 0;
}

function operationId(channel: Channel): string {
  return channel.replace(/:(\w)/, (_match, letter: string) => letter.toUpperCase());
}

function errorRefs(statuses: string[]): JsonObject {
  return Object.fromEntries([...statuses].sort().map((status) => [status, { $ref: `#/components/responses/${ERROR_RESPONSES[status]!.name}` }]));
}

/**
 * The OpenAPI 3.1 document of the admin API, generated from the contract: zod's JSON Schema of each channel's input
 * and of its declared output schema. Served at `GET /admin/api/openapi.json` and committed as `docs/admin-api.json`.
 */
export function buildAdminOpenApi(version: string): JsonObject {
  const defs = new Map<string, string>();
  const schemas: JsonObject = {};
  const paths: JsonObject = {};
  for (const channel of channels) {
    const input = toSchema(contract[channel].input, 'input', defs, schemas);
    const output = toSchema(channelOutputSchemas[channel], 'output', defs, schemas);
    const [namespace] = channel.split(':');
    paths[channelPath(channel)] = {
      post: {
        operationId: operationId(channel),
        'x-keygate-channel': channel,
        tags: [namespace],
        summary: SUMMARIES[channel],
        requestBody: { required: !bodyOptional(input), content: { 'application/json': { schema: input } } },
        responses: {
          '200': { description: 'The channel output.', content: { 'application/json': { schema: output } } },
          ...errorRefs([...COMMON_ERRORS, ...CHANNEL_ERRORS[channel]]),
        },
      },
    };
  }
  const errorBody = toSchema(ErrorBodySchema, 'output', defs, schemas);
  paths['/admin/api/events'] = {
    get: {
      operationId: 'events',
      tags: ['events'],
      summary: 'Push events as server-sent events',
      description:
        '`event: proxy:changed` (data: a `ProxyStatus`) and `event: usage:changed` (data: `{ "subkeyId": string | null, "subkeys"?: Subkey[], "entries"?: UsageEntry[] }`: the changed sub-keys and the finished rows, newest first, left out when too many: then re-read) and `event: budget:threshold` (data: `{ "kind": "budget", "subkeyId", "subkeyName", "metric", "window", "percent": 80 | 100, "spent", "limit", "resetsAt": string | null, "at" }` once per window and limit when a key reaches 80 % and 100 % of a budget, or `{ "kind": "expiry", "subkeyId", "subkeyName", "expiresAt", "at" }` once per expiry when an enabled key will expire within 24 h), plus a `: heartbeat` comment line every 15 s.',
      responses: { '200': { description: 'An endless `text/event-stream`.', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errorRefs(['401', '403', '405']) },
    },
  };
  paths[OPENAPI_PATH] = {
    get: {
      operationId: 'openapi',
      tags: ['meta'],
      summary: 'This document',
      responses: { '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } }, ...errorRefs(['401', '403', '405']) },
    },
  };
  const responses = Object.fromEntries(
    Object.values(ERROR_RESPONSES).map(({ name, description, headers }) => [
      name,
      { description, ...(headers && { headers }), content: { 'application/json': { schema: errorBody } } },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'Keygate admin API', version, description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
    servers: [{ url: 'http://127.0.0.1:8080', description: 'The default `--host` and `--port`; use the address `serve` printed.' }],
    security: [{ adminToken: [] }],
    tags: [...new Set(channels.map((channel) => channel.split(':')[0]!)), 'events', 'meta'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The admin token: `kg-admin-…` printed once by the first `--admin` run, or the value of `KEYGATE_ADMIN_TOKEN`.',
        },
      },
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      responses,
    },
  };
}

/** The document as committed: two-space JSON with a final newline. */
export function adminOpenApiText(version: string): string {
  return `${JSON.stringify(buildAdminOpenApi(version), null, 2)}\n`;
}
