import { isIP } from 'node:net';
import type { ErrorDetail } from '../../shared/errors';

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
  return listenFailure(error, host, port).message;
}

/** A listen failure in English words, with its stable reason and values for a client in another language. */
export function listenFailure(error: unknown, host: string, port: number): { message: string } & ErrorDetail {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return { message: `Port ${port} is already in use. Choose another port or stop the program using it.`, reason: 'port_in_use', params: { port } };
  }
  if (code === 'EACCES') {
    return port < 1024
      ? { message: `Not allowed to listen on port ${port} (ports below 1024 need administrator rights).`, reason: 'port_privileged', params: { port } }
      : { message: `Not allowed to listen on port ${port}.`, reason: 'port_not_allowed', params: { port } };
  }
  if (code === 'EADDRNOTAVAIL') return { message: `${host} is not an address of this computer.`, reason: 'host_not_local', params: { host } };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return { message: `The host name ${host} could not be resolved.`, reason: 'host_not_resolved', params: { host } };
  }
  const address = `${urlHost(host)}:${port}`;
  return { message: `Could not listen on ${address}${code ? ` (${code})` : ''}.`, reason: 'listen_failed', params: { address, code: code ?? 'unknown' } };
}
