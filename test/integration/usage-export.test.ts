import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csvCell, usageCsvLine, writeUsageCsv } from '../../electron/core/services/usage-export';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { startAdminServer } from '../helpers/admin-server';
import { usageEntry } from '../renderer/fake-api';

let dir: string;
let db: Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-export-'));
  db = openDatabase(join(dir, 'keygate.db'));
  db.prepare("INSERT INTO upstreams (id, name, base_url, key_ciphertext, key_hint, created_at) VALUES ('u', 'u', 'https://u', x'00', 'h', 0)").run();
  db.prepare("INSERT INTO subkeys (id, name, upstream_id, secret_hash, hint, created_at) VALUES ('k', 'bot, \"the\" one', 'u', 'hash', 'h', 0)").run();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A sink that takes its time (like a slow disk or client), so backpressure is what keeps memory bounded. */
function slowSink(onChunk: (chunk: Buffer) => void): Writable {
  return new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      onChunk(chunk);
      setImmediate(callback);
    },
  });
}

describe('CSV cells', () => {
  it('quote per RFC 4180 only when needed, doubling quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(0.00012)).toBe('0.00012');
    expect(csvCell(false)).toBe('false');
  });

  it('defuse text a spreadsheet would run as a formula, and leave numbers alone', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell(-5)).toBe('-5');
  });

  it('write a usage entry as one CRLF-terminated record in the header\'s order', () => {
    const line = usageCsvLine(usageEntry(7, { model: '=cmd', costUsd: 0.5, cachedTokens: 3, reasoningTokens: null }));
    expect(line).toBe("7,2026-01-01T00:00:00.000Z,sk1,ci-bot,false,POST,/v1/chat/completions,'=cmd,200,5,1,1,2,3,,0.5,\r\n");
  });
});

describe('writeUsageCsv', () => {
  it('exports 100,000 rows newest first in bounded memory, reading and writing as the sink drains', async () => {
    const path = `/v1/chat/completions?${'x'.repeat(400)}`;
    const insert = db.prepare("INSERT INTO usage (subkey_id, at, method, path, model, status, total_tokens, cost_usd) VALUES ('k', ?, 'POST', ?, 'gpt-4o-mini', 200, 18, 0.0001)");
    db.transaction(() => {
      for (let i = 0; i < 100_000; i++) insert.run(1_700_000_000_000 + i, path);
    })();
    let lines = 0;
    let bytes = 0;
    const heads: string[] = [];
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    const sink = slowSink((chunk) => {
      const text = chunk.toString();
      if (heads.length < 2) heads.push(text.slice(0, 20));
      lines += text.split('\r\n').length - 1;
      bytes += chunk.length;
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    });
    const rows = await writeUsageCsv(db, {}, sink);
    expect(rows).toBe(100_000);
    expect(lines).toBe(100_001);
    expect(bytes).toBeGreaterThan(40_000_000);
    expect(heads[0]!.startsWith('id,at,')).toBe(true);
    expect(heads[1]!.startsWith('100000,')).toBe(true);
    // The whole log as objects would be well over 40 MB (each row carries a 440-byte path).
    expect(peak).toBeLessThan(30 * 1024 * 1024);
  }, 60_000);

  it('keeps the store usable while it waits for the sink, and honours the filter', async () => {
    for (let i = 0; i < 5; i++) db.prepare("INSERT INTO usage (subkey_id, at, method, path, status) VALUES (?, ?, 'POST', '/v1/x', 200)").run(i % 2 ? 'k' : null, i);
    const chunks: string[] = [];
    let wrote = false;
    const sink = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        // The proxy writes between turns: the export must not hold the connection busy across them.
        db.prepare("INSERT INTO usage (subkey_id, at, method, path, status) VALUES (NULL, 99, 'POST', '/v1/y', 200)").run();
        wrote = true;
        setImmediate(callback);
      },
    });
    expect(await writeUsageCsv(db, { subkeyId: 'k', before: 5 }, sink)).toBe(2);
    expect(wrote).toBe(true);
    expect(chunks.join('').split('\r\n').slice(1, 4)).toEqual([
      '4,1970-01-01T00:00:00.003Z,k,"bot, ""the"" one",false,POST,/v1/x,,200,,,,,,,,',
      '2,1970-01-01T00:00:00.001Z,k,"bot, ""the"" one",false,POST,/v1/x,,200,,,,,,,,',
      '',
    ]);
  });

  it('rejects when the sink closes before the end', async () => {
    for (let i = 0; i < 3000; i++) db.prepare("INSERT INTO usage (at, method, path) VALUES (?, 'GET', '/v1/models')").run(i);
    const sink = new Writable({
      highWaterMark: 1024,
      write(_chunk, _encoding, callback) {
        setImmediate(callback);
      },
    });
    setTimeout(() => sink.destroy(), 5);
    await expect(writeUsageCsv(db, {}, sink)).rejects.toThrow();
  });
});

describe('GET /admin/api/usage/export', () => {
  it('streams the filtered log as text/csv, and refuses a bad filter or no token', async () => {
    const admin = await startAdminServer();
    try {
      const answer = await admin.send('GET', '/admin/api/usage/export?before=1000');
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^text\/csv/);
      expect(answer.headers['content-disposition']).toContain('attachment');
      expect(answer.headers['content-length']).toBeUndefined();
      expect(answer.body.startsWith('id,at,subkeyId,subkeyName,subkeyDeleted,method,path,model,status')).toBe(true);
      expect((await admin.send('GET', '/admin/api/usage/export?before=-1')).status).toBe(400);
      expect((await admin.send('GET', '/admin/api/usage/export', { auth: null })).status).toBe(401);
      const posted = await admin.send('POST', '/admin/api/usage/export', { body: JSON.stringify({ subkeyId: 'nobody' }), headers: { 'content-type': 'application/json' } });
      expect(posted.status).toBe(200);
      expect(posted.body.split('\r\n').filter(Boolean)).toHaveLength(1);
    } finally {
      await admin.close();
    }
  });
});

describe('usage:export in the desktop app', () => {
  it('streams the CSV into the file the save dialog picked and answers its path and rows; a cancel writes nothing', async () => {
    const { createUsageService } = await import('../../electron/core/services/usage');
    const { readFileSync, existsSync } = await import('node:fs');
    for (let i = 0; i < 3; i++) db.prepare("INSERT INTO usage (subkey_id, at, method, path, status, model) VALUES ('k', ?, 'POST', '/v1/x', 200, '@evil')").run(i);
    const target = join(dir, 'picked.csv');
    const saved = await createUsageService({ db, pickExportFile: async () => target }).export({ subkeyId: 'k' });
    expect(saved).toEqual({ path: target, rows: 3 });
    const lines = readFileSync(target, 'utf8').split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toContain(",'@evil,");
    expect(await createUsageService({ db, pickExportFile: async () => null }).export({})).toEqual({ path: null, rows: 0 });
    await expect(createUsageService({ db }).export({})).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(existsSync(join(dir, 'nothing.csv'))).toBe(false);
  });
});
