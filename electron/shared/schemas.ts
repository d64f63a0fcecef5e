import { z } from 'zod';
import { PERMISSION_GROUPS, PERMISSION_LEVELS, PERMISSION_MODES, type PermissionGroup, type PermissionLevel, type PermissionMode } from './permissions';

/**
 * Input schemas for every contract channel. Main, the admin HTTP API and the renderer's forms all
 * validate with these, so a field error reads the same wherever it is caught.
 */

export const NameSchema = z
  .string({ error: 'Name is required' })
  .trim()
  .min(1, 'Name is required')
  .max(100, 'Name must be at most 100 characters');

export const IdSchema = z.string({ error: 'Id is required' }).min(1, 'Id is required').max(100);

/** An http(s) URL; a trailing slash or `/v1` is dropped because the proxy appends `/v1/...` itself. */
export const BaseUrlSchema = z
  .string({ error: 'Base URL is required' })
  .trim()
  .min(1, 'Base URL is required')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'Enter an http:// or https:// URL without credentials')
  .transform(normalizeBaseUrl)
  .meta({ description: 'An http(s) URL without credentials, e.g. `https://api.openai.com`; a trailing `/` or `/v1` is dropped.' });

/** Canonical form of an upstream base URL: no query, no trailing slash, no trailing `/v1`. */
export function normalizeBaseUrl(value: string): string {
  const url = new URL(value.trim());
  url.search = '';
  url.hash = '';
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${url.origin}${path}`;
}

export const ApiKeySchema = z
  .string({ error: 'API key is required' })
  .trim()
  .min(1, 'API key is required')
  .max(1000, 'API key is too long')
  .regex(/^\S+$/, 'API key must not contain spaces')
  // An admin key manages the organization (it can mint keys); the proxy never forwards the Admin API, and a key that
  // can do nothing else has no place behind it.
  .refine((value) => !value.startsWith('sk-admin-'), 'Admin keys (sk-admin-…) cannot be used: enter a project API key')
  .meta({ description: 'The real key, stored encrypted and never answered.' });

export const PassThroughSchema = z.boolean({ error: 'Pass-through must be true or false' });

/** An instant in the future, as ISO 8601 with an offset; null = never expires. */
export const ExpiresAtSchema = z
  .string({ error: 'Expiry must be a date' })
  .refine((value) => isIsoDateTime(value), 'Expiry must be an ISO 8601 date and time, e.g. 2030-01-31T12:00:00Z')
  .refine((value) => Date.parse(value) > Date.now(), 'Expiry must be in the future')
  .transform((value) => new Date(value).toISOString())
  .nullable()
  .meta({ description: 'An ISO 8601 date and time with an offset, in the future (e.g. `2030-01-31T12:00:00Z`); null = never expires.' });

function isIsoDateTime(value: string): boolean {
  return z.iso.datetime({ offset: true }).safeParse(value).success && !Number.isNaN(Date.parse(value));
}

export const MAX_REMAINING_REQUESTS = 1_000_000_000;

/** Requests the sub-key may still make; null = unlimited. */
export const RemainingRequestsSchema = z
  .number({ error: 'Quota must be a whole number' })
  .int('Quota must be a whole number')
  .min(0, 'Quota cannot be negative')
  .max(MAX_REMAINING_REQUESTS, 'Quota must be at most 1,000,000,000')
  .nullable()
  .meta({ description: 'Requests the sub-key may still make; null = unlimited.' });

export const MAX_BUDGETS = 12;

/** One budget: a limit per metric and window. */
export const BudgetSchema = z
  .object({
    metric: z.enum(['requests', 'tokens', 'usd'], { error: 'Metric must be requests, tokens or usd' }),
    limit: z
      .number({ error: 'Limit must be a number' })
      .positive('Limit must be more than 0')
      .max(1e12, 'Limit must be at most 1,000,000,000,000'),
    window: z.enum(['day', 'week', 'month', 'total'], { error: 'Window must be day, week, month or total' }),
  })
  .strict()
  .meta({ description: 'A limit on requests, tokens or US dollars per calendar window (in the settings\' time zone) or in total.' });

/** A sub-key's budgets: at most one per metric and window; request and token limits are whole numbers. */
export const BudgetsSchema = z
  .array(BudgetSchema, { error: 'Budgets must be a list' })
  .max(MAX_BUDGETS, `At most ${MAX_BUDGETS} budgets`)
  .superRefine((budgets, context) => {
    const seen = new Set<string>();
    budgets.forEach((budget, index) => {
      const key = `${budget.metric} ${budget.window}`;
      if (seen.has(key)) context.addIssue({ code: 'custom', path: [index], message: `Only one ${budget.metric} budget per ${budget.window}` });
      seen.add(key);
      if (budget.metric !== 'usd' && !Number.isInteger(budget.limit)) {
        context.addIssue({ code: 'custom', path: [index, 'limit'], message: 'Limit must be a whole number' });
      }
    });
  });

/**
 * A sub-key's rate limits; a field left out is null on create and unchanged on update. Zero is not a limit: a key
 * that may make no requests is disabled instead.
 */
export const RateLimitsSchema = z
  .object(
    {
      requestsPerMinute: z
        .number({ error: 'Requests per minute must be a whole number' })
        .int('Requests per minute must be a whole number')
        .min(1, 'Requests per minute must be at least 1')
        .max(1_000_000, 'Requests per minute must be at most 1,000,000')
        .nullable()
        .optional()
        .meta({ description: 'Requests the sub-key may make in any 60 seconds; null = no limit.' }),
      tokensPerMinute: z
        .number({ error: 'Tokens per minute must be a whole number' })
        .int('Tokens per minute must be a whole number')
        .min(1, 'Tokens per minute must be at least 1')
        .max(1_000_000_000, 'Tokens per minute must be at most 1,000,000,000')
        .nullable()
        .optional()
        .meta({ description: 'Tokens (input + output, reserved then settled to usage) in any 60 seconds; null = no limit.' }),
      maxConcurrent: z
        .number({ error: 'Concurrent requests must be a whole number' })
        .int('Concurrent requests must be a whole number')
        .min(1, 'Concurrent requests must be at least 1')
        .max(10_000, 'Concurrent requests must be at most 10,000')
        .nullable()
        .optional()
        .meta({ description: 'Requests in flight at once (a stream until it ends); null = no limit.' }),
    },
    { error: 'Rate limits must be an object' },
  )
  .strict();

/** A model id or a pattern with `*` wildcards, e.g. `gpt-4o*`. */
export const ModelPatternSchema = z
  .string()
  .trim()
  .min(1, 'Model pattern cannot be empty')
  .max(200, 'Model pattern is too long')
  .regex(/^[^\s,]+$/, 'Model pattern must not contain spaces or commas')
  .meta({ description: 'A model id, or a pattern where `*` stands for any run of characters (e.g. `gpt-4o*`).' });

export const ModelListSchema = z
  .array(ModelPatternSchema, { error: 'Models must be a list' })
  .max(500, 'At most 500 model patterns')
  .transform((patterns) => [...new Set(patterns)]);

export const EmptySchema = z.object({}).strict();

export const UpstreamAddSchema = z
  .object({ name: NameSchema, baseUrl: BaseUrlSchema, apiKey: ApiKeySchema, passThroughUnknownEndpoints: PassThroughSchema.default(false) })
  .strict();

export const UpstreamUpdateSchema = z
  .object({
    id: IdSchema,
    name: NameSchema.optional(),
    baseUrl: BaseUrlSchema.optional(),
    apiKey: ApiKeySchema.optional(),
    passThroughUnknownEndpoints: PassThroughSchema.optional(),
  })
  .strict();

export const IdInputSchema = z.object({ id: IdSchema }).strict();

/**
 * Removing an upstream that still has sub-keys needs a choice: delete them, or move them to another upstream.
 * Without one, a removal that would strand sub-keys is refused (CONFLICT).
 */
export const UpstreamRemoveSchema = z
  .object({
    id: IdSchema,
    subkeys: z
      .union([z.literal('remove'), z.object({ moveTo: IdSchema }).strict()], {
        error: 'Sub-keys must be "remove" or { "moveTo": an upstream id }',
      })
      .optional(),
  })
  .strict();
export const UpstreamIdInputSchema = z.object({ upstreamId: IdSchema }).strict();

const PermissionLevelSchema = z.enum(PERMISSION_LEVELS as [PermissionLevel, ...PermissionLevel[]], { error: 'Access must be none, read or write' });

/** A sub-key's endpoint permissions; groups left out get `none` (they only matter in `restricted` mode). */
export const PermissionsSchema = z
  .object({
    mode: z.enum(PERMISSION_MODES as [PermissionMode, ...PermissionMode[]], { error: 'Mode must be all, restricted or read_only' }),
    groups: z
      .object(Object.fromEntries(PERMISSION_GROUPS.map((group) => [group, PermissionLevelSchema.optional()])) as Record<PermissionGroup, z.ZodOptional<typeof PermissionLevelSchema>>)
      .strict()
      .default({}),
    mintCredentials: z.boolean({ error: 'Mint credentials must be true or false' }).default(false),
    shareProjectObjects: z.boolean({ error: 'Share project objects must be true or false' }).default(false),
  })
  .strict()
  .transform((value) => ({ ...value, groups: Object.fromEntries(PERMISSION_GROUPS.map((group) => [group, value.groups[group] ?? 'none'])) as Record<PermissionGroup, PermissionLevel> }));

export const SubkeyCreateSchema = z
  .object({
    name: NameSchema,
    upstreamId: IdSchema,
    expiresAt: ExpiresAtSchema.optional(),
    remainingRequests: RemainingRequestsSchema.optional(),
    budgets: BudgetsSchema.optional(),
    rateLimits: RateLimitsSchema.optional(),
    allowModels: ModelListSchema.optional().meta({ description: 'Models the sub-key may use; empty or left out = every model.' }),
    denyModels: ModelListSchema.optional().meta({ description: 'Models the sub-key may never use; deny wins over allow.' }),
    /** Left out: mode `all` (every endpoint, as before permissions existed); the issue form sends `restricted`. */
    permissions: PermissionsSchema.optional().meta({
      description: "Endpoint permissions, like OpenAI's restricted keys (groups left out: `none`). Left out at creation: mode `all`, no minting, own objects only.",
    }),
  })
  .strict();

export const SubkeyUpdateSchema = z
  .object({
    id: IdSchema,
    name: NameSchema.optional(),
    expiresAt: ExpiresAtSchema.optional(),
    remainingRequests: RemainingRequestsSchema.optional(),
    budgets: BudgetsSchema.optional(),
    rateLimits: RateLimitsSchema.optional(),
    allowModels: ModelListSchema.optional().meta({ description: 'Models the sub-key may use; empty or left out = every model.' }),
    denyModels: ModelListSchema.optional().meta({ description: 'Models the sub-key may never use; deny wins over allow.' }),
    enabled: z.boolean({ error: 'Enabled must be true or false' }).optional(),
    permissions: PermissionsSchema.optional().meta({ description: "Endpoint permissions, like OpenAI's restricted keys (groups left out: `none`)." }),
  })
  .strict();

const PerMillionSchema = z
  .number({ error: 'Price must be a number' })
  .min(0, 'Price cannot be negative')
  .max(1_000_000, 'Price must be at most $1,000,000 per million tokens');

export const PriceSetSchema = z
  .object({
    upstreamId: IdSchema,
    model: z.string().trim().min(1, 'Model is required').max(256, 'Model is too long'),
    inputPerMillion: PerMillionSchema.meta({ description: 'US dollars per million input tokens.' }),
    cachedInputPerMillion: PerMillionSchema.nullable()
      .optional()
      .meta({ description: 'US dollars per million cached input tokens; null or left out = the input price.' }),
    outputPerMillion: PerMillionSchema.meta({ description: 'US dollars per million output tokens.' }),
  })
  .strict();

export const PriceRemoveSchema = z.object({ upstreamId: IdSchema, model: z.string().trim().min(1, 'Model is required').max(256) }).strict();

export const UsageListSchema = z
  .object({
    subkeyId: IdSchema.optional(),
    limit: z.number().int('Limit must be a whole number').min(1).max(1000).optional(),
    /** Usage entry id: return entries older than this one (the cursor for the next page). */
    before: z.number().int().positive().optional().meta({ description: 'A usage entry id: answer entries older than it (the cursor for the next page).' }),
  })
  .strict();

export const SubkeyListSchema = z
  .object({
    limit: z.number().int('Limit must be a whole number').min(1).max(1000).optional(),
    cursor: IdSchema.optional().meta({
      description: 'The id of the last sub-key of the previous page: answer the ones after it (oldest first). A page shorter than `limit` is the last.',
    }),
  })
  .strict();

export const UsageDailySchema = z
  .object({
    days: z.number().int('Days must be a whole number').min(1).max(366).optional(),
    subkeyId: IdSchema.optional(),
  })
  .strict();

export const HostSchema = z
  .string()
  .trim()
  .min(1, 'Host is required')
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]-]+$/, 'Host must be an IP address or a host name');

export const PortSchema = z
  .number({ error: 'Port must be a number' })
  .int('Port must be a whole number')
  .min(0, 'Port must be between 0 and 65535')
  .max(65535, 'Port must be between 0 and 65535');

/** An IANA time zone name, e.g. `Europe/Berlin`. */
export const TimeZoneSchema = z
  .string()
  .min(1, 'Time zone is required')
  .max(100)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'Unknown time zone')
  .meta({ description: 'An IANA time zone name, e.g. `Europe/Berlin`.' });

/** Days the request log keeps its rows (`proxy:configure`); the daily totals are kept for good. */
export const RetentionDaysSchema = z
  .number({ error: 'Retention must be a number of days' })
  .int('Retention must be a whole number of days')
  .min(1, 'Keep request rows at least 1 day')
  .max(3650, 'Keep request rows at most 3,650 days');

export const ProxyConfigureSchema = z
  .object({
    host: HostSchema.optional(),
    port: PortSchema.optional(),
    autoStart: z.boolean().optional(),
    timeZone: TimeZoneSchema.optional(),
    defaultOutputTokens: z.number().int('Default output tokens must be a whole number').min(1).max(10_000_000).optional(),
    usageRetentionDays: RetentionDaysSchema.optional(),
  })
  .strict();

export type UpstreamAddInput = z.input<typeof UpstreamAddSchema>;
export type SubkeyCreateInput = z.input<typeof SubkeyCreateSchema>;
export type SubkeyUpdateInput = z.input<typeof SubkeyUpdateSchema>;

/** usage:export — the filter of usage:list, without a page size: every matching entry is exported. */
export const UsageExportSchema = z
  .object({
    subkeyId: IdSchema.optional(),
    before: z.number().int().positive().optional().meta({ description: 'A usage entry id: export only entries older than it.' }),
  })
  .strict();
