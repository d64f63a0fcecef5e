/**
 * Model policy matching: allow-list (empty = every model) and deny-list, `*` wildcards, deny wins. Names are compared
 * case-insensitively, as a person reads them; a deny entry also covers the other spellings of the same model (see
 * `deniesModel`), an allow entry covers exactly its name.
 */

export interface ModelPolicy {
  allowModels: readonly string[];
  denyModels: readonly string[];
}

/** The longest model name the proxy accepts (and the most of one the usage log keeps). */
export const MAX_MODEL_NAME_LENGTH = 256;

interface CompiledPattern {
  lower: string;
  /** Null when the pattern has no `*` (then it is compared as a string). */
  regex: RegExp | null;
  /** How many `/` the pattern has: a provider prefix is dropped down to that many. */
  slashes: number;
}

const patternCache = new Map<string, CompiledPattern>();

function compile(pattern: string): CompiledPattern {
  let compiled = patternCache.get(pattern);
  if (!compiled) {
    const lower = pattern.toLowerCase();
    const regex = lower.includes('*') ? new RegExp(`^${lower.split('*').map(escapeRegExp).join('.*')}$`, 's') : null;
    compiled = { lower, regex, slashes: lower.split('/').length - 1 };
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(pattern, compiled);
  }
  return compiled;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function test(pattern: CompiledPattern, lowerModel: string): boolean {
  return pattern.regex ? pattern.regex.test(lowerModel) : pattern.lower === lowerModel;
}

/** True when `model` matches `pattern`, where `*` stands for any run of characters (also none). Case-insensitive. */
export function matchesPattern(pattern: string, model: string): boolean {
  return test(compile(pattern), model.toLowerCase());
}

// A snapshot date at the end of a name: -2024-08-06, -20240806 (other vendors), -0613 (OpenAI's older style), or
// @2024-08-06 (Vertex). Month and day must be plausible, so `-1234` or `-3` are not dates.
const DATED = /[-@](?:20\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])|20\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))$/;

/**
 * The forms of a lower-cased name a deny entry is compared with: the name, without its `:tag`, without its snapshot
 * date, and without both. The tag is everything from the first `:` of the last `/` segment.
 */
function denyForms(lowerModel: string): string[] {
  const colon = lowerModel.indexOf(':', lowerModel.lastIndexOf('/') + 1);
  const last = lowerModel.charCodeAt(lowerModel.length - 1);
  // Most names have neither a tag nor a trailing date: skip the work (this runs on every request).
  if (colon === -1 && !(last >= 0x30 && last <= 0x39)) return [lowerModel];
  const forms = [lowerModel];
  const untagged = colon === -1 ? lowerModel : lowerModel.slice(0, colon);
  if (untagged !== lowerModel && untagged !== '') forms.push(untagged);
  for (const form of [...forms]) {
    const undated = form.replace(DATED, '');
    if (undated !== form && undated !== '') forms.push(undated);
  }
  return forms;
}

/** `a/b/c` with `slashes` = 1 → `b/c`: the name without the provider prefixes before its last `slashes + 1` segments. */
function withoutPrefix(name: string, slashes: number): string {
  let at = name.length;
  for (let count = 0; count <= slashes; count++) {
    at = name.lastIndexOf('/', at - 1);
    if (at === -1) return name;
  }
  return name.slice(at + 1);
}

function covers(pattern: CompiledPattern, forms: readonly string[]): boolean {
  for (const form of forms) {
    if (test(pattern, form)) return true;
    const tail = withoutPrefix(form, pattern.slashes);
    if (tail !== form && test(pattern, tail)) return true;
  }
  return false;
}

/**
 * Whether a deny entry covers `model`. Case is ignored, and the entry also covers the same model spelled with any
 * provider prefix (`openai/gpt-4o`, `azure/openai/gpt-4o`), a `:tag` suffix (`gpt-4o:latest`), a snapshot date
 * (`gpt-4o-2024-08-06`, `gpt-4-0613`), or several of these. A different model that merely starts with the entry
 * (`gpt-4o-mini` for `gpt-4o`) is not covered; a `*` pattern covers what it matches, in any of those spellings.
 */
export function deniesModel(entry: string, model: string): boolean {
  return covers(compile(entry), denyForms(model.toLowerCase()));
}

/** Example names a deny entry without `*` also covers, to show a person what it blocks (each is denied by it). */
export interface DenyExamples {
  /** The entry with a provider prefix and, unless it has one, a `:tag`. */
  names: string[];
  /** A dated snapshot of it; null when the entry has a tag or is itself dated. */
  dated: string | null;
}

/** Examples of the other spellings a deny entry covers (see `deniesModel`); null for a `*` pattern. */
export function denyExamples(entry: string): DenyExamples | null {
  if (entry.includes('*')) return null;
  const tagged = entry.indexOf(':', entry.lastIndexOf('/') + 1) !== -1;
  const names = [`${entry.includes('/') ? 'openrouter' : 'openai'}/${entry}`];
  if (!tagged) names.push(`${entry}:latest`);
  return { names, dated: tagged || DATED.test(entry.toLowerCase()) ? null : `${entry}-2024-08-06` };
}

/** Whether a sub-key with this policy may use `model`. Allow entries match exactly (ignoring case); see `deniesModel`. */
export function isModelAllowed(policy: ModelPolicy, model: string): boolean {
  const lower = model.toLowerCase();
  if (policy.denyModels.length > 0) {
    const forms = denyForms(lower);
    if (policy.denyModels.some((entry) => covers(compile(entry), forms))) return false;
  }
  if (policy.allowModels.length === 0) return true;
  return policy.allowModels.some((pattern) => test(compile(pattern), lower));
}

/** True when the policy limits models at all (then endpoints whose model cannot be known are refused). */
export function isRestricted(policy: ModelPolicy): boolean {
  return policy.allowModels.length > 0 || policy.denyModels.length > 0;
}

/** What is wrong with a model name a request gives, if anything. */
export type ModelNameProblem = 'empty' | 'too_long' | 'whitespace' | 'control';

// Control characters (NUL included), invisible format characters (zero-width, bidi overrides) and lone surrogates:
// no model has them, and readers disagree about them (some strip them, some stop at NUL).
const CONTROL = /[\p{Cc}\p{Cf}\p{Cs}]/u;
const PLAIN = /^[!-~](?:[ -~]*[!-~])?$/;

/** Why a model name must be refused (null when it is fine): empty, over 256 characters, padded with whitespace, or with control characters. */
export function modelNameProblem(name: string): ModelNameProblem | null {
  // The usual case, printable ASCII not padded with spaces, is settled by one cheap test.
  if (name.length <= MAX_MODEL_NAME_LENGTH && PLAIN.test(name)) return null;
  if (name === '') return 'empty';
  if (name.length > MAX_MODEL_NAME_LENGTH) return 'too_long';
  if (/^\s|\s$/.test(name)) return 'whitespace';
  if (CONTROL.test(name)) return 'control';
  return null;
}
