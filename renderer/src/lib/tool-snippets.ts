import type { SnippetTarget } from './snippet-target';
import type { Snippet } from './snippets';

/**
 * Configs for the tools people point at Keygate, each as documented by the tool itself. All of them chat, so each
 * answers null when the key may use no chat model (the Vercel AI SDK also embeds).
 */

/** The name of the provider and key variable the Codex and llm configs define. */
export const KEYGATE_PROVIDER = 'keygate';
export const KEYGATE_KEY_VARIABLE = 'KEYGATE_API_KEY';

/**
 * Codex CLI ignores `OPENAI_BASE_URL`: a `[model_providers.keygate]` block in `~/.codex/config.toml` (Codex appends
 * `/responses` to `base_url` and reads the key from the variable `env_key` names), then `codex exec` picking it
 * (`--skip-git-repo-check` so it also runs outside a Git repository).
 */
export function codexSnippet(baseUrl: string, secret: string, target: SnippetTarget): Snippet | null {
  if (target.kind !== 'chat') return null;
  const config = [
    `[model_providers.${KEYGATE_PROVIDER}]`,
    'name = "Keygate"',
    `base_url = "${baseUrl}"`,
    `env_key = "${KEYGATE_KEY_VARIABLE}"`,
    'wire_api = "responses"',
  ].join('\n');
  const run = [`export ${KEYGATE_KEY_VARIABLE}=${secret}`, `codex exec --skip-git-repo-check -c model_provider=${KEYGATE_PROVIDER} -m ${target.model} "Say hello"`].join('\n');
  return { id: 'codex', parts: [{ note: 'codexConfig', code: config }, { note: 'codexRun', code: run }] };
}

/** Vercel AI SDK (`ai` + `@ai-sdk/openai`): `createOpenAI({ baseURL, apiKey })`, then Chat Completions or embeddings. */
export function aiSdkSnippet(baseUrl: string, secret: string, target: SnippetTarget): Snippet | null {
  if (target.kind === 'models') return null;
  const head = [
    "import { createOpenAI } from '@ai-sdk/openai';",
    `import { ${target.kind === 'chat' ? 'generateText' : 'embed'} } from 'ai';`,
    '',
    `const keygate = createOpenAI({ baseURL: '${baseUrl}', apiKey: '${secret}' });`,
  ];
  const call =
    target.kind === 'chat'
      ? [`const { text } = await generateText({ model: keygate.chat('${target.model}'), prompt: 'Say hello' });`, 'console.log(text);']
      : [`const { embedding } = await embed({ model: keygate.embedding('${target.model}'), value: 'Say hello' });`, "console.log(embedding.length, 'dimensions');"];
  return { id: 'aiSdk', parts: [{ note: 'aiSdk', code: [...head, ...call].join('\n') }] };
}

/** `llm`: an `extra-openai-models.yaml` entry using a key stored as `keygate`, then a prompt. */
export function llmSnippet(baseUrl: string, secret: string, target: SnippetTarget): Snippet | null {
  if (target.kind !== 'chat') return null;
  const modelId = `${KEYGATE_PROVIDER}-${target.model.replace(/[^\w.-]/g, '-')}`;
  const config = [`- model_id: ${modelId}`, `  model_name: ${target.model}`, `  api_base: "${baseUrl}"`, `  api_key_name: ${KEYGATE_PROVIDER}`].join('\n');
  const run = [`llm keys set ${KEYGATE_PROVIDER} --value ${secret}`, `llm -m ${modelId} "Say hello"`].join('\n');
  return { id: 'llm', parts: [{ note: 'llmConfig', code: config }, { note: 'llmRun', code: run }] };
}

/** Aider: `OPENAI_API_BASE` + `OPENAI_API_KEY`, and the model with the `openai/` prefix it uses for compatible APIs. */
export function aiderSnippet(baseUrl: string, secret: string, target: SnippetTarget): Snippet | null {
  if (target.kind !== 'chat') return null;
  const code = [`export OPENAI_API_BASE=${baseUrl}`, `export OPENAI_API_KEY=${secret}`, `aider --model openai/${target.model}`].join('\n');
  return { id: 'aider', parts: [{ note: 'aider', code }] };
}

/** Continue: a model of provider `openai` with `apiBase` and `apiKey` in `~/.continue/config.yaml`. */
export function continueSnippet(baseUrl: string, secret: string, target: SnippetTarget): Snippet | null {
  if (target.kind !== 'chat') return null;
  const code = [
    'name: Keygate',
    'version: 0.0.1',
    'schema: v1',
    'models:',
    `  - name: Keygate ${target.model}`,
    '    provider: openai',
    `    model: ${target.model}`,
    `    apiBase: ${baseUrl}`,
    `    apiKey: ${secret}`,
  ].join('\n');
  return { id: 'continue', parts: [{ note: 'continue', code }] };
}

/**
 * Open WebUI: `OPENAI_API_BASE_URL` and `OPENAI_API_KEY` (read on its first start only), the model as the default one,
 * on port 3000 because Open WebUI's own default (8080) is Keygate's.
 */
export function openWebUiSnippet(baseUrl: string, secret: string, target: SnippetTarget): Snippet | null {
  if (target.kind !== 'chat') return null;
  const code = [
    `OPENAI_API_BASE_URL=${baseUrl} \\`,
    `OPENAI_API_KEY=${secret} \\`,
    `DEFAULT_MODELS=${target.model} \\`,
    'open-webui serve --port 3000',
  ].join('\n');
  return { id: 'openWebUi', parts: [{ note: 'openWebUi', code }] };
}
