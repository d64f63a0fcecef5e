/**
 * A core owning a data directory in a child process, for lock tests: `node --import tsx
 * test/helpers/store-owner-process.ts DATA_DIR` opens the core there, prints `owning PID` and stays until killed.
 */
import { randomBytes } from 'node:crypto';
import { createCore } from '../../electron/core/app-core';
import { createAesSecretBox } from '../../electron/core/secrets/aes-secret-box';

const [, , dataDir] = process.argv;
if (!dataDir) throw new Error('usage: store-owner-process.ts DATA_DIR');
const core = createCore({ dataDir, secrets: createAesSecretBox(randomBytes(32)), mode: 'headless', version: 't', proxyMode: 'mounted' });
console.log(`owning ${process.pid}`);
// Referenced for as long as the process lives: a collected connection is closed, and its lock let go.
setInterval(() => core.db.open, 60_000);
