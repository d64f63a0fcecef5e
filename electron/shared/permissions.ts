/**
 * Per-sub-key endpoint permissions, after OpenAI's restricted API keys: a mode, and in `restricted` mode an access
 * level per endpoint group. Shared by the proxy (enforcement), the store (parsing) and the UI (picker, summary).
 */

/** Endpoint groups, named and ordered as OpenAI's API-keys page names them (plus ChatKit and skills, which it lacks). */
export const PERMISSION_GROUPS = [
  'models',
  'chat_completions',
  'responses',
  'embeddings',
  'images',
  'audio',
  'moderations',
  'files',
  'uploads',
  'batches',
  'fine_tuning',
  'vector_stores',
  'assistants_threads',
  'evals',
  'containers',
  'videos',
  'conversations',
  'realtime',
  'chatkit',
  'skills',
] as const;

export type PermissionGroup = (typeof PERMISSION_GROUPS)[number];

/** An endpoint's group; `admin`: OpenAI's Admin API, never forwarded for any key, so no permission allows it. */
export type EndpointGroup = PermissionGroup | 'admin';

/** `read` allows GET; `write` allows every method. */
export type PermissionLevel = 'none' | 'read' | 'write';

export const PERMISSION_LEVELS: readonly PermissionLevel[] = ['none', 'read', 'write'];

/** `all`: every group (the key's model policy still applies); `read_only`: read on every group. */
export type PermissionMode = 'all' | 'restricted' | 'read_only';

export const PERMISSION_MODES: readonly PermissionMode[] = ['all', 'restricted', 'read_only'];

export interface Permissions {
  mode: PermissionMode;
  /** Only read in `restricted` mode. */
  groups: Record<PermissionGroup, PermissionLevel>;
  /** May call endpoints that return a credential for talking to OpenAI directly (realtime client secrets…). */
  mintCredentials: boolean;
  /** Sees and uses objects other sub-keys created, instead of only its own. */
  shareProjectObjects: boolean;
}

/** Every group at `level`. */
export function groupsAt(level: PermissionLevel): Record<PermissionGroup, PermissionLevel> {
  return Object.fromEntries(PERMISSION_GROUPS.map((group) => [group, level])) as Record<PermissionGroup, PermissionLevel>;
}

/**
 * What a sub-key gets when the API caller does not say: everything, as before permissions existed, so existing
 * scripts keep working. Keys created before permissions existed get the same.
 */
export function unrestrictedPermissions(): Permissions {
  // Groups are read only in `restricted` mode; `none` is what the picker shows when someone switches to it.
  return { mode: 'all', groups: groupsAt('none'), mintCredentials: false, shareProjectObjects: false };
}

/** What the issue form proposes for a new key, like OpenAI's restricted-key page: chat, responses, embeddings. */
export function suggestedPermissions(): Permissions {
  return {
    mode: 'restricted',
    groups: { ...groupsAt('none'), models: 'read', chat_completions: 'write', responses: 'write', embeddings: 'write' },
    mintCredentials: false,
    shareProjectObjects: false,
  };
}

/** The level a sub-key has on `group` under its mode. */
export function levelOf(permissions: Permissions, group: PermissionGroup): PermissionLevel {
  if (permissions.mode === 'all') return 'write';
  if (permissions.mode === 'read_only') return 'read';
  return permissions.groups[group] ?? 'none';
}

/** Whether `method` on an endpoint of `group` is allowed: GET needs read, anything else write. */
export function allowsMethod(permissions: Permissions, group: PermissionGroup, method: string): boolean {
  const level = levelOf(permissions, group);
  if (level === 'write') return true;
  return level === 'read' && method === 'GET';
}

/**
 * Reads stored or sent permissions defensively: anything unreadable becomes a key that may do nothing, since a
 * corrupt row must not widen access. Unknown groups are dropped; missing ones are `none`.
 */
export function parsePermissions(value: unknown): Permissions {
  const nothing: Permissions = { mode: 'restricted', groups: groupsAt('none'), mintCredentials: false, shareProjectObjects: false };
  if (typeof value !== 'object' || value === null) return nothing;
  const raw = value as Record<string, unknown>;
  if (!PERMISSION_MODES.includes(raw.mode as PermissionMode)) return nothing;
  const groups = groupsAt('none');
  const rawGroups = typeof raw.groups === 'object' && raw.groups !== null ? (raw.groups as Record<string, unknown>) : {};
  for (const group of PERMISSION_GROUPS) {
    const level = rawGroups[group];
    if (PERMISSION_LEVELS.includes(level as PermissionLevel)) groups[group] = level as PermissionLevel;
  }
  return { mode: raw.mode as PermissionMode, groups, mintCredentials: raw.mintCredentials === true, shareProjectObjects: raw.shareProjectObjects === true };
}
