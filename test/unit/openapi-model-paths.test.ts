import { describe, expect, it } from 'vitest';
import { EndpointTable } from '../../electron/core/proxy/endpoint-table';
import { modelPathsByOperation, modelPathsOf, type OpenApiDocument } from '../../electron/tools/openapi-model-paths';

const schemas = {
  Tool: {
    oneOf: [
      { type: 'object', properties: { type: { enum: ['function'] }, name: { type: 'string' } } },
      { $ref: '#/components/schemas/ImageTool' },
    ],
  },
  ImageTool: { type: 'object', properties: { type: { enum: ['image_generation'] }, model: { type: 'string' } } },
  Base: { type: 'object', properties: { model: { anyOf: [{ type: 'string' }, { enum: ['gpt-4o'] }] }, metadata: { type: 'object', additionalProperties: { type: 'string' } } } },
  Request: {
    allOf: [
      { $ref: '#/components/schemas/Base' },
      {
        type: 'object',
        properties: {
          tools: { type: 'array', items: { $ref: '#/components/schemas/Tool' } },
          grid: { type: 'array', items: { type: 'array', items: { $ref: '#/components/schemas/ImageTool' } } },
          graders: { type: 'object', additionalProperties: { $ref: '#/components/schemas/ImageTool' } },
          node: { $ref: '#/components/schemas/Node' },
        },
      },
    ],
  },
  // Recursive, but names no model: the walk must stop, not throw.
  Node: { type: 'object', properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } },
  Loop: { type: 'object', properties: { model: { type: 'string' }, next: { $ref: '#/components/schemas/Loop' } } },
};

const document: OpenApiDocument = {
  components: { schemas, requestBodies: { Shared: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ImageTool' } } } } } },
  paths: {
    '/things': {
      post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Request' } } } } },
      get: {},
    },
    '/things?beta=true': { post: { requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { moderation: { type: 'object', properties: { model: { type: 'string' } } } } } } } } } },
    '/uploads': { post: { requestBody: { content: { 'multipart/form-data': { schema: { type: 'object', properties: { inner: { type: 'object', properties: { model: { type: 'string' } } } } } } } } } },
    '/shared': { post: { requestBody: { $ref: '#/components/requestBodies/Shared' } } },
  },
};

describe('model paths from the OpenAPI spec', () => {
  it('follows $ref, allOf/anyOf/oneOf, arrays (nested too) and maps, and stops at recursive schemas', () => {
    expect(modelPathsOf(document, { $ref: '#/components/schemas/Request' })).toEqual(['graders.*.model', 'grid[][].model', 'model', 'tools[].model']);
  });

  it('gathers each operation, query variants into their path, JSON bodies only', () => {
    const byOperation = modelPathsByOperation(document);
    expect(byOperation.get('POST /things')).toEqual(['graders.*.model', 'grid[][].model', 'model', 'moderation.model', 'tools[].model']);
    expect(byOperation.get('GET /things')).toEqual([]);
    expect(byOperation.get('POST /uploads')).toEqual([]);
    expect(byOperation.get('POST /shared')).toEqual(['model']);
  });

  it('refuses a recursive schema that names a model, whose places have no fixed depth', () => {
    expect(() => modelPathsOf(document, { $ref: '#/components/schemas/Loop' })).toThrow(/recursive/);
  });

  it('is what the generated endpoint table carries', () => {
    const table = new EndpointTable();
    expect(table.match('POST', '/responses')?.spec.nestedModels).toEqual(expect.arrayContaining(['tools[].model', 'input[].tools[].model']));
    expect(table.match('POST', '/realtime/client_secrets')?.spec.nestedModels).toEqual(expect.arrayContaining(['session.model', 'session.audio.input.transcription.model']));
    expect(table.match('POST', '/realtime/calls/c1/accept')?.spec.nestedModels).toEqual(['audio.input.transcription.model']);
    expect(table.match('POST', '/embeddings')?.spec.nestedModels).toBeUndefined();
    expect(table.match('POST', '/chat/completions')?.spec.nestedModels).not.toContain('metadata.model');
  });
});
