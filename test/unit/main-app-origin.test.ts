import { describe, expect, it } from 'vitest';
import { allowedExternalUrl, APP_ENTRY_URL, decideNavigation, decideWindowOpen, isAppOrigin } from '../../electron/main/app-origin';

const DEV = 'http://localhost:5173/';

describe('isAppOrigin', () => {
  it('accepts the app:// entry and any path of it', () => {
    expect(isAppOrigin(APP_ENTRY_URL)).toBe(true);
    expect(isAppOrigin('app://keygate/assets/index-abc.js')).toBe(true);
    expect(isAppOrigin('app://keygate/index.html#/subkeys')).toBe(true);
  });

  it('refuses look-alikes of the app origin', () => {
    for (const url of [
      'app://evil/index.html',
      'app://keygate.evil.com/index.html',
      'app://user:pass@keygate/index.html',
      'apps://keygate/index.html',
      'file:///index.html',
      'http://keygate/index.html',
      'https://keygate.app/',
      'not a url',
      '',
    ]) {
      expect(isAppOrigin(url), url).toBe(false);
    }
  });

  it('accepts the dev server origin only when one is given', () => {
    expect(isAppOrigin('http://localhost:5173/index.html')).toBe(false);
    expect(isAppOrigin('http://localhost:5173/index.html', DEV)).toBe(true);
    expect(isAppOrigin('http://localhost:5174/index.html', DEV)).toBe(false);
    expect(isAppOrigin('https://localhost:5173/', DEV)).toBe(false);
    expect(isAppOrigin('http://127.0.0.1:5173/', DEV)).toBe(false);
  });
});

describe('decideWindowOpen', () => {
  it('never lets the app open a window of its own', () => {
    expect(decideWindowOpen(APP_ENTRY_URL)).toEqual({ allow: false, openExternal: null });
  });

  it('sends allow-listed https links to the browser', () => {
    expect(decideWindowOpen('https://platform.openai.com/api-keys')).toEqual({
      allow: false,
      openExternal: 'https://platform.openai.com/api-keys',
    });
    expect(decideWindowOpen('https://openrouter.ai/keys').openExternal).toBe('https://openrouter.ai/keys');
  });

  it('drops everything else: http, other hosts, subdomain tricks, credentials, ports, other schemes', () => {
    for (const url of [
      'http://platform.openai.com/api-keys',
      'https://evil.example/',
      'https://platform.openai.com.evil.example/',
      'https://evilplatform.openai.com/',
      'https://user@platform.openai.com/',
      'https://platform.openai.com:8443/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
    ]) {
      expect(decideWindowOpen(url), url).toEqual({ allow: false, openExternal: null });
    }
  });

  it('normalises what it hands to the OS', () => {
    expect(allowedExternalUrl('https://GitHub.com/a b')).toBe('https://github.com/a%20b');
  });
});

describe('decideNavigation', () => {
  it('lets the window move within the app', () => {
    expect(decideNavigation('app://keygate/index.html#/usage')).toEqual({ allow: true, openExternal: null });
    expect(decideNavigation('http://localhost:5173/', DEV)).toEqual({ allow: true, openExternal: null });
  });

  it('refuses leaving the app, opening allow-listed links in the browser instead', () => {
    expect(decideNavigation('https://platform.openai.com/docs')).toEqual({ allow: false, openExternal: 'https://platform.openai.com/docs' });
    expect(decideNavigation('https://evil.example/phish')).toEqual({ allow: false, openExternal: null });
    expect(decideNavigation('http://localhost:5173/')).toEqual({ allow: false, openExternal: null });
  });
});
