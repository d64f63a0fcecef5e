import { describe, expect, it } from 'vitest';
import { EndpointTable } from '../../electron/core/proxy/endpoint-table';
import { formIdPath, idPlacesOf, mayHideIds, readObjectIds } from '../../electron/core/proxy/object-id-places';
import { ProxyError } from '../../electron/core/proxy/proxy-error';
import type { OpenApiDocument } from '../../electron/tools/openapi-model-paths';
import { objectIdPathsOf } from '../../electron/tools/openapi-object-ids';

const table = new EndpointTable();
const responses = idPlacesOf(table.match('POST', '/responses')!.spec)!;

const document: OpenApiDocument = {
  components: {
    schemas: {
      Request: {
        type: 'object',
        properties: {
          previous_response_id: { type: 'string' },
          prompt_cache_key: { type: 'string' },
          metadata: { type: 'object', properties: { file_id: { type: 'string' } } },
          tools: { type: 'array', items: { type: 'object', properties: { vector_store_ids: { type: 'array', items: { type: 'string' } } } } },
          input: { type: 'array', items: { oneOf: [{ $ref: '#/components/schemas/Message' }, { $ref: '#/components/schemas/FileSearchToolCall' }] } },
        },
      },
      Message: {
        type: 'object',
        properties: {
          content: {
            type: 'array',
            items: { type: 'object', properties: { file_id: { type: 'string' }, annotations: { type: 'array', items: { type: 'object', properties: { file_id: { type: 'string' } } } } } },
          },
        },
      },
      // A record of what OpenAI answered: its ids describe, they do not ask to use an object.
      FileSearchToolCall: { type: 'object', properties: { results: { type: 'array', items: { type: 'object', properties: { file_id: { type: 'string' } } } } } },
      Loop: { type: 'object', properties: { file_id: { type: 'string' }, next: { $ref: '#/components/schemas/Loop' } } },
    },
  },
};

describe('object-id places from the OpenAPI spec', () => {
  it('are the id members the spec declares, not metadata, citations or records of answers', () => {
    expect(objectIdPathsOf(document, { $ref: '#/components/schemas/Request' })).toEqual(['input[].content[].file_id', 'previous_response_id', 'tools[].vector_store_ids']);
  });

  it('refuses a recursive schema that names an id, whose places have no fixed depth', () => {
    expect(() => objectIdPathsOf(document, { $ref: '#/components/schemas/Loop' })).toThrow(/recursive/);
  });

  it('are what the generated endpoint table carries', () => {
    const ids = table.match('POST', '/responses')?.spec.objectIds;
    expect(ids).toEqual(expect.arrayContaining(['previous_response_id', 'conversation', 'input[].content[].file_id', 'tools[].vector_store_ids', 'tools[].container']));
    expect(ids?.some((path) => path.includes('annotations') || path.includes('results') || path.includes('metadata'))).toBe(false);
    expect(ids).not.toContain('input[].container_id');
    expect(table.match('POST', '/batches')?.spec.objectIds).toEqual(['input_file_id']);
    expect(table.match('POST', '/fine_tuning/jobs')?.spec.objectIds).toEqual(['training_file', 'validation_file']);
    expect(table.match('POST', '/threads/t1/runs')?.spec.objectIds).toContain('assistant_id');
    expect(table.match('POST', '/embeddings')?.spec.objectIds).toBeUndefined();
  });
});

