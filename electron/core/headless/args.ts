import { parseArgs } from 'node:util';
import { HostSchema, PortSchema } from '../../shared/schemas';
import { DEFAULT_PROXY_HOST, DEFAULT_PROXY_PORT } from '../services/proxy-controller';

export interface ServeOptions {
  host: string;
  port: number;
  dataDir: string | null;
  admin: boolean;
  resetAdminToken: boolean;
  allowHosts: string[];
  /** Largest request body the proxy accepts, in bytes; null = the proxy's default (64 MiB). */
  maxBodyBytes: number | null;
}

export type ParsedArgs = { kind: 'run'; options: ServeOptions } | { kind: 'help' } | { kind: 'error'; message: string };

export const USAGE = `Usage: npm run serve -- [options]

Runs Keygate without a window: the OpenAI-compatible proxy on /v1 and, with --admin, the admin API and UI on /admin.

Options:
  --host HOST            address to listen on (default ${DEFAULT_PROXY_HOST}; anything but loopback is reachable from the network)
  --port PORT            port to listen on, 0 = any free port (default ${DEFAULT_PROXY_PORT})
  --data-dir DIR         where the database and master key live (default: KEYGATE_DATA_DIR or the app-data folder)
  --admin                also serve the admin API and UI on /admin (token-protected)
  --reset-admin-token    make a new admin token and print it once (with --admin)
  --allow-host NAME      accept requests whose Host header is NAME (repeatable; loopback names are always accepted)
  --max-body-mb N        largest request body the proxy accepts, in MiB (default 64)
  -h, --help             show this help

Environment:
  KEYGATE_DATA_DIR       data directory (--data-dir wins)
  KEYGATE_MASTER_KEY     64 hex characters or base64 of 32 bytes: encrypts upstream keys instead of <data-dir>/master.key
  KEYGATE_ADMIN_TOKEN    the admin token to accept, at least 32 characters (otherwise one is generated and printed once)
`;

/** Parses `npm run serve` flags; unknown flags and bad values give a message (the caller exits 2). */
export function parseServeArgs(argv: readonly string[]): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        admin: { type: 'boolean' },
        'reset-admin-token': { type: 'boolean' },
        'allow-host': { type: 'string', multiple: true },
        'max-body-mb': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: (error as Error).message.split('\n')[0]! };
  }
  if (values.help) return { kind: 'help' };

  const host = HostSchema.safeParse(values.host ?? DEFAULT_PROXY_HOST);
  if (!host.success) return { kind: 'error', message: `--host: ${host.error.issues[0]!.message}` };
  const port = parsePort(values.port);
  if (typeof port === 'string') return { kind: 'error', message: `--port: ${port}` };
  if (values['data-dir'] !== undefined && values['data-dir'].trim() === '') return { kind: 'error', message: '--data-dir: a directory is required' };
  if (values['reset-admin-token'] && !values.admin) return { kind: 'error', message: '--reset-admin-token only makes sense with --admin' };
  const allowHosts = values['allow-host'] ?? [];
  const badHost = allowHosts.find((name) => !HostSchema.safeParse(name).success);
  if (badHost !== undefined) return { kind: 'error', message: `--allow-host: not a host name: ${badHost.slice(0, 100)}` };

  const maxBodyMb = values['max-body-mb'];
  if (maxBodyMb !== undefined && (!/^\d+$/.test(maxBodyMb) || Number(maxBodyMb) < 1 || Number(maxBodyMb) > 4096)) {
    return { kind: 'error', message: '--max-body-mb: must be a whole number of MiB between 1 and 4096' };
  }

  return {
    kind: 'run',
    options: {
      host: host.data,
      port,
      dataDir: values['data-dir'] ?? null,
      admin: values.admin ?? false,
      resetAdminToken: values['reset-admin-token'] ?? false,
      allowHosts,
      maxBodyBytes: maxBodyMb === undefined ? null : Number(maxBodyMb) * 1024 * 1024,
    },
  };
}

/** A port number, or the problem with it. */
function parsePort(value: string | undefined): number | string {
  if (value === undefined) return DEFAULT_PROXY_PORT;
  if (!/^\d+$/.test(value)) return 'must be a whole number between 0 and 65535';
  const parsed = PortSchema.safeParse(Number(value));
  return parsed.success ? parsed.data : parsed.error.issues[0]!.message;
}
