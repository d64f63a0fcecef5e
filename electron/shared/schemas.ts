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
  .transform(normalizeBaseUrl);

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
  .refine((value) => !value.startsWith('sk-admin-'), 'Admin keys (sk-admin-…) cannot be used: enter a project API key');

export const PassThroughSchema = z.boolean({ error: 'Pass-through must be true or false' });

/** An instant in the future, as ISO 8601 with an offset; null = never expires. */
export const ExpiresAtSchema = z
  .string({ error: 'Expiry must be a date' })
  .refine((value) => isIsoDateTime(value), 'Expiry must be an ISO 8601 date and time, e.g. 2030-01-31T12:00:00Z')
  .refine((value) => Date.parse(value) > Date.now(), 'Expiry must be in the future')
  .transform((value) => new Date(value).toISOString())
  .nullable();

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
  .nullable();

/** A model id or a pattern with `*` wildcards, e.g. `gpt-4o*`. */
export const ModelPatternSchema = z
  .string()
  .trim()
  .min(1, 'Model pattern cannot be empty')
  .max(200, 'Model pattern is too long')
  .regex(/^[^\s,]+$/, 'Model pattern must not contain spaces or commas');

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
    allowModels: ModelListSchema.optional(),
    denyModels: ModelListSchema.optional(),
    /** Left out: mode `all` (every endpoint, as before permissions existed); the issue form sends `restricted`. */
    permissions: PermissionsSchema.optional(),
  })
  .strict();

export const SubkeyUpdateSchema = z
  .object({
    id: IdSchema,
    name: NameSchema.optional(),
    expiresAt: ExpiresAtSchema.optional(),
    remainingRequests: RemainingRequestsSchema.optional(),
    allowModels: ModelListSchema.optional(),
    denyModels: ModelListSchema.optional(),
    enabled: z.boolean({ error: 'Enabled must be true or false' }).optional(),
    permissions: PermissionsSchema.optional(),
  })
  .strict();

export const UsageListSchema = z
  .object({
    subkeyId: IdSchema.optional(),
    limit: z.number().int('Limit must be a whole number').min(1).max(1000).optional(),
    /** Usage entry id: return entries older than this one (the cursor for the next page). */
    before: z.number().int().positive().optional(),
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

export const ProxyConfigureSchema = z
  .object({ host: HostSchema.optional(), port: PortSchema.optional(), autoStart: z.boolean().optional() })
  .strict();

export type UpstreamAddInput = z.input<typeof UpstreamAddSchema>;
export type SubkeyCreateInput = z.input<typeof SubkeyCreateSchema>;
export type SubkeyUpdateInput = z.input<typeof SubkeyUpdateSchema>;
