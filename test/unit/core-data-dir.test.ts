import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../electron/core/data-dir';

describe('defaultDataDir', () => {
  it('follows XDG_CONFIG_HOME on Linux, else ~/.config', () => {
    expect(defaultDataDir({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', home: '/home/ada' })).toBe('/xdg/Keygate');
    expect(defaultDataDir({ env: {}, platform: 'linux', home: '/home/ada' })).toBe('/home/ada/.config/Keygate');
    // A relative XDG_CONFIG_HOME is invalid per the spec (and Electron ignores it too).
    expect(defaultDataDir({ env: { XDG_CONFIG_HOME: 'rel' }, platform: 'linux', home: '/home/ada' })).toBe('/home/ada/.config/Keygate');
  });

  it('uses Application Support on macOS', () => {
    expect(defaultDataDir({ env: {}, platform: 'darwin', home: '/Users/ada' })).toBe('/Users/ada/Library/Application Support/Keygate');
  });

  it('uses %APPDATA% on Windows', () => {
    expect(defaultDataDir({ env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\ada' })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\Keygate',
    );
    expect(defaultDataDir({ env: {}, platform: 'win32', home: 'C:\\Users\\ada' })).toBe('C:\\Users\\ada\\AppData\\Roaming\\Keygate');
  });

  it('lets KEYGATE_DATA_DIR override every platform default', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(defaultDataDir({ env: { KEYGATE_DATA_DIR: '/srv/keygate', APPDATA: 'x' }, platform, home: '/h' })).toBe('/srv/keygate');
    }
  });
});
