/**
 * DNS-rebinding guard: whether a request's `Host` header names this machine's loopback (127.0.0.0/8, `localhost`,
 * `[::1]`) or one of `allowedHosts` (compared without port, case-insensitively). A missing Host is refused.
 */
export function isAllowedHost(hostHeader: string | undefined, allowedHosts: readonly string[] = []): boolean {
  if (!hostHeader) return false;
  const host = stripPort(hostHeader.trim().toLowerCase());
  if (host === null || host === '') return false;
  if (host === 'localhost' || host === '[::1]') return true;
  if (isLoopbackIpv4(host)) return true;
  return allowedHosts.some((allowed) => {
    const normalized = stripPort(allowed.trim().toLowerCase());
    return normalized !== null && normalized === host;
  });
}

/** `name:port` → `name`, `[v6]:port` → `[v6]`; null when the value is malformed. */
function stripPort(value: string): string | null {
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end === -1) return null;
    const rest = value.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
    return value.slice(0, end + 1);
  }
  const colon = value.indexOf(':');
  if (colon === -1) return value;
  if (!/^\d{1,5}$/.test(value.slice(colon + 1))) return null;
  return value.slice(0, colon);
}

function isLoopbackIpv4(host: string): boolean {
  const parts = host.split('.');
  if (parts.length !== 4 || parts[0] !== '127') return false;
  return parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}
