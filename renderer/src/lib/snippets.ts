import type { SnippetTarget } from './snippet-target';
import { aiderSnippet, aiSdkSnippet, codexSnippet, continueSnippet, llmSnippet, openWebUiSnippet } from './tool-snippets';

/** One tab of the secret dialog. */
export type SnippetId = 'env' | 'curl' | 'python' | 'node' | 'codex' | 'aiSdk' | 'llm' | 'aider' | 'continue' | 'openWebUi';

/** Says where a part goes (which shell, language or file); the dialog shows it translated above the code. */
export type SnippetNote =
  | 'shell'
  | 'python'
  | 'node'
  | 'aiSdk'
  | 'codexConfig'
  | 'codexRun'
  | 'llmConfig'
  | 'llmRun'
  | 'aider'
  | 'continue'
  | 'openWebUi';

export interface SnippetPart {
  note: SnippetNote;
  code: string;
}

/** A ready-to-paste way to use a sub-key; the secret is interpolated only while the dialog shows it. */
export interface Snippet {
  id: SnippetId;
  parts: SnippetPart[];
}

const PROMPT = 'Say hello';

/** `export`s for bash and zsh: the official SDKs (and many tools) read these two variables. */
export function envSnippet(baseUrl: string, secret: string): Snippet {
  return { id: 'env', parts: [{ note: 'shell', code: `export OPENAI_BASE_URL=${baseUrl}\nexport OPENAI_API_KEY=${secret}` }] };
}

/** One curl call of the target endpoint. */
export function curlSnippet(baseUrl: string, secret: string, target: SnippetTarget): Snippet {
  const auth = `  -H "Authorization: Bearer ${secret}"`;
  const lines =
    target.kind === 'models'
      ? [`curl ${baseUrl}/models \\`, auth]
      : [
          `curl ${baseUrl}/${target.kind === 'chat' ? 'chat/completions' : 'embeddings'} \\`,
          `${auth} \\`,
          '  -H "Content-Type: application/json" \\',
          target.kind === 'chat'
            ? `  -d '{"model": "${target.model}", "messages": [{"role": "user", "content": "${PROMPT}"}]}'`
            : `  -d '{"model": "${target.model}", "input": "${PROMPT}"}'`,
        ];
  return { id: 'curl', parts: [{ note: 'shell', code: lines.join('\n') }] };
}

function pythonCall(target: SnippetTarget): string[] {
  switch (target.kind) {
    case 'chat':
      return [
        'reply = client.chat.completions.create(',
        `    model="${target.model}",`,
        `    messages=[{"role": "user", "content": "${PROMPT}"}],`,
        ')',
        'print(reply.choices[0].message.content)',
      ];
    case 'embeddings':
      return [`reply = client.embeddings.create(model="${target.model}", input="${PROMPT}")`, 'print(len(reply.data[0].embedding), "dimensions")'];
    case 'models':
      return ['for model in client.models.list():', '    print(model.id)'];
  }
}

/** The official Python SDK calling the target endpoint. */
export function pythonSnippet(baseUrl: string, secret: string, target: SnippetTarget): Snippet {
  const code = ['from openai import OpenAI', '', `client = OpenAI(base_url="${baseUrl}", api_key="${secret}")`, ...pythonCall(target)].join('\n');
  return { id: 'python', parts: [{ note: 'python', code }] };
}

function nodeCall(target: SnippetTarget): string[] {
  switch (target.kind) {
    case 'chat':
      return [
        'const reply = await client.chat.completions.create({',
        `  model: '${target.model}',`,
        `  messages: [{ role: 'user', content: '${PROMPT}' }],`,
        '});',
        'console.log(reply.choices[0].message.content);',
      ];
    case 'embeddings':
      return [
        `const reply = await client.embeddings.create({ model: '${target.model}', input: '${PROMPT}' });`,
        "console.log(reply.data[0].embedding.length, 'dimensions');",
      ];
    case 'models':
      return ['for await (const model of client.models.list()) console.log(model.id);'];
  }
}

/** The official Node SDK calling the target endpoint. */
export function nodeSnippet(baseUrl: string, secret: string, target: SnippetTarget): Snippet {
  const code = ["import OpenAI from 'openai';", '', `const client = new OpenAI({ baseURL: '${baseUrl}', apiKey: '${secret}' });`, ...nodeCall(target)].join('\n');
  return { id: 'node', parts: [{ note: 'node', code }] };
}

/**
 * Every snippet for a proxy base URL (ending in `/v1`), a sub-key secret and what it may call (see
 * `chooseSnippetTarget`). Tools that need a chat model are left out when the key may use none.
 */
export function buildSnippets(baseUrl: string, secret: string, target: SnippetTarget): Snippet[] {
  const all = [
    envSnippet(baseUrl, secret),
    curlSnippet(baseUrl, secret, target),
    pythonSnippet(baseUrl, secret, target),
    nodeSnippet(baseUrl, secret, target),
    codexSnippet(baseUrl, secret, target),
    aiSdkSnippet(baseUrl, secret, target),
    llmSnippet(baseUrl, secret, target),
    aiderSnippet(baseUrl, secret, target),
    continueSnippet(baseUrl, secret, target),
    openWebUiSnippet(baseUrl, secret, target),
  ];
  return all.filter((snippet): snippet is Snippet => snippet !== null);
}
