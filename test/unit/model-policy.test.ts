import { describe, expect, it } from 'vitest';
import { deniesModel, denyExamples, isModelAllowed, isRestricted, matchesPattern, modelNameProblem } from '../../electron/shared/model-policy';

describe('matchesPattern', () => {
  it('matches an exact id and nothing else without a wildcard', () => {
    expect(matchesPattern('gpt-4o-mini', 'gpt-4o-mini')).toBe(true);
    expect(matchesPattern('gpt-4o-mini', 'gpt-4o-mini-2024-07-18')).toBe(false);
    expect(matchesPattern('gpt-4o', 'gpt-4o-mini')).toBe(false);
  });

  it('lets * stand for any run of characters, including none', () => {
    expect(matchesPattern('gpt-4o*', 'gpt-4o')).toBe(true);
    expect(matchesPattern('gpt-4o*', 'gpt-4o-mini')).toBe(true);
    expect(matchesPattern('dall-*', 'dall-e-3')).toBe(true);
    expect(matchesPattern('*-mini', 'o4-mini')).toBe(true);
    expect(matchesPattern('*', 'anything')).toBe(true);
    expect(matchesPattern('gpt-*-mini', 'gpt-4o-mini')).toBe(true);
    expect(matchesPattern('gpt-*-mini', 'gpt-4o')).toBe(false);
  });

  it('treats regex characters in patterns literally', () => {
    expect(matchesPattern('gpt-4.1', 'gpt-4x1')).toBe(false);
    expect(matchesPattern('a+b*', 'a+bc')).toBe(true);
    expect(matchesPattern('a+b*', 'aab')).toBe(false);
  });
});

describe('isModelAllowed', () => {
  it('allows every model when both lists are empty', () => {
    const policy = { allowModels: [], denyModels: [] };
    expect(isModelAllowed(policy, 'gpt-4o')).toBe(true);
    expect(isRestricted(policy)).toBe(false);
  });

  it('allows only the allow-list when it is not empty', () => {
    const policy = { allowModels: ['gpt-4o-mini'], denyModels: [] };
    expect(isModelAllowed(policy, 'gpt-4o-mini')).toBe(true);
    expect(isModelAllowed(policy, 'gpt-4o')).toBe(false);
    expect(isRestricted(policy)).toBe(true);
  });

  it('refuses the deny-list and allows the rest ("anything but whisper-1")', () => {
    const policy = { allowModels: [], denyModels: ['whisper-1'] };
    expect(isModelAllowed(policy, 'whisper-1')).toBe(false);
    expect(isModelAllowed(policy, 'gpt-4o')).toBe(true);
  });

  it('lets deny win over allow', () => {
    const policy = { allowModels: ['gpt-4o*'], denyModels: ['gpt-4o-audio*'] };
    expect(isModelAllowed(policy, 'gpt-4o-mini')).toBe(true);
    expect(isModelAllowed(policy, 'gpt-4o-audio-preview')).toBe(false);
  });
});

