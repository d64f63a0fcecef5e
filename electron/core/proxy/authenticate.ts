import type { IncomingHttpHeaders } from 'node:http';
import type { KeyCache, SubkeyState } from './key-cache';
import { proxyErrors } from './proxy-error';

/** The sub-key a client sent: `Authorization: Bearer …`, else `x-api-key`, else `api-key`. */
export function presentedSecret(headers: IncomingHttpHeaders): string | null {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1]!;
  }
  for (const value of [headers['x-api-key'], headers['api-key']]) {
    const secret = typeof value === 'string' ? value.trim() : undefined;
    if (secret) return secret;
  }
  return null;
}

/** The sub-key a request presents; a 401 ProxyError when it presents none or an unknown one. */
export function identify(headers: IncomingHttpHeaders, keys: KeyCache): SubkeyState {
  return identifySecret(presentedSecret(headers), keys);
}

/** The sub-key whose secret is `secret` (found wherever the client sent it); a 401 ProxyError when none or unknown. */
export function identifySecret(secret: string | null, keys: KeyCache): SubkeyState {
  if (secret === null) throw proxyErrors.missingKey();
  const subkey = keys.subkeyBySecret(secret);
  if (!subkey) throw proxyErrors.unknownKey();
  return subkey;
}

/** Checks a known sub-key is enabled and unexpired at `now`; a 401 ProxyError otherwise. */
export function checkUsable(subkey: SubkeyState, now: number): void {
  if (!subkey.enabled) throw proxyErrors.disabledKey();
  if (subkey.expiresAt !== null && subkey.expiresAt <= now) throw proxyErrors.expiredKey();
}
