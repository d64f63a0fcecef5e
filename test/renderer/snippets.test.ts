import { describe, expect, it } from 'vitest';
import { buildSnippets, curlSnippet, envSnippet, nodeSnippet, pythonSnippet } from '../../renderer/src/lib/snippets';
import type { SnippetTarget } from '../../renderer/src/lib/snippet-target';
import { aiderSnippet, aiSdkSnippet, codexSnippet, continueSnippet, llmSnippet, openWebUiSnippet } from '../../renderer/src/lib/tool-snippets';

const BASE = 'http://127.0.0.1:8080/v1';
const SECRET = 'sk-kg-0123456789abcdefghijABCDEFGHIJ0123456789';
const CHAT: SnippetTarget = { kind: 'chat', model: 'gpt-4o-mini' };
const EMBEDDINGS: SnippetTarget = { kind: 'embeddings', model: 'text-embedding-3-small' };
const MODELS: SnippetTarget = { kind: 'models' };
const code = (snippet: { parts: { code: string }[] } | null) => snippet!.parts.map((part) => part.code).join('\n---\n');

describe('snippets for the SDKs and curl', () => {
  it('the environment snippet exports both variables, so a pasted bash session passes them to the SDK', () => {
    expect(envSnippet(BASE, SECRET)).toEqual({ id: 'env', parts: [{ note: 'shell', code: `export OPENAI_BASE_URL=${BASE}\nexport OPENAI_API_KEY=${SECRET}` }] });
  });

  it('curl calls the endpoint that fits the model: chat, embeddings, or the model list', () => {
    expect(code(curlSnippet(BASE, SECRET, CHAT))).toBe(
      [
        `curl ${BASE}/chat/completions \\`,
        `  -H "Authorization: Bearer ${SECRET}" \\`,
        '  -H "Content-Type: application/json" \\',
        `  -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello"}]}'`,
      ].join('\n'),
    );
    expect(code(curlSnippet(BASE, SECRET, EMBEDDINGS))).toContain(`curl ${BASE}/embeddings \\`);
    expect(code(curlSnippet(BASE, SECRET, EMBEDDINGS))).toContain(`-d '{"model": "text-embedding-3-small", "input": "Say hello"}'`);
    expect(code(curlSnippet(BASE, SECRET, MODELS))).toBe(`curl ${BASE}/models \\\n  -H "Authorization: Bearer ${SECRET}"`);
  });

  it('Python and Node call the same endpoint with the same model', () => {
    expect(code(pythonSnippet(BASE, SECRET, CHAT))).toContain('client.chat.completions.create(\n    model="gpt-4o-mini",');
    expect(code(pythonSnippet(BASE, SECRET, EMBEDDINGS))).toContain('client.embeddings.create(model="text-embedding-3-small", input="Say hello")');
    expect(code(pythonSnippet(BASE, SECRET, MODELS))).toContain('for model in client.models.list():');
    expect(code(nodeSnippet(BASE, SECRET, CHAT))).toContain("model: 'gpt-4o-mini',");
    expect(code(nodeSnippet(BASE, SECRET, EMBEDDINGS))).toContain("client.embeddings.create({ model: 'text-embedding-3-small', input: 'Say hello' })");
    expect(code(nodeSnippet(BASE, SECRET, MODELS))).toContain('for await (const model of client.models.list())');
    for (const snippet of [pythonSnippet(BASE, SECRET, CHAT), nodeSnippet(BASE, SECRET, CHAT)]) {
      expect(code(snippet)).toContain(BASE);
      expect(code(snippet)).toContain(SECRET);
    }
  });
});