describe('names are compared as a person means them', () => {
  it('ignores case in allow and deny entries, patterns included, and keeps allow entries otherwise exact', () => {
    expect(matchesPattern('GPT-4o*', 'gpt-4O-Mini')).toBe(true);
    const allow = { allowModels: ['gpt-4o-mini'], denyModels: [] };
    expect(isModelAllowed(allow, 'GPT-4o-MINI')).toBe(true);
    // Allow entries stay exact otherwise: no prefix, tag or snapshot expansion.
    for (const model of ['openai/gpt-4o-mini', 'gpt-4o-mini:latest', 'gpt-4o-mini-2024-07-18']) expect(isModelAllowed(allow, model), model).toBe(false);
    const deny = { allowModels: [], denyModels: ['Whisper-1'] };
    expect(isModelAllowed(deny, 'WHISPER-1')).toBe(false);
  });

  const spellingsOfGpt4o = [
    'GPT-4o',
    'Gpt-4O',
    'openai/gpt-4o',
    'azure/openai/gpt-4o',
    'gpt-4o:latest',
    'openai/gpt-4o:free',
    'gpt-4o-2024-08-06',
    'gpt-4o-2024-05-13',
    'gpt-4o-0513',
    'gpt-4o-20240806',
    'gpt-4o@2024-08-06',
    'OpenAI/GPT-4o-2024-11-20:Latest',
    'gpt-4o-2024-08-06:latest',
  ];
  it.each(spellingsOfGpt4o)('a deny entry "gpt-4o" also denies %s', (model) => {
    expect(deniesModel('gpt-4o', model)).toBe(true);
    expect(isModelAllowed({ allowModels: [], denyModels: ['gpt-4o'] }, model)).toBe(false);
  });

  it.each(['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'openai/gpt-4o-mini', 'gpt-4o-mini:latest', 'gpt-4o-audio-preview', 'gpt-4o-audio-preview-2024-12-17', 'chatgpt-4o-latest', 'gpt-4', 'gpt-4o-1234', 'my-gpt-4o'])(
    'a deny entry "gpt-4o" does not deny the different model %s',
    (model) => {
      expect(deniesModel('gpt-4o', model)).toBe(false);
      expect(isModelAllowed({ allowModels: [], denyModels: ['gpt-4o'] }, model)).toBe(true);
    },
  );

  it('knows the older dated style and other vendors\' dates, but only plausible ones', () => {
    expect(deniesModel('gpt-4', 'gpt-4-0613')).toBe(true);
    expect(deniesModel('gpt-3.5-turbo', 'gpt-3.5-turbo-0125')).toBe(true);
    expect(deniesModel('claude-3-5-sonnet', 'claude-3-5-sonnet-20241022')).toBe(true);
    expect(deniesModel('gpt-4', 'gpt-4-1106-preview')).toBe(false);
    expect(deniesModel('gpt-4', 'gpt-4-1399')).toBe(false);
    expect(deniesModel('dall-e', 'dall-e-3')).toBe(false);
  });

  it('lets a deny entry with a provider or a date cover exactly that, in every spelling', () => {
    expect(deniesModel('openai/gpt-4o', 'openrouter/OpenAI/gpt-4o:free')).toBe(true);
    expect(deniesModel('openai/gpt-4o', 'gpt-4o')).toBe(false);
    expect(deniesModel('openai/gpt-4o', 'azure/gpt-4o')).toBe(false);
    expect(deniesModel('gpt-4o-2024-08-06', 'openai/gpt-4o-2024-08-06:latest')).toBe(true);
    expect(deniesModel('gpt-4o-2024-08-06', 'gpt-4o')).toBe(false);
    expect(deniesModel('gpt-4o:free', 'openai/gpt-4o:free')).toBe(true);
  });

  it('applies the same spellings to * patterns in the deny list', () => {
    expect(deniesModel('gpt-4o*', 'openai/gpt-4o-mini')).toBe(true);
    expect(deniesModel('*-preview', 'gpt-4o-audio-preview-2024-12-17')).toBe(true);
    expect(deniesModel('openai/*', 'openrouter/openai/gpt-4o')).toBe(true);
    expect(deniesModel('*-mini', 'gpt-4o')).toBe(false);
  });
});

describe('modelNameProblem', () => {
  it('accepts ordinary model ids', () => {
    for (const name of ['gpt-4o', 'openai/gpt-4o:free', 'ft:gpt-4o-mini-2024-07-18:acme::abc123', 'x'.repeat(256), 'name with inner space']) {
      expect(modelNameProblem(name), name).toBeNull();
    }
  });

  it('refuses empty, padded, over-long names and control or invisible characters', () => {
    expect(modelNameProblem('')).toBe('empty');
    expect(modelNameProblem('x'.repeat(257))).toBe('too_long');
    for (const name of [' gpt-4o', 'gpt-4o ', 'gpt-4o\n', '\tgpt-4o', 'gpt-4o\u00a0', '\ufeffgpt-4o']) expect(modelNameProblem(name), JSON.stringify(name)).toBe('whitespace');
    for (const name of ['gpt-4o\u0000', 'gpt\u0000-4o', 'gpt-4o\u0007x', 'gpt-\u200b4o', 'gpt-4o\u202e', 'gpt-4o\ud800x', 'gpt\u007f4o']) expect(modelNameProblem(name), JSON.stringify(name)).toBe('control');
  });
});

describe('denyExamples', () => {
  it('gives spellings the entry really denies, and none for patterns', () => {
    for (const entry of ['gpt-4o', 'openai/gpt-4o', 'gpt-4o-2024-08-06', 'gpt-4o:free', 'Whisper-1']) {
      const examples = denyExamples(entry)!;
      for (const example of [...examples.names, examples.dated].filter((each) => each !== null)) {
        expect(deniesModel(entry, example), `${entry} → ${example}`).toBe(true);
      }
    }
    expect(denyExamples('gpt-4o')).toEqual({ names: ['openai/gpt-4o', 'gpt-4o:latest'], dated: 'gpt-4o-2024-08-06' });
    expect(denyExamples('gpt-4o-2024-08-06')).toEqual({ names: ['openai/gpt-4o-2024-08-06', 'gpt-4o-2024-08-06:latest'], dated: null });
    expect(denyExamples('gpt-4o:free')).toEqual({ names: ['openai/gpt-4o:free'], dated: null });
    expect(denyExamples('gpt-4o*')).toBeNull();
  });
});
