/** Model policy matching: allow-list (empty = every model) and deny-list, `*` wildcards, deny wins. */

export interface ModelPolicy {
  allowModels: readonly string[];
  denyModels: readonly string[];
}

const patternCache = new Map<string, RegExp>();

/** True when `model` matches `pattern`, where `*` stands for any run of characters (also none). Case-sensitive, like model ids. */
export function matchesPattern(pattern: string, model: string): boolean {
  if (!pattern.includes('*')) return pattern === model;
  let regex = patternCache.get(pattern);
  if (!regex) {
    const source = pattern.split('*').map(escapeRegExp).join('.*');
    regex = new RegExp(`^${source}$`, 's');
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(pattern, regex);
  }
  return regex.test(model);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether a sub-key with this policy may use `model`. */
export function isModelAllowed(policy: ModelPolicy, model: string): boolean {
  if (policy.denyModels.some((pattern) => matchesPattern(pattern, model))) return false;
  if (policy.allowModels.length === 0) return true;
  return policy.allowModels.some((pattern) => matchesPattern(pattern, model));
}

/** True when the policy limits models at all (then endpoints whose model cannot be known are refused). */
export function isRestricted(policy: ModelPolicy): boolean {
  return policy.allowModels.length > 0 || policy.denyModels.length > 0;
}
