import { z } from 'zod';
import type { Channel, ChannelOutput } from './contract';
import { errorReasons, type ErrorCode } from './errors';
import { PERMISSION_GROUPS, PERMISSION_LEVELS, PERMISSION_MODES, type PermissionGroup, type PermissionLevel, type PermissionMode } from './permissions';

/**
 * What every channel answers, as zod schemas. The admin API's OpenAPI document is generated from these, and tests
 * parse the real output of every channel with them; the `satisfies` clauses below make the compiler refuse a schema
 * that drifts from the domain types in `types.ts`.
 */

const ErrorReasonSchema = z
  .enum(errorReasons)
  .meta({ id: 'ErrorReason', description: 'A stable id of a message that names values, so a client can word it in its own language.' });
const ErrorParamsSchema = z
  .record(z.string(), z.union([z.string(), z.number()]))
  .meta({ id: 'ErrorParams', description: 'The values the message names, e.g. `{ "count": 4 }`.' });

const Timestamp = z.iso.datetime().meta({ description: 'ISO 8601, UTC (e.g. `2030-01-31T12:00:00.000Z`).' });

export const UpstreamSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    baseUrl: z.string().meta({ description: 'Without a trailing slash or `/v1`: the proxy appends the incoming `/v1/...` path.' }),
    keyHint: z.string().meta({ description: 'e.g. `sk-…wxyz`: enough to recognise the real key, never enough to use it.' }),
    createdAt: Timestamp,
    lastSyncedAt: Timestamp.nullable(),
    passThroughUnknownEndpoints: z
      .boolean()
      .meta({ description: 'Forward endpoints OpenAI does not document (only for sub-keys without a model policy).' }),
  })
  .meta({ id: 'Upstream', description: 'An OpenAI-compatible API and its real key (which is never answered).' });

export const ModelSchema = z
  .object({ id: z.string(), upstreamId: z.string(), ownedBy: z.string().nullable(), syncedAt: Timestamp })
  .meta({ id: 'Model', description: 'A model listed by an upstream at its last sync.' });

export const SubkeyStatusSchema = z
  .enum(['active', 'disabled', 'expired', 'exhausted'])
  .meta({ id: 'SubkeyStatus', description: 'Derived from `enabled`, `expiresAt` and `remainingRequests` when read.' });

const PermissionLevelOutputSchema = z.enum(PERMISSION_LEVELS as [PermissionLevel, ...PermissionLevel[]]);

/** A sub-key's permissions as answered: every group present (the input schema's `PermissionsSchema` fills them in). */
export const PermissionsOutputSchema = z
  .object({
    mode: z
      .enum(PERMISSION_MODES as [PermissionMode, ...PermissionMode[]])
      .meta({ description: '`all`: every endpoint; `read_only`: GET on every endpoint; `restricted`: per group, see `groups`.' }),
    groups: z
      .object(Object.fromEntries(PERMISSION_GROUPS.map((group) => [group, PermissionLevelOutputSchema])) as Record<PermissionGroup, typeof PermissionLevelOutputSchema>)
      .meta({ description: 'Per endpoint group, read in `restricted` mode only: `none`, `read` (GET) or `write` (every method).' }),
    mintCredentials: z.boolean().meta({ description: 'May call endpoints that mint credentials (realtime client secrets…); off even in mode `all`.' }),
    shareProjectObjects: z.boolean().meta({ description: 'Sees every object of the project; otherwise only those it created through Keygate.' }),
  })
  .meta({ id: 'Permissions', description: "A sub-key's endpoint permissions, like OpenAI's restricted keys." });

