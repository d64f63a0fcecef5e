/**
 * `npm run build`'s second step: bundles the headless server into one file, `out/server/cli.js`, that plain
 * `node` runs after `npm ci --omit=dev` (no tsx, no TypeScript, no Electron). The runtime dependencies stay
 * outside the bundle: better-sqlite3 is native, and all four are in `dependencies`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');
export const SERVER_ENTRY = join(PROJECT_ROOT, 'electron', 'core', 'headless', 'cli.ts');

/** The packages a production install has: everything the bundle leaves out must be one of them. */
export function runtimeDependencies(): string[] {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return Object.keys(pkg.dependencies ?? {});
}

/** Bundles the headless server into `outfile` (default `out/server/cli.js`). */
export async function buildServer(outfile = join(PROJECT_ROOT, 'out', 'server', 'cli.js')): Promise<void> {
  await build({
    entryPoints: [SERVER_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    external: runtimeDependencies(),
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();
