import { describe, expect, it } from 'vitest';
import { chooseSnippetTarget } from '../../renderer/src/lib/snippet-target';

/** What the stand-in upstream and the new-user walk synced, alphabetically: `dall-e-3` and `fail-500` come first. */
const SYNCED = ['dall-e-3', 'fail-500', 'gpt-3.5-turbo', 'gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small', 'tts-1', 'whisper-1'];
const policy = (allowModels: string[] = [], denyModels: string[] = []) => ({ allowModels, denyModels });

describe('the model and endpoint a new secret’s snippets use', () => {
  it('unrestricted key: a small chat model, not the first model in alphabetical order (dall-e-3)', () => {
    expect(chooseSnippetTarget(policy(), SYNCED)).toEqual({ kind: 'chat', model: 'gpt-4o-mini' });
    expect(chooseSnippetTarget(policy(), ['gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-mini-2025-04-14', 'dall-e-3'])).toEqual({ kind: 'chat', model: 'gpt-4.1-mini' });
  });

  it('deny-list key: the best chat model left, never a denied one nor a made-up id like fail-500', () => {
    expect(chooseSnippetTarget(policy([], ['gpt-4o-mini']), SYNCED)).toEqual({ kind: 'chat', model: 'gpt-4o' });
    expect(chooseSnippetTarget(policy([], ['gpt-4o*', 'dall-e-3']), SYNCED)).toEqual({ kind: 'chat', model: 'gpt-3.5-turbo' });
    expect(chooseSnippetTarget(policy([], ['gpt-*']), SYNCED)).toEqual({ kind: 'chat', model: 'fail-500' });
  });

  it('embeddings-only key: an embeddings model (a chat call would answer 403)', () => {
    expect(chooseSnippetTarget(policy(['text-embedding-3-small']), SYNCED)).toEqual({ kind: 'embeddings', model: 'text-embedding-3-small' });
    expect(chooseSnippetTarget(policy(['text-embedding-*']), ['text-embedding-3-large', 'text-embedding-3-small', 'text-embedding-ada-002'])).toEqual({
      kind: 'embeddings',
      model: 'text-embedding-3-small',
    });
  });

  it('a key that may use none of the synced models, or nothing synced: GET /v1/models', () => {
    expect(chooseSnippetTarget(policy(['claude-*']), SYNCED)).toEqual({ kind: 'models' });
    expect(chooseSnippetTarget(policy(['whisper-1', 'tts-1', 'dall-e-3']), SYNCED)).toEqual({ kind: 'models' });
    expect(chooseSnippetTarget(policy(), [])).toEqual({ kind: 'models' });
  });

  it('an exact allowed id counts even when it was never synced; patterns never become ids', () => {
    expect(chooseSnippetTarget(policy(['gpt-4.1-nano']), [])).toEqual({ kind: 'chat', model: 'gpt-4.1-nano' });
    expect(chooseSnippetTarget(policy(['gpt-*']), [])).toEqual({ kind: 'models' });
  });

  it('prefers small chat models across routers and local servers', () => {
    expect(chooseSnippetTarget(policy(), ['anthropic/claude-sonnet-4', 'openai/gpt-4o', 'openai/gpt-4o-mini'])).toEqual({ kind: 'chat', model: 'openai/gpt-4o-mini' });
    expect(chooseSnippetTarget(policy(), ['gpt-4o-mini-tts', 'gpt-4o-mini-transcribe', 'gpt-4o-realtime-preview', 'o4-mini'])).toEqual({ kind: 'chat', model: 'o4-mini' });
    expect(chooseSnippetTarget(policy(), ['nomic-embed-text', 'llama3.2'])).toEqual({ kind: 'chat', model: 'llama3.2' });
  });
});
