import type { EndpointSpec } from './endpoint-spec';
import type { SubkeyState } from './key-cache';
import { proxyErrors } from './proxy-error';
import type { BodyKind } from './request-body';

/** The longest a credential minted through Keygate may live: its traffic bypasses Keygate, so keep it short. */
export const MAX_CREDENTIAL_SECONDS = 600;

/** Response header saying Keygate lowered the requested lifetime (its value: the lifetime sent upstream). */
export const CAPPED_HEADER = 'x-keygate-expires-after-capped';

/** What minting changes about a request: the body to forward, and the header to answer with when capped. */
export interface MintedBody {
  body: Buffer | null;
  capped: boolean;
}

/**
 * Prepares a request to an endpoint that mints a credential (already allowed by permission-gate.ts): where the body
 * sets the lifetime, `expires_after.seconds` above 600 is lowered to 600 and a missing one is set to 600 (the body is
 * re-serialised, so what upstream reads is what was checked); a lifetime that is not a whole number of seconds is
 * refused (400). Refuses (403 `credential_outlives_key`) when the sub-key expires before the credential would.
 * Endpoints whose lifetime OpenAI fixes are taken to live the full 600 s.
 */
export function prepareMint(spec: EndpointSpec, subkey: SubkeyState, bodyKind: BodyKind, json: unknown, now: number): MintedBody {
  const mints = spec.mints!;
  let seconds = MAX_CREDENTIAL_SECONDS;
  let result: MintedBody = { body: null, capped: false };
  if (mints.expiresAfter) {
    if (bodyKind !== 'json' && bodyKind !== 'none') throw proxyErrors.mintBody('send it as a JSON body');
    if (bodyKind === 'json') {
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw proxyErrors.mintBody('the body must be a JSON object');
      const body = json as Record<string, unknown>;
      const given = body.expires_after;
      if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) throw proxyErrors.mintBody('"expires_after" must be an object');
      const expiresAfter = (given ?? {}) as Record<string, unknown>;
      const asked = expiresAfter.seconds;
      if (asked !== undefined && (typeof asked !== 'number' || !Number.isInteger(asked) || asked < 1)) {
        throw proxyErrors.mintBody('"expires_after.seconds" must be a whole number of seconds');
      }
      seconds = asked === undefined ? MAX_CREDENTIAL_SECONDS : Math.min(asked, MAX_CREDENTIAL_SECONDS);
      const capped = asked !== undefined && asked > MAX_CREDENTIAL_SECONDS;
      if (asked === undefined || capped) {
        const rewritten = { ...body, expires_after: { anchor: 'created_at', ...expiresAfter, seconds } };
        result = { body: Buffer.from(JSON.stringify(rewritten)), capped };
      }
    }
  }
  if (subkey.expiresAt !== null && subkey.expiresAt < now + seconds * 1000) throw proxyErrors.credentialOutlivesKey(seconds);
  return result;
}
