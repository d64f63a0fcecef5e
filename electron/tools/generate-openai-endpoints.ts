/**
 * Generates electron/core/proxy/openai-endpoints.ts from the OpenAI operations list (`operations.tsv`: path, method,
 * request content types, where the request names its model, response content types, operation id) and OpenAI's
 * spec (`openapi.yaml`, by default next to the list), which says where JSON bodies name models below the top level.
 *
 *   node --import tsx electron/tools/generate-openai-endpoints.ts /work/shared/openai/operations.tsv [openapi.yaml]
 *
 * Endpoints that reach a model only indirectly (a batch's input file, a realtime session's nested config, graders…)
 * are listed by hand below: the proxy refuses them for sub-keys with a model policy, because it cannot see the model.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { modelPathsByOperation, type OpenApiDocument } from './openapi-model-paths';
import { groupOfTag, PATH_GROUPS, tagsByOperation } from './openapi-groups';
import { objectIdPathsByOperation } from './openapi-object-ids';

const INDIRECT: Record<string, string> = {
  'POST /batches': 'a batch names its models inside the uploaded input file',
  'POST /realtime/calls': 'a realtime call configures its model in the session',
  'POST /realtime/client_secrets': 'a realtime client secret lets the client choose models directly with OpenAI',
  'POST /realtime/sessions': 'a realtime session lets the client talk to OpenAI directly',
  'POST /realtime/transcription_sessions': 'a realtime session lets the client talk to OpenAI directly',
  'POST /realtime/translations/client_secrets': 'a realtime client secret lets the client choose models directly with OpenAI',
  'POST /evals': 'an eval can name grader models inside its testing criteria',
  'POST /evals/{eval_id}/runs': 'an eval run names its model inside its data source',
  'POST /fine_tuning/alpha/graders/run': 'a grader can name its model inside the grader',
  'POST /fine_tuning/alpha/graders/validate': 'a grader can name its model inside the grader',
  'POST /chatkit/sessions': 'a ChatKit session runs a workflow whose models the proxy cannot see',
  'POST /videos/{video_id}/remix': 'a remix reuses the source video’s model',
  'POST /videos/edits': 'a video edit reuses the source video’s model',
  'POST /videos/extensions': 'a video extension reuses the source video’s model',
};

/**
 * Endpoints whose answer is a credential for talking to OpenAI directly (found by `client_secret` in the spec's
 * responses). `expiresAfter`: the body sets the credential's lifetime in `expires_after.seconds`; `sessionModel`: the
 * credential is bound to `session.model`, which a key with a model policy must name.
 */
const MINTS: Record<string, { expiresAfter: boolean; sessionModel: boolean }> = {
  'POST /realtime/client_secrets': { expiresAfter: true, sessionModel: true },
  'POST /realtime/translations/client_secrets': { expiresAfter: true, sessionModel: true },
  'POST /realtime/sessions': { expiresAfter: false, sessionModel: false },
  'POST /realtime/transcription_sessions': { expiresAfter: false, sessionModel: false },
  'POST /chatkit/sessions': { expiresAfter: true, sessionModel: false },
};

const [, , input = '/work/shared/openai/operations.tsv', specFile = resolve(dirname(input), 'openapi.yaml')] = process.argv;
const lines = readFileSync(input, 'utf8').split('\n').filter((line) => line.trim() !== '');
const document = parse(readFileSync(specFile, 'utf8'), { maxAliasCount: -1 }) as OpenApiDocument;
const modelPaths = modelPathsByOperation(document);
const tags = tagsByOperation(document);
const idPaths = objectIdPathsByOperation(document);
const seen = new Set<string>();
const rows: string[] = [];
for (const line of lines) {
  const [rawPath = '', method = '', , modelIn = ''] = line.split('\t');
  const path = rawPath.split('?')[0]!;
  const key = `${method.toUpperCase()} ${path}`;
  if (seen.has(key)) continue;
  seen.add(key);
  const sources = modelIn
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      if (part === 'body:json') return 'json';
      if (part === 'body:form-data') return 'form';
      if (part === 'query:model') return 'query';
      if (part === 'path:model') return 'path';
      throw new Error(`Unknown model location "${part}" in: ${line}`);
    });
  const indirect = INDIRECT[key];
  const fields = [`method: '${method.toUpperCase()}'`, `path: '${path}'`, `model: [${sources.map((source) => `'${source}'`).join(', ')}]`];
  // The permission group: from the operation's tag, else (untagged operations) from its first path segment.
  const group = (tags.get(key) ?? []).map(groupOfTag).find((found) => found !== null) ?? PATH_GROUPS[path.split('/')[1] ?? ''];
  if (!group) throw new Error(`No permission group for ${key}: map its tag or path in openapi-groups.ts`);
  fields.push(`group: '${group}'`);
  if (indirect) fields.push(`indirect: ${JSON.stringify(indirect)}`);
  const mints = MINTS[key];
  if (mints) fields.push(`mints: { expiresAfter: ${mints.expiresAfter}, sessionModel: ${mints.sessionModel} }`);
  // The top-level `model` is always read; the spec's deeper places are listed per endpoint.
  const nested = (modelPaths.get(key) ?? []).filter((path) => path !== 'model');
  if (nested.length > 0) fields.push(`nestedModels: [${nested.map((path) => `'${path}'`).join(', ')}]`);
  const ids = idPaths.get(key) ?? [];
  if (ids.length > 0) fields.push(`objectIds: [${ids.map((path) => `'${path}'`).join(', ')}]`);
  if (!modelPaths.has(key)) console.warn(`note: ${key} is not in ${specFile}`);
  rows.push(`  { ${fields.join(', ')} },`);
}
for (const key of [...Object.keys(INDIRECT), ...Object.keys(MINTS)]) {
  if (!seen.has(key)) console.warn(`note: ${key} is listed as indirect but not in ${input}`);
}

const output = `/**
 * Every OpenAI endpoint under /v1 and where its request names the model. GENERATED by
 * electron/tools/generate-openai-endpoints.ts from the OpenAI operations list and spec; do not edit by hand.
 */
import type { EndpointSpec } from './endpoint-spec';

export const openAiEndpoints: readonly EndpointSpec[] = [
${rows.join('\n')}
];
`;
const target = resolve(import.meta.dirname, '../core/proxy/openai-endpoints.ts');
writeFileSync(target, output);
console.log(`wrote ${rows.length} endpoints to ${target}`);