export const SubkeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    upstreamId: z.string(),
    hint: z.string().meta({ description: 'e.g. `sk-kg-…wxyz`.' }),
    createdAt: Timestamp,
    expiresAt: Timestamp.nullable().meta({ description: 'null = never expires.' }),
    remainingRequests: z.number().int().min(0).nullable().meta({ description: 'Requests left; null = unlimited.' }),
    allowModels: z.array(z.string()).meta({ description: 'Empty = every model. Patterns may use `*`.' }),
    denyModels: z.array(z.string()).meta({ description: 'Deny wins over allow.' }),
    budgets: z.array(
      z.object({
        metric: z.enum(['requests', 'tokens', 'usd']),
        limit: z.number(),
        window: z.enum(['day', 'week', 'month', 'total']),
        spent: z.number().meta({ description: 'Spent in the current window, reservations of requests in flight included.' }),
        resetsAt: Timestamp.nullable().meta({ description: 'When the current window ends; null for `total`.' }),
      }),
    ),
    rateLimits: z
      .object({
        requestsPerMinute: z.number().int().nullable().meta({ description: 'Requests in any 60 seconds; null = no limit.' }),
        tokensPerMinute: z.number().int().nullable().meta({ description: 'Tokens in any 60 seconds; null = no limit.' }),
        maxConcurrent: z.number().int().nullable().meta({ description: 'Requests in flight at once; null = no limit.' }),
      })
      .meta({ description: 'Rate limits; all null = none.' }),
    enabled: z.boolean(),
    permissions: PermissionsOutputSchema,
    status: SubkeyStatusSchema,
    lastUsedAt: Timestamp.nullable(),
  })
  .meta({ id: 'Subkey', description: 'A sub-key, without its secret (only its SHA-256 is stored).' });

export const IssuedSubkeySchema = z
  .object({ subkey: SubkeySchema, secret: z.string().meta({ description: '`sk-kg-` + 40 characters. Answered this once only.' }) })
  .meta({ id: 'IssuedSubkey', description: 'A sub-key and its secret, answered once at creation or rotation.' });

export const RemovedSchema = z.object({ id: z.string() }).meta({ id: 'Removed', description: 'The id of what was removed.' });

export const UsageEntrySchema = z
  .object({
    id: z.number().int().meta({ description: 'Increasing; pass the last one as `before` for the next page.' }),
    subkeyId: z.string().nullable().meta({ description: 'null when the request named no known sub-key.' }),
    subkeyName: z.string().nullable().meta({ description: 'The sub-key\'s current name, or the one it had when deleted; null for no known sub-key.' }),
    subkeyDeleted: z.boolean().meta({ description: 'The sub-key was deleted since (then `subkeyId` is null).' }),
    at: Timestamp,
    method: z.string(),
    path: z.string(),
    model: z.string().nullable(),
    status: z.number().int().nullable().meta({ description: 'HTTP status answered to the client; null while in flight or interrupted.' }),
    latencyMs: z.number().nullable(),
    promptTokens: z.number().int().nullable(),
    completionTokens: z.number().int().nullable(),
    totalTokens: z.number().int().nullable(),
    refusal: z.string().nullable().meta({
      description:
        'Why the request did not end normally: the proxy\'s refusal code (then it was never forwarded), `client_closed` or `interrupted`; null otherwise.',
    }),
    costUsd: z.number().nullable().meta({
      description: 'What the answer cost in US dollars, at the price its budgets were settled with; null when unpriced (no price for its model, no usage reported, refused or in flight).',
    }),
    cachedTokens: z.number().int().nullable().meta({ description: 'Of `promptTokens`, read from the prompt cache; null when not reported.' }),
    reasoningTokens: z.number().int().nullable().meta({ description: 'Of `completionTokens`, spent on reasoning; null when not reported.' }),
  })
  .meta({ id: 'UsageEntry', description: 'One request through the proxy, refused ones included.' });

export const UsageDaySchema = z
  .object({
    day: z.iso.date(),
    subkeyId: z.string().nullable(),
    subkeyName: z.string().nullable(),
    subkeyDeleted: z.boolean(),
    requests: z.number().int().meta({ description: 'Requests charged: answered, in flight, or `interrupted` (Keygate stopped before they ended).' }),
    interrupted: z.number().int().meta({ description: 'Of `requests`, how many Keygate\'s stop left `interrupted`: charged, their answer unknown.' }),
    refused: z.number().int().meta({ description: 'The rest of the log that day: refused by the proxy (never forwarded), or `client_closed`.' }),
    totalTokens: z.number().int(),
    costUsd: z.number().meta({ description: 'US dollars of the `requests` that have a price (0 when none has); the unpriced ones are counted in `unpricedRequests`, never as $0.' }),
    unpricedRequests: z.number().int().meta({ description: 'Of `requests`, those without a price: no price for the model, no usage reported, or not finished.' }),
  })
  .meta({ id: 'UsageDay', description: 'Requests, tokens and cost of one sub-key on one local day (in the settings\' time zone).' });

