/** Services people point Keygate at, with their OpenAI-compatible base URLs. */
export type PresetId = 'openai' | 'openrouter' | 'deepseek' | 'ollama' | 'lmstudio' | 'custom';

export const presets: { id: PresetId; baseUrl: string }[] = [
  { id: 'openai', baseUrl: 'https://api.openai.com' },
  { id: 'openrouter', baseUrl: 'https://openrouter.ai/api' },
  { id: 'deepseek', baseUrl: 'https://api.deepseek.com' },
  { id: 'ollama', baseUrl: 'http://localhost:11434' },
  { id: 'lmstudio', baseUrl: 'http://localhost:1234' },
  { id: 'custom', baseUrl: '' },
];

/** The preset a base URL belongs to, or custom. */
export function presetOf(baseUrl: string): PresetId {
  return presets.find((preset) => preset.baseUrl && preset.baseUrl === baseUrl.replace(/\/+$/, ''))?.id ?? 'custom';
}
