/** Ready-to-paste ways to use a sub-key. The secret is interpolated only while the dialog shows it. */
export interface Snippets {
  env: string;
  curl: string;
  python: string;
  node: string;
}

/** Builds the snippets for a proxy base URL (ending in `/v1`) and a sub-key secret. */
export function buildSnippets(baseUrl: string, secret: string, model = 'gpt-4o-mini'): Snippets {
  return {
    env: `OPENAI_BASE_URL=${baseUrl}\nOPENAI_API_KEY=${secret}`,
    curl: [
      `curl ${baseUrl}/chat/completions \\`,
      `  -H "Authorization: Bearer ${secret}" \\`,
      `  -H "Content-Type: application/json" \\`,
      `  -d '{"model": "${model}", "messages": [{"role": "user", "content": "Hello"}]}'`,
    ].join('\n'),
    python: [
      'from openai import OpenAI',
      '',
      `client = OpenAI(base_url="${baseUrl}", api_key="${secret}")`,
      'reply = client.chat.completions.create(',
      `    model="${model}",`,
      '    messages=[{"role": "user", "content": "Hello"}],',
      ')',
      'print(reply.choices[0].message.content)',
    ].join('\n'),
    node: [
      "import OpenAI from 'openai';",
      '',
      `const client = new OpenAI({ baseURL: '${baseUrl}', apiKey: '${secret}' });`,
      'const reply = await client.chat.completions.create({',
      `  model: '${model}',`,
      "  messages: [{ role: 'user', content: 'Hello' }],",
      '});',
      'console.log(reply.choices[0].message.content);',
    ].join('\n'),
  };
}
