import { describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../electron/core/headless/args';

describe('parseServeArgs', () => {
  it('defaults to 127.0.0.1:8080 without admin', () => {
    expect(parseServeArgs([])).toEqual({
      kind: 'run',
      options: { host: '127.0.0.1', port: 8080, dataDir: null, admin: false, resetAdminToken: false, allowHosts: [], maxBodyBytes: null },
    });
  });

  it('reads every flag, in both --flag value and --flag=value forms', () => {
    const parsed = parseServeArgs([
      '--host=::1',
      '--port',
      '0',
      '--data-dir',
      '/srv/kg',
      '--admin',
      '--reset-admin-token',
      '--allow-host',
      'kg.lan',
      '--allow-host=kg.local',
      '--max-body-mb',
      '8',
    ]);
    expect(parsed).toEqual({
      kind: 'run',
      options: {
        host: '::1',
        port: 0,
        dataDir: '/srv/kg',
        admin: true,
        resetAdminToken: true,
        allowHosts: ['kg.lan', 'kg.local'],
        maxBodyBytes: 8 * 1024 * 1024,
      },
    });
  });

  it('answers help for -h and --help', () => {
    expect(parseServeArgs(['-h'])).toEqual({ kind: 'help' });
    expect(parseServeArgs(['--help'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--nope'], /Unknown option '--nope'/],
    [['--port'], /--port/],
    [['--port', '-1'], /--port/],
    [['--port=-1'], /--port: must be a whole number/],
    [['--port', '8080.5'], /--port/],
    [['--port', '65536'], /--port: Port must be between 0 and 65535/],
    [['--host', 'bad host!'], /--host/],
    [['--data-dir', ' '], /--data-dir/],
    [['--reset-admin-token'], /only makes sense with --admin/],
    [['--allow-host', 'a/b'], /--allow-host/],
    [['--max-body-mb', '0'], /--max-body-mb/],
    [['extra'], /positional/i],
  ])('refuses %j', (argv, message) => {
    const parsed = parseServeArgs(argv);
    expect(parsed.kind).toBe('error');
    if (parsed.kind === 'error') expect(parsed.message).toMatch(message);
  });
});
