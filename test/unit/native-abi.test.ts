import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { betterSqlite3Dir, nativeBindingPath } from '../../electron/core/store/native-binding';
import {
  electronBuildAction,
  electronBuildEnv,
  electronBuildFailureMessage,
  failureLines,
  moduleAbiOf,
  nodeBuildAction,
  nodeGypArgs,
  prebuildInstallArgs,
} from '../../electron/tools/native-abi';

const abiError =
  'The module was compiled against a different Node.js version using NODE_MODULE_VERSION 150. This version of Node.js requires NODE_MODULE_VERSION 115.';
const nodeAbi = process.versions.modules;
const target = { version: '45.5.0', abi: '150', arch: 'x64', platform: 'linux' as const };

describe('nodeBuildAction', () => {
  it('keeps a build that loads in Node and rebuilds one that does not (another ABI, or none)', () => {
    expect(nodeBuildAction({ loads: true })).toBe('none');
    expect(nodeBuildAction({ loads: false, error: abiError })).toBe('build');
    expect(nodeBuildAction({ loads: false, error: "Cannot find module '/p/build/Release/better_sqlite3.node'" })).toBe('build');
  });
});

describe('moduleAbiOf', () => {
  it('reads the ABI the installed Node build was compiled for from the file itself', () => {
    expect(moduleAbiOf(readFileSync(nativeBindingPath(betterSqlite3Dir(), 'node')))).toBe(nodeAbi);
  });

  it('reads it from the register symbol, and says null when there is none', () => {
    expect(moduleAbiOf(Buffer.from('\x7fELF\0\0node_register_module_v150\0napi_module_register\0'))).toBe('150');
    expect(moduleAbiOf(Buffer.from('\x7fELF\0\0napi_register_module_v1\0'))).toBeNull();
  });
});

describe('electronBuildAction', () => {
  it('builds when there is no Electron build, or one without a readable ABI', () => {
    expect(electronBuildAction({ builtAbi: undefined, electronAbi: '150', nodeAbi })).toBe('build');
    expect(electronBuildAction({ builtAbi: null, electronAbi: '150', nodeAbi })).toBe('build');
  });

  it('keeps a build for the installed Electron’s ABI', () => {
    expect(electronBuildAction({ builtAbi: '150', electronAbi: '150', nodeAbi })).toBe('none');
  });

  it('rebuilds one compiled against Node’s headers (the nodedir trap) or for another Electron', () => {
    expect(electronBuildAction({ builtAbi: nodeAbi, electronAbi: '150', nodeAbi })).toBe('build');
    expect(electronBuildAction({ builtAbi: '140', electronAbi: '150', nodeAbi })).toBe('build');
  });

  it('without Electron’s ABI on record, keeps any build that is not Node’s', () => {
    expect(electronBuildAction({ builtAbi: '150', electronAbi: null, nodeAbi })).toBe('none');
    expect(electronBuildAction({ builtAbi: nodeAbi, electronAbi: null, nodeAbi })).toBe('build');
  });
});

describe('electronBuildEnv', () => {
  it('drops every npm setting that would build for Node (nodedir first), whatever its case, and keeps the rest', () => {
    const env = electronBuildEnv({
      PATH: '/usr/bin',
      npm_config_nodedir: '/usr',
      NPM_CONFIG_NODEDIR: '/usr',
      npm_config_NodeDir: '/usr',
      npm_config_target: '20.20.2',
      npm_config_runtime: 'node',
      npm_config_disturl: 'https://nodejs.org/dist',
      npm_config_dist_url: 'https://nodejs.org/dist',
      npm_config_build_from_source: 'true',
      npm_config_devdir: '/root/.cache/node-gyp',
      npm_config_https_proxy: 'http://proxy:3128',
      HTTPS_PROXY: 'http://proxy:3128',
      npm_config_userconfig: '/root/.npmrc',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      npm_config_https_proxy: 'http://proxy:3128',
      HTTPS_PROXY: 'http://proxy:3128',
      npm_config_userconfig: '/root/.npmrc',
    });
  });
});

describe('build arguments', () => {
  it('asks prebuild-install for Electron’s binary', () => {
    expect(prebuildInstallArgs(target)).toEqual(expect.arrayContaining(['--runtime=electron', '--target=45.5.0', '--arch=x64', '--platform=linux']));
  });

  it('compiles against Electron’s headers from the given URL, never a nodedir', () => {
    const args = nodeGypArgs(target, 'https://www.electronjs.org/headers', '/home/u/.electron-gyp');
    expect(args).toEqual(
      expect.arrayContaining(['rebuild', '--runtime=electron', '--target=45.5.0', '--arch=x64', '--dist-url=https://www.electronjs.org/headers', '--devdir=/home/u/.electron-gyp']),
    );
    expect(args.some((arg) => arg.includes('nodedir'))).toBe(false);
  });
});

describe('the failure message', () => {
  const gypOutput = [
    'gyp info it worked if it ends with ok',
    'gyp http GET https://www.electronjs.org/headers/v45.5.0/node-v45.5.0-headers.tar.gz',
    'gyp WARN install got an error, rolling back install',
    'gyp ERR! configure error',
    'gyp ERR! stack Error: This is most likely not a problem with node-gyp or the package itself and',
    'gyp ERR! stack at go (/p/node_modules/node-gyp/lib/install.js:244:21)',
    'gyp ERR! System Linux 6.1',
    'gyp ERR! not ok',
  ].join('\n');

  it('keeps the lines of a tool’s output that say why it failed', () => {
    expect(failureLines('prebuild-install info begin\nprebuild-install warn install getaddrinfo ENOTFOUND github.com\n')).toBe(
      'prebuild-install warn install getaddrinfo ENOTFOUND github.com',
    );
    expect(failureLines(gypOutput)).toBe(
      'gyp WARN install got an error, rolling back install\ngyp ERR! configure error\ngyp ERR! stack Error: This is most likely not a problem with node-gyp or the package itself and',
    );
  });

  it('says what was tried and why it failed, that nothing changed, how to retry, and the way without Electron', () => {
    const message = electronBuildFailureMessage(target, [
      { name: 'prebuilt binary (prebuild-install)', failure: 'prebuild-install warn install getaddrinfo ENOTFOUND github.com' },
      { name: 'compile (node-gyp)', failure: failureLines(gypOutput) },
    ]);
    expect(message).toContain('could not build better-sqlite3 for Electron 45.5.0 (ABI 150), linux-x64');
    expect(message).toContain('getaddrinfo ENOTFOUND github.com');
    expect(message).toContain('gyp ERR! configure error');
    expect(message).toContain('Node build that `npm test` and `npm run serve` use is untouched');
    expect(message).toContain('Retry with `npm start`');
    expect(message).toContain('`npm run serve -- --admin`');
  });
});
