/**
 * `node --import tsx electron/tools/ensure-native.ts node|electron`: rebuilds better-sqlite3 only when the
 * installed build is the wrong one, so `npm test` and `npm start` work in either order.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { decideRebuild, type NativeTarget, type NodeLoadProbe } from './native-abi';

function probeNode(): NodeLoadProbe {
  const result = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
    encoding: 'utf8',
  });
  return result.status === 0 ? { loads: true } : { loads: false, error: result.stderr };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): void {
  console.log(`keygate: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

export function ensureNative(target: NativeTarget): void {
  const action = decideRebuild(target, probeNode());
  if (action === 'rebuild-for-node') {
    const env = { ...process.env };
    // Build against the local Node headers when the distribution ships them (no download needed).
    if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
    run('npm', ['rebuild', 'better-sqlite3'], env);
    const after = probeNode();
    if (!after.loads) throw new Error(`better-sqlite3 still does not load in Node:\n${after.error}`);
  } else if (action === 'rebuild-for-electron') {
    const env = { ...process.env };
    // With nodedir set, the rebuild silently compiles against Node's headers instead of Electron's.
    delete env.npm_config_nodedir;
    delete env.NPM_CONFIG_NODEDIR;
    run('npx', ['electron-builder', 'install-app-deps'], env);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = process.argv[2];
  if (target !== 'node' && target !== 'electron') {
    console.error('usage: ensure-native.ts node|electron');
    process.exit(2);
  }
  ensureNative(target);
}
