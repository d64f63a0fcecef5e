import { describe, expect, it } from 'vitest';
import { isModelAllowed, isRestricted, matchesPattern } from '../../electron/shared/model-policy';

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
