import { unrestrictedPermissions } from '../../electron/shared/permissions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bearerToken, generateAdminToken, hashAdminToken, verifyAdminToken } from '../../electron/core/admin/admin-token';
import { resolveUiFile } from '../../electron/core/admin/static-ui';
import { createUsageThrottle, PUSH_MAX_ENTRIES } from '../../electron/core/event-hub';
import type { UsageChanged } from '../../electron/shared/contract';
import type { Subkey, UsageEntry } from '../../electron/shared/types';
import { isProxyPath } from '../../electron/core/headless/headless-server';
import { describeListenError, isLoopbackHost, proxyUrl } from '../../electron/core/services/proxy-address';
import { mergeSubkeySettings } from '../../electron/core/services/subkeys';
import { redactKeys, upstreamErrorMessage } from '../../electron/core/services/upstream-client';
import { subkeyStatus } from '../../electron/core/store/subkeys-repo';
import { usageWindowStart } from '../../electron/core/store/usage-repo';

describe('subkeyStatus', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const base = { enabled: true, expiresAt: null, remainingRequests: null };
  it('is active when enabled, unexpired and not spent', () => {
    expect(subkeyStatus(base, now)).toBe('active');
    expect(subkeyStatus({ ...base, expiresAt: now + 1, remainingRequests: 1 }, now)).toBe('active');
  });
  it('is expired from the expiry instant on', () => {
    expect(subkeyStatus({ ...base, expiresAt: now }, now)).toBe('expired');
    expect(subkeyStatus({ ...base, expiresAt: now - 1 }, now)).toBe('expired');
  });
  it('is exhausted at zero remaining requests', () => {
    expect(subkeyStatus({ ...base, remainingRequests: 0 }, now)).toBe('exhausted');
  });
  it('ranks disabled over expired over exhausted', () => {
    expect(subkeyStatus({ enabled: false, expiresAt: now - 1, remainingRequests: 0 }, now)).toBe('disabled');
    expect(subkeyStatus({ enabled: true, expiresAt: now - 1, remainingRequests: 0 }, now)).toBe('expired');
  });
});

describe('mergeSubkeySettings', () => {
  const current = { name: 'a', expiresAt: 5, remainingRequests: 10, allowModels: ['gpt-*'], denyModels: [], budgets: [], enabled: true, permissions: unrestrictedPermissions() };
  it('keeps fields that were not given', () => {
    expect(mergeSubkeySettings(current, { id: 'x', name: 'b' })).toEqual({ ...current, name: 'b' });
  });
  it('treats null as "never" / "unlimited" and sets quota as an absolute value', () => {
    expect(mergeSubkeySettings(current, { id: 'x', expiresAt: null, remainingRequests: null })).toMatchObject({ expiresAt: null, remainingRequests: null });
    expect(mergeSubkeySettings(current, { id: 'x', remainingRequests: 3 }).remainingRequests).toBe(3);
    expect(mergeSubkeySettings(current, { id: 'x', expiresAt: '2031-01-01T00:00:00.000Z' }).expiresAt).toBe(Date.parse('2031-01-01T00:00:00Z'));
  });
});

describe('upstream error messages', () => {
  const key = 'sk-proj-SECRETsecretSECRET1234';
  it("takes the upstream's OpenAI-shaped message and removes the key and key-like tokens", () => {
    const body = JSON.stringify({ error: { message: `Incorrect API key provided: sk-proj-***********1234. Also ${key}.` } });
    const message = upstreamErrorMessage(body, key);
    expect(message).toContain('Incorrect API key provided');
    expect(message).not.toContain(key);
    expect(message).not.toContain('1234');
  });
  it('ignores HTML pages and truncates long text', () => {
    expect(upstreamErrorMessage('<html>bad gateway</html>', key)).toBe('');
    expect(upstreamErrorMessage('x'.repeat(1000), key).length).toBe(300);
  });
  it('redacts the exact key even when it has no sk- prefix', () => {
    expect(redactKeys('token abc123XYZ789 refused', 'abc123XYZ789')).toBe('token [redacted] refused');
  });
});

describe('proxy address helpers', () => {
  it('brackets IPv6 hosts in the URL', () => {
    expect(proxyUrl('127.0.0.1', 8080)).toBe('http://127.0.0.1:8080/v1');
    expect(proxyUrl('::1', 9000)).toBe('http://[::1]:9000/v1');
    expect(proxyUrl('[::1]', 9000)).toBe('http://[::1]:9000/v1');
    expect(proxyUrl('localhost', 1)).toBe('http://localhost:1/v1');
  });
  it('knows loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.com']) expect(isLoopbackHost(host)).toBe(false);
  });
  it('explains listen failures', () => {
    expect(describeListenError(Object.assign(new Error(), { code: 'EADDRINUSE' }), '127.0.0.1', 8080)).toBe(
      'Port 8080 is already in use. Choose another port or stop the program using it.',
    );
    expect(describeListenError(Object.assign(new Error(), { code: 'EACCES' }), '127.0.0.1', 80)).toMatch(/administrator/);
  });
});

