import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'electron';

/** "Launch at login", whatever the platform does to provide it. */
export interface LoginItem {
  readonly supported: boolean;
  isEnabled(): boolean;
  setEnabled(enabled: boolean): void;
}

/**
 * Where "Launch at login" is not offered: a development run (`npm start`), whose executable is the bare
 * Electron binary, which would start without Keygate.
 */
export const noLoginItem: LoginItem = { supported: false, isEnabled: () => false, setEnabled: () => {} };

/** Started at login, Keygate opens to the tray without showing its window. */
export const START_HIDDEN_FLAG = '--hidden';

/** macOS and Windows: Electron's own login-item settings (Windows passes the flag; macOS reports `wasOpenedAtLogin`). */
export function createElectronLoginItem(app: Pick<App, 'getLoginItemSettings' | 'setLoginItemSettings'>): LoginItem {
  const args = [START_HIDDEN_FLAG];
  return {
    supported: true,
    isEnabled: () => app.getLoginItemSettings({ args }).openAtLogin,
    setEnabled: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, args }),
  };
}

/** Whether this launch came from the login item (then the window stays hidden until asked for). */
export function startedAtLogin(argv: readonly string[], app: Pick<App, 'getLoginItemSettings'>, platform: NodeJS.Platform): boolean {
  if (argv.includes(START_HIDDEN_FLAG)) return true;
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
}

export const AUTOSTART_FILE = 'keygate.desktop';

/** The `Exec=` line for `command`, quoted as the Desktop Entry spec asks (paths may contain spaces). */
export function autostartExecLine(command: string): string {
  return `Exec="${command.replace(/(["`$\\])/g, '\\$1')}" ${START_HIDDEN_FLAG}`;
}

/** The XDG autostart entry that starts `command` when the user logs in. */
export function autostartEntry(command: string): string {
  return ['[Desktop Entry]', 'Type=Application', 'Name=Keygate', 'Comment=Sub-keys for your OpenAI API key', autostartExecLine(command), 'Terminal=false', 'X-GNOME-Autostart-enabled=true', ''].join('\n');
}

/**
 * Linux: Electron has no login-item API there, so write or remove an XDG autostart entry in `autostartDir`
 * (`~/.config/autostart`). `command` is the AppImage path (`$APPIMAGE`) or the installed executable.
 */
export function createXdgLoginItem(autostartDir: string, command: string): LoginItem {
  const file = join(autostartDir, AUTOSTART_FILE);
  return {
    supported: true,
    isEnabled() {
      try {
        // An entry left by a copy of Keygate that has since moved does not start this one: report it as off.
        return readFileSync(file, 'utf8').split('\n').includes(autostartExecLine(command));
      } catch {
        return false;
      }
    },
    setEnabled(enabled) {
      if (!enabled) {
        rmSync(file, { force: true });
        return;
      }
      mkdirSync(autostartDir, { recursive: true });
      writeFileSync(file, autostartEntry(command), { mode: 0o644 });
    },
  };
}
