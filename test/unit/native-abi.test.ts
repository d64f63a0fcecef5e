import { describe, expect, it } from 'vitest';
import { decideRebuild } from '../../electron/tools/native-abi';

const abiError =
  'The module was compiled against a different Node.js version using NODE_MODULE_VERSION 139. This version of Node.js requires NODE_MODULE_VERSION 115.';

describe('decideRebuild', () => {
  it('keeps a build that loads in Node for the tests', () => {
    expect(decideRebuild('node', { loads: true })).toBe('none');
  });

  it('rebuilds for Node when Node cannot load the build (an Electron build, or none)', () => {
    expect(decideRebuild('node', { loads: false, error: abiError })).toBe('rebuild-for-node');
    expect(decideRebuild('node', { loads: false, error: 'Could not locate the bindings file' })).toBe('rebuild-for-node');
  });

  it('rebuilds for Electron when the build is Node’s', () => {
    expect(decideRebuild('electron', { loads: true })).toBe('rebuild-for-electron');
  });

  it('keeps a build Node refuses only for its ABI: that is the Electron build', () => {
    expect(decideRebuild('electron', { loads: false, error: abiError })).toBe('none');
  });

  it('builds for Electron when there is no build at all', () => {
    expect(decideRebuild('electron', { loads: false, error: 'Could not locate the bindings file' })).toBe('rebuild-for-electron');
  });
});