describe('admin token', () => {
  it('is kg-admin- + 32 base62 and verifies only against its own hash', () => {
    const token = generateAdminToken();
    expect(token).toMatch(/^kg-admin-[0-9A-Za-z]{32}$/);
    const hash = hashAdminToken(token);
    expect(verifyAdminToken(token, hash)).toBe(true);
    expect(verifyAdminToken(`${token}x`, hash)).toBe(false);
    expect(verifyAdminToken(generateAdminToken(), hash)).toBe(false);
    expect(verifyAdminToken(null, hash)).toBe(false);
    expect(verifyAdminToken(token, null)).toBe(false);
  });
  it('reads a bearer token from the Authorization header', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});

describe('resolveUiFile', () => {
  it('maps paths below /admin/ into the UI folder', () => {
    expect(resolveUiFile('/ui', '')).toBe('/ui/index.html');
    expect(resolveUiFile('/ui', 'assets/index-1.js')).toBe('/ui/assets/index-1.js');
  });
  it('refuses anything that leaves the folder', () => {
    for (const path of ['../secret', '..%2f..%2fetc%2fpasswd', 'assets/../../x', '%2e%2e/x', 'a%00b', '..\\x', '%E0%A4%A']) {
      expect(resolveUiFile('/ui', path)).toBeNull();
    }
  });
});

describe('headless routing', () => {
  it('sends /v1 and only /v1 to the proxy', () => {
    for (const url of ['/v1', '/v1/models', '/v1?x=1']) expect(isProxyPath(url)).toBe(true);
    for (const url of ['/v10', '/admin/api/x', '/', '/v1x']) expect(isProxyPath(url)).toBe(false);
  });
});

describe('usage throttle', () => {
  afterEach(() => vi.useRealTimers());
  it('emits at most once per interval and names the sub-key only when one changed', () => {
    vi.useFakeTimers();
    const emitted: { subkeyId: string | null }[] = [];
    const throttle = createUsageThrottle((payload) => emitted.push(payload), 250);
    for (let i = 0; i < 100; i++) throttle.notify('a');
    vi.advanceTimersByTime(0);
    expect(emitted).toEqual([{ subkeyId: 'a' }]);
    throttle.notify('a');
    throttle.notify('b');
    vi.advanceTimersByTime(100);
    expect(emitted).toHaveLength(1);
    vi.advanceTimersByTime(200);
    expect(emitted).toEqual([{ subkeyId: 'a' }, { subkeyId: null }]);
    vi.advanceTimersByTime(1000);
    expect(emitted).toHaveLength(2);
  });
});

describe('usage throttle with payloads', () => {
  afterEach(() => vi.useRealTimers());
  const entry = (id: number) => ({ id }) as UsageEntry;
  it('carries the changed sub-keys read at push time and the rows of the window, newest first, named', () => {
    vi.useFakeTimers();
    const emitted: UsageChanged[] = [];
    const reads: string[][] = [];
    const throttle = createUsageThrottle((payload) => emitted.push(payload), 250, (ids) => {
      reads.push([...ids]);
      return ids.map((id) => ({ id, name: `name of ${id}` }) as Subkey);
    });
    const row = (id: number, subkeyId: string | null) => ({ id, subkeyId, subkeyName: null, subkeyDeleted: false }) as UsageEntry;
    throttle.notify('a');
    throttle.rows([row(1, 'a'), row(2, null)]);
    throttle.notify('b');
    throttle.rows([row(3, 'b')]);
    vi.advanceTimersByTime(0);
    expect(emitted).toEqual([
      {
        subkeyId: null,
        subkeys: [{ id: 'a', name: 'name of a' }, { id: 'b', name: 'name of b' }],
        entries: [{ ...row(3, 'b'), subkeyName: 'name of b' }, row(2, null), { ...row(1, 'a'), subkeyName: 'name of a' }],
      },
    ]);
    expect(reads).toEqual([['a', 'b']]);
    throttle.notify(null);
    vi.advanceTimersByTime(300);
    expect(emitted[1]).toEqual({ subkeyId: null, subkeys: [], entries: [] });
  });

  it('leaves out the rows, or the sub-keys, when the window saw more than a push carries', () => {
    vi.useFakeTimers();
    const emitted: UsageChanged[] = [];
    const throttle = createUsageThrottle((payload) => emitted.push(payload), 250, (ids) => ids.map((id) => ({ id }) as Subkey));
    for (let i = 0; i < PUSH_MAX_ENTRIES + 1; i++) {
      throttle.notify(`k${i}`);
      throttle.rows([entry(i)]);
    }
    vi.advanceTimersByTime(0);
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).toEqual({ subkeyId: null });
  });
});

describe('usageWindowStart', () => {
  it('starts at midnight UTC, days - 1 days back', () => {
    const now = Date.parse('2030-01-10T15:00:00Z');
    expect(new Date(usageWindowStart(now, 1)).toISOString()).toBe('2030-01-10T00:00:00.000Z');
    expect(new Date(usageWindowStart(now, 30)).toISOString()).toBe('2029-12-12T00:00:00.000Z');
  });
});

describe('hostHeaderNames', () => {
  it('names a specific non-loopback address as it appears in a Host header, and nothing for loopback or wildcards', async () => {
    const { hostHeaderNames } = await import('../../electron/core/app-core');
    expect(hostHeaderNames('192.168.1.5')).toEqual(['192.168.1.5']);
    expect(hostHeaderNames('fd00::2')).toEqual(['[fd00::2]']);
    expect(hostHeaderNames('[fd00::2]')).toEqual(['[fd00::2]']);
    expect(hostHeaderNames('keygate.lan')).toEqual(['keygate.lan']);
    for (const host of ['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::']) expect(hostHeaderNames(host)).toEqual([]);
  });
});