export const UsageModelSchema = z
  .object({
    model: z.string().nullable().meta({ description: 'The model the requests named; null for requests that named none (shown as "(no model)").' }),
    requests: z.number().int().meta({ description: 'Requests charged, as in `UsageDay`.' }),
    totalTokens: z.number().int(),
    costUsd: z.number().meta({ description: 'US dollars of the `requests` that have a price (0 when none has); the unpriced ones are counted in `unpricedRequests`, never as $0.' }),
    unpricedRequests: z.number().int().meta({ description: 'Of `requests`, those without a price: no price for the model, no usage reported, or not finished.' }),
  })
  .meta({ id: 'UsageModel', description: 'Requests, tokens and cost of one model over the local days asked (in the settings\' time zone).' });

export const PriceListSchema = z
  .object({
    dataDate: z.string().meta({ description: 'The day of the price data in use (YYYY-MM-DD).' }),
    source: z.enum(['bundled', 'fetched']).meta({ description: 'The copy bundled with Keygate, or the one `prices:update` fetched last.' }),
    custom: z.array(
      z.object({
        upstreamId: z.string(),
        model: z.string(),
        inputPerMillion: z.number(),
        cachedInputPerMillion: z.number().nullable(),
        outputPerMillion: z.number(),
      }),
    ),
  })
  .meta({ id: 'PriceList', description: 'The prices budgets use: the price data in use and the custom prices (US dollars per million tokens).' });

export const ProxyStatusSchema = z
  .object({
    running: z.boolean(),
    url: z.string().meta({ description: 'The base URL tools should use, e.g. `http://127.0.0.1:8080/v1`.' }),
    host: z.string(),
    port: z.number().int(),
    autoStart: z.boolean(),
    timeZone: z.string().meta({ description: "The IANA time zone budgets' calendar windows count in; a change applies from the next window." }),
    defaultOutputTokens: z.number().int().meta({ description: 'Output tokens reserved for a request that sets no output cap.' }),
    usageRetentionDays: z.number().int().min(1).meta({ description: 'Days the request log keeps its rows; the daily totals are kept for good.' }),
    error: z.string().nullable().meta({ description: 'The last start failure (e.g. port in use); null after a successful start.' }),
    errorReason: ErrorReasonSchema.optional(),
    errorParams: ErrorParamsSchema.optional(),
    storeError: z
      .string()
      .nullable()
      .meta({ description: 'Why the store cannot be written, while it cannot: every proxied request is refused with 503 `store_unavailable`.' }),
  })
  .meta({ id: 'ProxyStatus', description: 'The `/v1` proxy: whether it serves, and where.' });

export const AppInfoSchema = z
  .object({
    version: z.string(),
    mode: z.enum(['desktop', 'headless']),
    secretStorage: z.enum(['os-keychain', 'weak', 'master-key']).meta({ description: 'How upstream keys are protected at rest.' }),
    dataDir: z.string(),
  })
  .meta({ id: 'AppInfo' });

export const ConnectionTestSchema = z
  .object({
    ok: z.boolean(),
    modelCount: z.number().int().nullable().meta({ description: 'Models the upstream listed, when it answered.' }),
    latencyMs: z.number(),
    message: z.string().nullable(),
    reason: ErrorReasonSchema.optional(),
    params: ErrorParamsSchema.optional(),
  })
  .meta({ id: 'ConnectionTest', description: 'The result of calling the upstream\'s `GET /v1/models` with its real key.' });

export const ErrorCodeSchema = z.enum([
  'INVALID_INPUT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'UPSTREAM_ERROR',
  'UNKNOWN_CHANNEL',
  'INTERNAL',
] as const satisfies readonly ErrorCode[]);

/** The body of every admin API error. */
export const RefusalCountSchema = z
  .object({
    reason: z.string().meta({ description: 'The refusal\'s error code, e.g. `missing_api_key`.' }),
    lastDay: z.number().int().min(0).meta({ description: 'In the current hour and the 23 before it.' }),
    lastWeek: z.number().int().min(0).meta({ description: 'In the current hour and the 167 before it.' }),
  })
  .meta({ id: 'RefusalCount', description: 'Requests refused before a sub-key was known (no key, unknown key, foreign Host), counted per reason.' });

