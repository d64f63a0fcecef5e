import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { autostartEntry, createElectronLoginItem, createXdgLoginItem, startedAtLogin } from '../../electron/main/login-item';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('XDG autostart (Linux)', () => {
  it('writes an entry that starts this executable hidden, and removes it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'keygate-autostart-')), 'autostart');
    dirs.push(dir);
    const item = createXdgLoginItem(dir, '/home/ana/Apps/Keygate 0.1.0.AppImage');
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(true);
    expect(item.isEnabled()).toBe(true);
    const entry = readFileSync(join(dir, 'keygate.desktop'), 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain('Exec="/home/ana/Apps/Keygate 0.1.0.AppImage" --hidden');
    item.setEnabled(false);
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(false);
  });

  it('reports an entry left by a copy that has moved as off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keygate-autostart-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'keygate.desktop'), autostartEntry('/old/place/Keygate.AppImage'));
    expect(createXdgLoginItem(dir, '/new/place/Keygate.AppImage').isEnabled()).toBe(false);
  });

  it('escapes characters the Exec key treats specially', () => {
    expect(autostartEntry('/opt/a"b$c`d\\e')).toContain('Exec="/opt/a\\"b\\$c\\`d\\\\e" --hidden');
  });
});

describe('Electron login item (macOS, Windows)', () => {
  it('passes the hidden flag and reads the setting back', () => {
    let settings = { openAtLogin: false };
    const app = {
      getLoginItemSettings: vi.fn(() => ({ ...settings, wasOpenedAtLogin: false })),
      setLoginItemSettings: vi.fn((next: { openAtLogin: boolean }) => (settings = { openAtLogin: next.openAtLogin })),
    };
    const item = createElectronLoginItem(app as never);
    item.setEnabled(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, args: ['--hidden'] });
    expect(item.isEnabled()).toBe(true);
  });

  it('knows a launch at login from the flag, or from macOS', () => {
    const app = (wasOpenedAtLogin: boolean) => ({ getLoginItemSettings: () => ({ wasOpenedAtLogin }) }) as never;
    expect(startedAtLogin(['/opt/Keygate/keygate', '--hidden'], app(false), 'linux')).toBe(true);
    expect(startedAtLogin(['/opt/Keygate/keygate'], app(false), 'linux')).toBe(false);
    expect(startedAtLogin(['/Applications/Keygate.app/Contents/MacOS/Keygate'], app(true), 'darwin')).toBe(true);
    expect(startedAtLogin(['C:\\Keygate\\Keygate.exe'], app(true), 'win32')).toBe(false);
  });
});
