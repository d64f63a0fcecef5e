import { resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appResponseHeaders, CONTENT_SECURITY_POLICY, resolveAppFile } from '../../electron/main/app-files';

const root = resolve('/opt/keygate/out/renderer');

describe('resolveAppFile', () => {
  it('serves index.html for the root and files by their path, with their type', () => {
    expect(resolveAppFile(root, 'app://keygate/')).toEqual({ ok: true, file: `${root}${sep}index.html`, contentType: 'text/html; charset=utf-8' });
    expect(resolveAppFile(root, 'app://keygate')).toMatchObject({ ok: true, file: `${root}${sep}index.html` });
    expect(resolveAppFile(root, 'app://keygate/assets/index-4f2a.js?v=1#x')).toEqual({
      ok: true,
      file: resolve(root, 'assets/index-4f2a.js'),
      contentType: 'text/javascript; charset=utf-8',
    });
    expect(resolveAppFile(root, 'app://keygate/assets/font%20file.woff2')).toMatchObject({ ok: true, file: resolve(root, 'assets/font file.woff2'), contentType: 'font/woff2' });
  });

  it('serves unknown extensions as opaque bytes', () => {
    expect(resolveAppFile(root, 'app://keygate/data.bin')).toMatchObject({ ok: true, contentType: 'application/octet-stream' });
  });

  it('never resolves outside the renderer folder', () => {
    for (const url of [
      'app://keygate/../../../etc/passwd',
      'app://keygate/%2e%2e/%2e%2e/etc/passwd',
      'app://keygate/assets/..%2f..%2f..%2fetc%2fpasswd',
      'app://keygate/..%5c..%5cwindows%5cwin.ini',
      'app://keygate//etc/passwd',
      'app://keygate/%2fetc%2fpasswd',
    ]) {
      const result = resolveAppFile(root, url);
      if (result.ok) expect(result.file.startsWith(root + sep), `${url} → ${result.file}`).toBe(true);
      else expect([403, 404]).toContain(result.status);
    }
    expect(resolveAppFile(root, 'app://keygate/assets/..%2f..%2f..%2fetc%2fpasswd')).toEqual({ ok: false, status: 403 });
  });

  it('refuses other hosts, malformed escapes, NUL bytes and writes', () => {
    expect(resolveAppFile(root, 'app://other/index.html')).toEqual({ ok: false, status: 404 });
    expect(resolveAppFile(root, 'https://keygate/index.html')).toEqual({ ok: false, status: 404 });
    expect(resolveAppFile(root, 'app://keygate/%E0%A4%A')).toEqual({ ok: false, status: 400 });
    expect(resolveAppFile(root, 'app://keygate/index.html%00.png')).toEqual({ ok: false, status: 400 });
    expect(resolveAppFile(root, 'app://keygate/index.html', 'POST')).toEqual({ ok: false, status: 405 });
    expect(resolveAppFile(root, 'app://keygate/index.html', 'HEAD')).toMatchObject({ ok: true });
  });
});

describe('the renderer CSP', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((part) => [part.split(' ')[0]!, part.split(' ').slice(1)]));

  it('runs only the app\'s own scripts: no inline, no eval, no remote', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
  });

  it('forbids plugins, framing, forms and base-URL changes', () => {
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
  });

  it('is sent with every file, with nosniff', () => {
    expect(appResponseHeaders('text/css; charset=utf-8')).toEqual({
      'content-type': 'text/css; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
  });
});