describe('reading object ids from a body', () => {
  it('reads a Codex-shaped body as naming nothing: UUIDs in other members are not ids', () => {
    const uuid = '01a24209-6aa2-75c2-8e5a-f341cabaf3ee';
    const body = {
      model: 'gpt-5-codex',
      instructions: 'You are Codex.',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'x', annotations: [{ type: 'file_citation', file_id: 'file-owner', index: 0 }] }] },
        { type: 'code_interpreter_call', id: 'ci_1', container_id: 'cntr_auto', code: '', outputs: [] },
        { type: 'function_call', call_id: uuid, name: 'shell', arguments: '{}' },
        { type: 'function_call_output', call_id: uuid, output: 'ok' },
      ],
      tools: [{ type: 'function', name: 'shell', parameters: { type: 'object', properties: {} } }],
      store: false,
      stream: true,
      prompt_cache_key: uuid,
      client_metadata: { session_id: uuid, thread_id: uuid, conversation_id: uuid, file_id: uuid },
      metadata: { previous_response_id: uuid },
    };
    const { ids } = readObjectIds(body, responses);
    expect(ids).toEqual([]);
    expect(mayHideIds(Buffer.from(JSON.stringify(body)), responses, 0)).toBe(false);
  });

  it('reads ids where the spec takes them: a string, each of a list, a conversation as { id }', () => {
    const body = {
      previous_response_id: 'resp_1',
      conversation: { id: 'conv_1' },
      input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }],
      tools: [{ type: 'file_search', vector_store_ids: ['vs_1', 'vs_2'] }, { type: 'code_interpreter', container: 'cntr_1' }],
    };
    const found = readObjectIds(body, responses).ids.map(({ id, member }) => `${member}=${id}`);
    expect(found.sort()).toEqual(['container=cntr_1', 'conversation=conv_1', 'file_id=file-1', 'previous_response_id=resp_1', 'vector_store_ids=vs_1', 'vector_store_ids=vs_2']);
  });

  it('suspects a body whose bytes name an id member JSON.parse did not show, and only when a member really repeats', () => {
    // As sent, and padded past the one-pass look at small bodies into the native search: both must answer the same.
    const check = (text: string) => {
      const padded = `${text.slice(0, -1)},"metadata":{"note":"${'x'.repeat(2000)}"}}`;
      const answers = [text, padded].map((body) => mayHideIds(Buffer.from(body), responses, readObjectIds(JSON.parse(body), responses).members));
      expect(answers[1]).toBe(answers[0]);
      return answers[0];
    };
    expect(check('{"previous_response_id":"resp_foreign","previous_response_id":"resp_mine"}')).toBe(true);
    expect(check('{"previous\\u005fresponse_id":"resp_foreign","previous_response_id":"resp_mine"}')).toBe(true);
    expect(check('{"tools":[{"type":"file_search","vector_store_ids":["vs_foreign"]}],"tools":[]}')).toBe(true);
    // A repeated member on the way to an id, whose hidden copy spells the id loosely (no `"vector_store_ids"` in it).
    expect(check('{"tools":[{"type":"file_search","Vector_Store_Ids":["vs_foreign"]}],"tools":[]}')).toBe(true);
    expect(check('{"input":[{"role":"user","content":[{"File_Id":"file-foreign"}]}],"input":"hi"}')).toBe(true);
    expect(check('{"input":[{"role":"user","content":[{"FILE_ID":"file-foreign"}],"content":[]}]}')).toBe(true);
    // A member repeated away from every id place hides no id: a tool's schema may name `input` and repeat a key.
    expect(check('{"input":"hi","tools":[{"type":"function","parameters":{"properties":{"input":{},"x":1,"x":2}}}]}')).toBe(false);
    // The same name where no id is read (a citation) sends the body to the full look, which finds no repetition.
    expect(check('{"previous_response_id":"resp_mine","input":[{"content":[{"annotations":[{"file_id":"file-x"}]}]}]}')).toBe(false);
    expect(check('{"input":"say \\"previous_response_id\\"","previous_response_id":"resp_mine"}')).toBe(false);
  });

  it('refuses an id member, or one on the way to it, spelled another way than the spec spells it, as the model reader does', () => {
    const code = (body: unknown): string | null => {
      try {
        readObjectIds(body, responses);
        return null;
      } catch (error) {
        return error instanceof ProxyError ? `${error.status} ${error.code}` : 'other';
      }
    };
    for (const body of [
      { Previous_Response_Id: 'resp_1' },
      { previousResponseId: 'resp_1' },
      { 'previous-response-id': 'resp_1' },
      { CONVERSATION: 'conv_1' },
      { input: [{ content: [{ fileId: 'file-1' }] }] },
      { tools: [{ Vector_Store_Ids: ['vs_1'] }] },
      { Tools: [{ vector_store_ids: ['vs_1'] }] },
      { prompt: { variables: { x: { FILE_ID: 'file-1' } } } },
    ]) {
      expect(code(body), JSON.stringify(body)).toBe('400 ambiguous_request');
    }
    // Members that only resemble a place elsewhere (metadata, a tool's own names) stay unread.
    expect(code({ metadata: { Previous_Response_Id: 'x' }, tools: [{ type: 'function', name: 'file_id' }], previous_response: 'x' })).toBeNull();
  });

  it('reads a form field’s name as a member path, as lenient form readers nest one', () => {
    const containerFiles = idPlacesOf(table.match('POST', '/containers/c1/files')!.spec)!;
    const imageEdits = idPlacesOf(table.match('POST', '/images/edits')!.spec)!;
    expect(formIdPath(containerFiles, 'file_id')).toBe('file_id');
    expect(formIdPath(containerFiles, 'purpose')).toBeNull();
    expect(formIdPath(imageEdits, 'mask[file_id]')).toBe('mask.file_id');
    expect(formIdPath(imageEdits, 'mask.file_id')).toBe('mask.file_id');
    expect(formIdPath(imageEdits, 'images[0][file_id]')).toBe('images.file_id');
    expect(formIdPath(imageEdits, 'prompt')).toBeNull();
    for (const [places, name] of [[containerFiles, 'File_Id'], [containerFiles, 'fileId'], [imageEdits, 'Mask[file_id]'], [imageEdits, 'mask[FILE-ID]']] as const) {
      expect(() => formIdPath(places, name), name).toThrow(expect.objectContaining({ status: 400, code: 'ambiguous_request' }));
    }
  });
});
