import { isIP } from 'node:net';

/** `http://HOST:PORT/v1`, with IPv6 hosts in brackets. */
export function proxyUrl(host: string, port: number): string {
  return `http://${urlHost(host)}:${port}/v1`;
}

/** A host as it appears in a URL: IPv6 literals in brackets. */
export function urlHost(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1' || bare === '::ffff:127.0.0.1';
}

/** A listen failure in words a user can act on. */
export function describeListenError(error: unknown, host: string, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `Port ${port} is already in use. Choose another port or stop the program using it.`;
  if (code === 'EACCES') return `Not allowed to listen on port ${port}${port < 1024 ? ' (ports below 1024 need administrator rights)' : ''}.`;
  if (code === 'EADDRNOTAVAIL') return `${host} is not an address of this computer.`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `The host name ${host} could not be resolved.`;
  return `Could not listen on ${urlHost(host)}:${port}${code ? ` (${code})` : ''}.`;
}
