import { allowsMethod, levelOf } from '../../shared/permissions';
import type { EndpointMatch } from './endpoint-table';
import type { SubkeyState } from './key-cache';
import { proxyErrors } from './proxy-error';

/**
 * Applies the sub-key's endpoint permissions (403 `permission_denied`, naming the group), after endpoint-gate.ts
 * has refused the Admin API and unknown endpoints. Endpoints that mint credentials also need `mintCredentials`. An endpoint Keygate does not know (passed through on a
 * compatible upstream) belongs to no group, so only a key in mode `all` may call it. Runs before the body is read.
 */
export function checkPermission(method: string, endpoint: EndpointMatch | null, subkey: SubkeyState): void {
  const { permissions } = subkey;
  // Minting is its own opt-in, off even in mode `all`: a minted credential's traffic never passes Keygate.
  if (endpoint?.spec.mints && !permissions.mintCredentials) throw proxyErrors.mintingNotAllowed();
  if (permissions.mode === 'all') return;
  if (!endpoint) throw proxyErrors.permissionDeniedUnknown();
  const group = endpoint.spec.group;
  if (group === 'admin') throw proxyErrors.adminApi();
  if (allowsMethod(permissions, group, method)) return;
  throw proxyErrors.permissionDenied(group, method === 'GET' ? 'read' : 'write', levelOf(permissions, group));
}
