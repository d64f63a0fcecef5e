/**
 * `npm test`: every layer in one command (typecheck, lint, build, unit + integration + renderer + browser tests),
 * closing with one line `N passed, N failed` that sums them all.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureNative } from '../electron/tools/ensure-native';
import { findChromium } from './helpers/chromium';

const root = resolve(import.meta.dirname, '..');
const artifacts = resolve(root, 'test/.artifacts');
let passed = 0;
let failed = 0;
let skipped = 0;

function step(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  console.log(`\n▶ ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  const ok = result.status === 0;
  if (ok) passed++;
  else failed++;
  console.log(ok ? `✔ ${name}` : `✘ ${name} (exit ${result.status})`);
  return ok;
}

async function chromiumOrInstall(): Promise<string | null> {
  const found = await findChromium();
  if (found) return found;
  console.log('\nNo Chromium found; fetching one with Playwright (needs network access)…');
  spawnSync('npx', ['playwright-core', 'install', 'chromium'], { cwd: root, stdio: 'inherit' });
  return findChromium();
}

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numFailedTestSuites: number;
  success: boolean;
}

async function main(): Promise<void> {
  ensureNative('node');
  mkdirSync(artifacts, { recursive: true });

  step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
  step('lint', 'npm', ['run', '--silent', 'lint']);
  const built = step('build', 'npm', ['run', '--silent', 'build']);

  const chromium = await chromiumOrInstall();
  if (!chromium) {
    failed++;
    console.error(
      '\n✘ browser tests need Chromium and none was found or could be fetched.\n' +
        '  Install one (Debian/Ubuntu: `sudo apt-get install chromium`), or set KEYGATE_CHROMIUM=/path/to/chrome.',
    );
  }
  if (!built) console.error('✘ the build failed: browser tests will fail too.');

  const report = resolve(artifacts, 'vitest.json');
  rmSync(report, { force: true });
  const env = { ...process.env, ...(chromium ? { KEYGATE_CHROMIUM: chromium } : {}) };
  const projects = chromium ? [] : ['--project', 'node', '--project', 'renderer'];
  console.log(`\n▶ tests: vitest (${chromium ? `browser: ${chromium}` : 'no browser'})`);
  spawnSync(
    'npx',
    ['vitest', 'run', '--config', 'test/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...projects],
    { cwd: root, stdio: 'inherit', env },
  );
  try {
    const results = JSON.parse(readFileSync(report, 'utf8')) as VitestReport;
    passed += results.numPassedTests;
    failed += results.numFailedTests;
    skipped += results.numPendingTests + results.numTodoTests;
    // A suite that fails to load has no failed tests of its own: count it, or it would vanish.
    if (results.numFailedTestSuites > 0 && results.numFailedTests === 0) failed += results.numFailedTestSuites;
  } catch {
    failed++;
    console.error('✘ vitest wrote no report');
  }

  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed > 0 ? 1 : 0);
}

await main();
