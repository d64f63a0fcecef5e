import type { MenuItemConstructorOptions } from 'electron';
import type { ProxyStatus } from '../shared/types';

/** What the tray shows, from the proxy's state and the login-item setting. */
export interface TrayState {
  /** null while the core is still opening. */
  proxy: ProxyStatus | null;
  /** A start or stop is in progress (the toggle is disabled meanwhile). */
  busy: boolean;
  launchAtLogin: boolean;
  /** Launch at login is not offered where the OS has no such setting for this build (e.g. an AppImage on some desktops). */
  launchAtLoginSupported: boolean;
}

export type TrayAction = 'toggle-proxy' | 'copy-url' | 'open-window' | 'toggle-launch-at-login' | 'quit';

export type TrayItem =
  | { kind: 'status'; label: string }
  | { kind: 'separator' }
  | { kind: 'action'; action: TrayAction; label: string; enabled: boolean }
  | { kind: 'checkbox'; action: TrayAction; label: string; checked: boolean };

export type TrayIcon = 'running' | 'stopped';

export interface TrayModel {
  icon: TrayIcon;
  tooltip: string;
  items: TrayItem[];
}

function statusLine(state: TrayState): string {
  const { proxy } = state;
  if (!proxy) return 'Keygate is starting…';
  if (proxy.storeError) return `Refusing requests: cannot write the store (${proxy.storeError})`;
  if (proxy.running) return `Running at ${proxy.url}`;
  if (proxy.error) return `Stopped: ${proxy.error}`;
  return 'Proxy stopped';
}

function toggleLabel(state: TrayState): string {
  const running = state.proxy?.running ?? false;
  if (state.busy) return running ? 'Stopping proxy…' : 'Starting proxy…';
  return running ? 'Stop proxy' : 'Start proxy';
}

/** The tray's icon, tooltip and menu as data: one status line, the proxy toggle, then app-level items. */
export function buildTrayModel(state: TrayState): TrayModel {
  const running = state.proxy?.running ?? false;
  const status = statusLine(state);
  const items: TrayItem[] = [
    { kind: 'status', label: status },
    { kind: 'separator' },
    { kind: 'action', action: 'toggle-proxy', label: toggleLabel(state), enabled: state.proxy !== null && !state.busy },
    { kind: 'action', action: 'copy-url', label: 'Copy base URL', enabled: running },
    { kind: 'separator' },
    { kind: 'action', action: 'open-window', label: 'Open Keygate', enabled: true },
  ];
  if (state.launchAtLoginSupported) {
    items.push({ kind: 'checkbox', action: 'toggle-launch-at-login', label: 'Launch at login', checked: state.launchAtLogin });
  }
  items.push({ kind: 'separator' }, { kind: 'action', action: 'quit', label: 'Quit Keygate', enabled: true });
  // Refusing every request is not serving: the icon says so too.
  const serving = running && !state.proxy?.storeError;
  return { icon: serving ? 'running' : 'stopped', tooltip: `Keygate — ${status}`, items };
}

/**
 * The start error to announce with a notification: a new error (not the one already shown), so a failed start
 * notifies once and a later status change without a new error stays quiet.
 */
export function errorToAnnounce(previous: ProxyStatus | null, next: ProxyStatus): string | null {
  if (!next.error || next.running) return null;
  return previous?.error === next.error && !previous.running ? null : next.error;
}

/** The store failure to announce with a notification: only when writes start failing, not again while they still fail. */
export function storeErrorToAnnounce(previous: ProxyStatus | null, next: ProxyStatus): string | null {
  if (!next.storeError) return null;
  return previous?.storeError ? null : next.storeError;
}

/** The icon file for a state: macOS menu bars want monochrome template images, others the coloured badge. */
export function trayIconFile(icon: TrayIcon, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? `${icon}Template.png` : `${icon}.png`;
}

/** The model as Electron menu items; each clickable item calls `onAction` with its action. */
export function toMenuTemplate(model: TrayModel, onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return model.items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'status':
        return { label: item.label, enabled: false };
      case 'separator':
        return { type: 'separator' };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => onAction(item.action) };
      case 'checkbox':
        return { label: item.label, type: 'checkbox', checked: item.checked, click: () => onAction(item.action) };
    }
  });
}
