import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  mode: number;
  /** Fail with EEXIST when `file` exists (two processes creating it at once never overwrite each other). */
  exclusive: boolean;
}

/**
 * Writes `data` to `file` so that `file` is only ever absent, its old content or all of the new one: the bytes go to
 * a temporary file in the same directory, are fsynced, then linked (exclusive) or renamed into place, and the
 * directory is fsynced so the new name survives a power cut. On any failure the temporary file is removed.
 */
export function writeFileAtomic(file: string, data: string | Buffer, options: AtomicWriteOptions): void {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'wx', options.mode);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.exclusive) linkExclusive(temp, file);
    else renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
  syncDirectory(dir);
}

/** link() refuses to replace an existing name, which rename() would do silently. */
function linkExclusive(temp: string, file: string): void {
  try {
    linkSync(temp, file);
  } catch (error) {
    // A file system without hard links (FAT, some network shares): check, then rename (a narrow race remains).
    if (!NO_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    if (existsSync(file)) throw Object.assign(new Error(`EEXIST: file already exists, link '${file}'`), { code: 'EEXIST' });
    renameSync(temp, file);
  }
}

const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return; // Windows cannot open a directory for fsync; NTFS journals the rename.
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
