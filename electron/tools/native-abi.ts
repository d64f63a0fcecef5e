/**
 * better-sqlite3 is a native addon built for one ABI at a time: Node's (tests, headless) or Electron's (the app).
 * These pure decisions say whether the installed build is the wrong one for what is about to run.
 */

export type NativeTarget = 'node' | 'electron';
export type RebuildAction = 'none' | 'rebuild-for-node' | 'rebuild-for-electron';

/** What loading better-sqlite3 in plain Node told us. */
export interface NodeLoadProbe {
  loads: boolean;
  error?: string;
}

const ABI_MISMATCH = /NODE_MODULE_VERSION|was compiled against a different Node\.js version/;

/** Picks the rebuild (if any) that makes better-sqlite3 load in `target`. */
export function decideRebuild(target: NativeTarget, probe: NodeLoadProbe): RebuildAction {
  if (target === 'node') return probe.loads ? 'none' : 'rebuild-for-node';
  // A build that loads in Node is a Node build, which Electron refuses. A build that Node refuses for
  // its ABI alone is taken to be Electron's; any other failure (no build at all) needs a build.
  if (probe.loads) return 'rebuild-for-electron';
  return ABI_MISMATCH.test(probe.error ?? '') ? 'none' : 'rebuild-for-electron';
}