describe('configs for the tools people point at Keygate', () => {
  it('Codex CLI: a model_providers block (base_url, env_key, wire_api = responses) and the codex exec line', () => {
    const snippet = codexSnippet(BASE, SECRET, CHAT)!;
    expect(snippet.parts.map((part) => part.note)).toEqual(['codexConfig', 'codexRun']);
    expect(snippet.parts[0]!.code).toBe(
      ['[model_providers.keygate]', 'name = "Keygate"', `base_url = "${BASE}"`, 'env_key = "KEYGATE_API_KEY"', 'wire_api = "responses"'].join('\n'),
    );
    expect(snippet.parts[1]!.code).toBe(`export KEYGATE_API_KEY=${SECRET}\ncodex exec --skip-git-repo-check -c model_provider=keygate -m gpt-4o-mini "Say hello"`);
    // The secret stays out of the config file.
    expect(snippet.parts[0]!.code).not.toContain(SECRET);
  });

  it('Vercel AI SDK: createOpenAI({ baseURL, apiKey }) with a chat or an embeddings model', () => {
    expect(code(aiSdkSnippet(BASE, SECRET, CHAT))).toBe(
      [
        "import { createOpenAI } from '@ai-sdk/openai';",
        "import { generateText } from 'ai';",
        '',
        `const keygate = createOpenAI({ baseURL: '${BASE}', apiKey: '${SECRET}' });`,
        "const { text } = await generateText({ model: keygate.chat('gpt-4o-mini'), prompt: 'Say hello' });",
        'console.log(text);',
      ].join('\n'),
    );
    expect(code(aiSdkSnippet(BASE, SECRET, EMBEDDINGS))).toContain("await embed({ model: keygate.embedding('text-embedding-3-small'), value: 'Say hello' })");
    expect(aiSdkSnippet(BASE, SECRET, MODELS)).toBeNull();
  });

  it('llm: an extra-openai-models.yaml entry (model_id, model_name, api_base, api_key_name) and its key', () => {
    const snippet = llmSnippet(BASE, SECRET, CHAT)!;
    expect(snippet.parts[0]!.code).toBe(
      ['- model_id: keygate-gpt-4o-mini', '  model_name: gpt-4o-mini', `  api_base: "${BASE}"`, '  api_key_name: keygate'].join('\n'),
    );
    expect(snippet.parts[1]!.code).toBe(`llm keys set keygate --value ${SECRET}\nllm -m keygate-gpt-4o-mini "Say hello"`);
    expect(llmSnippet(BASE, SECRET, { kind: 'chat', model: 'openai/gpt-4o mini' })!.parts[0]!.code).toContain('model_id: keygate-openai-gpt-4o-mini');
  });

  it('Aider: OPENAI_API_BASE and OPENAI_API_KEY, and the model with the openai/ prefix', () => {
    expect(code(aiderSnippet(BASE, SECRET, CHAT))).toBe(`export OPENAI_API_BASE=${BASE}\nexport OPENAI_API_KEY=${SECRET}\naider --model openai/gpt-4o-mini`);
  });

  it('Continue: an openai-provider model with apiBase and apiKey in config.yaml', () => {
    expect(code(continueSnippet(BASE, SECRET, CHAT))).toBe(
      [
        'name: Keygate',
        'version: 0.0.1',
        'schema: v1',
        'models:',
        '  - name: Keygate gpt-4o-mini',
        '    provider: openai',
        '    model: gpt-4o-mini',
        `    apiBase: ${BASE}`,
        `    apiKey: ${SECRET}`,
      ].join('\n'),
    );
  });

  it('Open WebUI: OPENAI_API_BASE_URL, OPENAI_API_KEY and DEFAULT_MODELS, on a port that is not Keygate’s', () => {
    expect(code(openWebUiSnippet(BASE, SECRET, CHAT))).toBe(
      [`OPENAI_API_BASE_URL=${BASE} \\`, `OPENAI_API_KEY=${SECRET} \\`, 'DEFAULT_MODELS=gpt-4o-mini \\', 'open-webui serve --port 3000'].join('\n'),
    );
  });

  it('chat-only tools are left out when the key may use no chat model', () => {
    expect(buildSnippets(BASE, SECRET, CHAT).map((snippet) => snippet.id)).toEqual([
      'env',
      'curl',
      'python',
      'node',
      'codex',
      'aiSdk',
      'llm',
      'aider',
      'continue',
      'openWebUi',
    ]);
    expect(buildSnippets(BASE, SECRET, EMBEDDINGS).map((snippet) => snippet.id)).toEqual(['env', 'curl', 'python', 'node', 'aiSdk']);
    expect(buildSnippets(BASE, SECRET, MODELS).map((snippet) => snippet.id)).toEqual(['env', 'curl', 'python', 'node']);
  });
});
