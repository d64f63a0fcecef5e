import { describe, expect, it } from 'vitest';
import { repeatsModelMember, repeatsSpendMember } from '../../electron/core/proxy/duplicate-members';
import { EndpointTable } from '../../electron/core/proxy/endpoint-table';
import { modelPlacesOf, readModels } from '../../electron/core/proxy/model-places';

const table = new EndpointTable();

/** Whether the body (as sent, and padded past the small-body loop into the native search) repeats a model member. */
function repeats(path: string, text: string): boolean[] {
  const places = modelPlacesOf(table.match('POST', path)?.spec);
  const padding = `,"user":"${'x'.repeat(2000)}"}`;
  return [text, `${text.slice(0, -1)}${padding}`].map((body) => {
    const { members } = readModels(JSON.parse(body), places);
    return repeatsModelMember(Buffer.from(body), places, members);
  });
}

describe('repeated model members', () => {
  it.each([
    ['/chat/completions', '{"model":"gpt-4o","model":"gpt-4o-mini","messages":[]}'],
    ['/chat/completions', '{"mod\\u0065l":"gpt-4o","model":"gpt-4o-mini","messages":[]}'],
    ['/chat/completions', '{"model":"gpt-4o-mini","messages":[],"\\u006dodel":"gpt-4o"}'],
    ['/chat/completions', '{"model":"gpt-4o-mini","moderation":{"model":"x"},"moderation":{}}'],
    ['/responses', '{"model":"gpt-4o","tools":[{"type":"image_generation","model":"a","model":"b"}]}'],
    ['/responses', '{"model":"gpt-4o","tools":[{"type":"image_generation","model":"dall-e-3"}],"tools":[]}'],
    ['/responses', '{"model":"gpt-4o","input":[{"type":"x","tools":[{"model":"a"}],"tools":[{"model":"b"}]}]}'],
    // No top-level model at all: the hidden copy holds the only one.
    ['/realtime/sessions', '{"input_audio_transcription":{"model":"whisper-1"},"input_audio_transcription":{"language":"en"}}'],
    ['/some/unknown/endpoint', '{"model":"a","model":"b"}'],
    // A repeated member on the way to a model, whose hidden copy spells the model loosely (no `"model"` in it), or
    // holds none at all: which copy a reader keeps is still a guess, so the body is ambiguous either way.
    ['/responses', '{"model":"gpt-4o","tools":[{"type":"image_generation","Model":"dall-e-3"}],"tools":[]}'],
    ['/realtime/sessions', '{"input_audio_transcription":{"Model":"whisper-1"},"input_audio_transcription":{"language":"en"}}'],
    ['/realtime/sessions', '{"input_audio_transcription":{"language":"en"},"input_audio_transcription":{}}'],
  ])('are found in %s %s', (path, text) => {
    expect(repeats(path, text)).toEqual([true, true]);
  });

  it('counts a body nested too deep to tokenize as repeating, since it cannot be shown not to', () => {
    const depth = 200_000;
    const text = `{"model":"a","messages":${'['.repeat(depth)}${']'.repeat(depth)},"user":"model"}`;
    const places = modelPlacesOf(table.match('POST', '/chat/completions')?.spec);
    expect(repeatsModelMember(Buffer.from(text), places, readModels(JSON.parse(text), places).members)).toBe(true);
  });

  it.each([
    ['/chat/completions', '{"model":"gpt-4o","messages":[{"role":"user","content":"say \\"model\\" and \\u0065"}]}'],
    ['/chat/completions', '{"model":"gpt-4o","messages":[{"role":"user","content":"model"}],"metadata":{"model":"a","model":"b"}}'],
    ['/chat/completions', '{"model":"gpt-4o","messages":[],"user":"a","user":"b"}'],
    // A member repeated away from every model place, in a body that names a place's member elsewhere too.
    ['/responses', '{"model":"gpt-4o","tools":[{"type":"function","parameters":{"properties":{"tools":{},"x":1,"x":2}}}]}'],
    ['/responses', '{"model":"gpt-4o","tools":[{"type":"image_generation","model":"a"},{"type":"image_generation","model":"b"}]}'],
    ['/chat/completions', '{"model":"gpt-4o","messages":[{"role":"user","content":"caf\\u00e9 \\u4e2d\\u6587"}]}'],
  ])('are not found where the model is read one way: %s %s', (path, text) => {
    expect(repeats(path, text)).toEqual([false, false]);
  });
});

describe('repeated spending members', () => {
  const repeatsSpend = (text: string) => repeatsSpendMember(Buffer.from(text), JSON.parse(text) as Record<string, unknown>);

  it('finds a top-level repeat of a member the estimate reads, plain or escaped, and nothing in ordinary bodies', () => {
    expect(repeatsSpend('{"model":"a","max_tokens":1,"max_tokens":2}')).toBe(true);
    expect(repeatsSpend('{"model":"a","stream":true,"str\\u0065am":false}')).toBe(true);
    expect(repeatsSpend('{"model":"a","max_tokens":1,"n":2,"stream":true}')).toBe(false);
    // The names as values or deeper down are not top-level members.
    expect(repeatsSpend('{"model":"a","n":2,"metadata":{"n":"n"},"user":"max_tokens"}')).toBe(false);
    // Members it does not read may repeat (the model check covers `model`).
    expect(repeatsSpend('{"model":"a","user":"x","user":"y"}')).toBe(false);
  });

  it('counts a suspect body nested too deep to tokenize as repeating', () => {
    const depth = 200_000;
    const text = `{"n":1,"messages":${'['.repeat(depth)}${']'.repeat(depth)},"user":"n"}`;
    expect(repeatsSpend(text)).toBe(true);
  });
});