export const StorageInfoSchema = z
  .object({
    sizeBytes: z.number().int().min(0).meta({ description: 'The database file and its write-ahead log, in bytes.' }),
    oldestRequestAt: z.string().nullable().meta({ description: 'When the oldest request the log still keeps started; null when it is empty.' }),
    shrinks: z.boolean().meta({ description: "Pruned rows' space goes back to the file system (false: it is reused until a start switches the store over)." }),
  })
  .meta({ id: 'StorageInfo', description: "The store's size on disk and the oldest request it keeps." });

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: ErrorCodeSchema,
      message: z.string(),
      reason: ErrorReasonSchema.optional(),
      params: ErrorParamsSchema.optional(),
      issues: z
        .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
        .optional()
        .meta({ description: 'Field by field, for `INVALID_INPUT`: `path` names the field, e.g. `["remainingRequests"]`.' }),
    }),
  })
  .meta({ id: 'Error', description: 'What every admin API error answers, whatever its status.' });

export const BudgetThresholdSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('budget'),
      subkeyId: z.string(),
      subkeyName: z.string(),
      metric: z.enum(['requests', 'tokens', 'usd']),
      window: z.enum(['day', 'week', 'month', 'total']),
      percent: z.union([z.literal(80), z.literal(100)]),
      spent: z.number().meta({ description: 'Spent in the window when it was announced.' }),
      limit: z.number(),
      resetsAt: Timestamp.nullable().meta({ description: 'When the window ends; null for `total`.' }),
      at: Timestamp.meta({ description: 'When it was announced.' }),
    }),
    z.object({
      kind: z.literal('expiry'),
      subkeyId: z.string(),
      subkeyName: z.string(),
      expiresAt: Timestamp,
      at: Timestamp.meta({ description: 'When it was announced.' }),
    }),
  ])
  .meta({
    id: 'BudgetThreshold',
    description: 'What a `budget:threshold` push carries: a key reached 80 % or 100 % of a budget, or will expire within 24 h.',
  });

/** Each channel's output schema; the mapped type makes a channel without one (or with a wrong one) a compile error. */
export const channelOutputSchemas = {
  'app:info': AppInfoSchema,

  'upstreams:list': z.array(UpstreamSchema),
  'upstreams:add': UpstreamSchema,
  'upstreams:update': UpstreamSchema,
  'upstreams:remove': RemovedSchema,
  'upstreams:test': ConnectionTestSchema,

  'models:sync': z.array(ModelSchema),
  'models:list': z.array(ModelSchema),

  'subkeys:list': z.array(SubkeySchema),
  'subkeys:create': IssuedSubkeySchema,
  'subkeys:update': SubkeySchema,
  'subkeys:rotate': IssuedSubkeySchema,
  'subkeys:remove': RemovedSchema,

  'usage:list': z.array(UsageEntrySchema),
  'usage:daily': z.array(UsageDaySchema),
  'usage:refusals': z.array(RefusalCountSchema),
  'usage:storage': StorageInfoSchema,
  'usage:export': z
    .object({
      path: z.string().nullable().meta({ description: 'The file the CSV was saved to; null when the save dialog was cancelled.' }),
      rows: z.number().int().meta({ description: 'Usage entries written (the header line not counted).' }),
    })
    .meta({ id: 'UsageExport' }),
  'usage:models': z.array(UsageModelSchema),
  'alerts:list': z.array(BudgetThresholdSchema),

  'proxy:status': ProxyStatusSchema,
  'proxy:start': ProxyStatusSchema,
  'proxy:stop': ProxyStatusSchema,
  'proxy:configure': ProxyStatusSchema,
  'prices:list': PriceListSchema,
  'prices:set': PriceListSchema,
  'prices:remove': PriceListSchema,
  'prices:update': PriceListSchema,
} satisfies { [C in Channel]: z.ZodType<ChannelOutput<C>> };

/** The schemas' own output types equal the domain types both ways (a schema missing a field fails here too). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type SchemaDrift =
  | { [C in Channel]: Same<z.output<(typeof channelOutputSchemas)[C]>, ChannelOutput<C>> extends true ? never : C }[Channel]
  | (Same<z.output<typeof ErrorCodeSchema>, ErrorCode> extends true ? never : 'ErrorCode');
/** Compiles only while no schema drifted; otherwise the error names the channel (or `ErrorCode`). */
export const OUTPUT_SCHEMAS_MATCH_TYPES: [SchemaDrift] extends [never] ? true : SchemaDrift = true;
