import { isModelAllowed } from '../../shared/model-policy';
import { allowsMethod } from '../../shared/permissions';
import type { BatchFileSummary, BatchFiles } from './batch-files';
import type { EndpointTable } from './endpoint-table';
import type { SubkeyState } from './key-cache';
import { proxyErrors } from './proxy-error';

/**
 * Checks `POST /v1/batches` against its input file as read at upload (batch-files.ts): the file must have been
 * uploaded through this sub-key with purpose `batch` and be readable, and every line's model and url (and the
 * batch's `endpoint`) must be ones the key may use. Answers the file's summary (the batch counts one request per line).
 */
export function checkBatch(json: unknown, subkey: SubkeyState, files: BatchFiles, table: EndpointTable): BatchFileSummary {
  const body = (typeof json === 'object' && json !== null ? json : {}) as { input_file_id?: unknown; endpoint?: unknown };
  const fileId = body.input_file_id;
  const file = typeof fileId === 'string' ? files.get(fileId) : null;
  // A key with a model policy hears what it always heard: Keygate cannot see the models of a file it did not read.
  if (!file && subkey.restricted) throw proxyErrors.indirectModel('a batch names its models inside the uploaded input file, and Keygate did not read this one');
  if (!file || file.subkeyId !== subkey.id) throw proxyErrors.batchInput('its input file was not uploaded through this sub-key with purpose "batch"');
  if (!file.summary.readable) throw proxyErrors.batchInput('Keygate could not read every line of its input file as a request with a url and a model');
  const endpoints = typeof body.endpoint === 'string' ? [...file.summary.endpoints, body.endpoint] : file.summary.endpoints;
  for (const url of endpoints) {
    const path = url.split('?')[0]!;
    const endpoint = path.startsWith('/v1/') ? table.match('POST', path.slice(3)) : null;
    if (!endpoint || endpoint.spec.group === 'admin') throw proxyErrors.batchInput(`its input names the endpoint "${url.slice(0, 200)}"`);
    if (!allowsMethod(subkey.permissions, endpoint.spec.group, 'POST')) throw proxyErrors.permissionDenied(endpoint.spec.group, 'write', subkey.permissions.mode === 'read_only' ? 'read' : subkey.permissions.groups[endpoint.spec.group]);
  }
  if (subkey.restricted) {
    for (const model of file.summary.models) if (!isModelAllowed(subkey.policy, model)) throw proxyErrors.modelForbidden(model);
  }
  return file.summary;
}
