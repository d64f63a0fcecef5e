import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { ProxyStatus } from '../../electron/shared/types';
import { buildTrayModel, errorToAnnounce, storeErrorToAnnounce, toMenuTemplate, trayIconFile, type TrayItem, type TrayState } from '../../electron/main/tray-model';

const running: ProxyStatus = { running: true, url: 'http://127.0.0.1:8080/v1', host: '127.0.0.1', port: 8080, autoStart: true, timeZone: 'UTC', defaultOutputTokens: 4096, usageRetentionDays: 90, error: null, storeError: null };
const stopped: ProxyStatus = { ...running, running: false };
const portInUse: ProxyStatus = { ...stopped, error: 'Port 8080 is already in use' };
const storeFull: ProxyStatus = { ...running, storeError: 'SQLITE_FULL: database or disk is full' };

const state = (proxy: ProxyStatus | null, extra: Partial<TrayState> = {}): TrayState => ({
  proxy,
  busy: false,
  launchAtLogin: false,
  launchAtLoginSupported: true,
  ...extra,
});

const labels = (items: TrayItem[]) => items.map((item) => (item.kind === 'separator' ? '---' : item.label));
const action = (items: TrayItem[], name: string) => items.find((item) => item.kind !== 'status' && item.kind !== 'separator' && item.action === name);

describe('buildTrayModel', () => {
  it('running: the base URL in the status line, Stop proxy, Copy base URL enabled, running icon', () => {
    const model = buildTrayModel(state(running));
    expect(model.icon).toBe('running');
    expect(model.tooltip).toBe('Keygate — Running at http://127.0.0.1:8080/v1');
    expect(labels(model.items)).toEqual([
      'Running at http://127.0.0.1:8080/v1',
      '---',
      'Stop proxy',
      'Copy base URL',
      '---',
      'Open Keygate',
      'Launch at login',
      '---',
      'Quit Keygate',
    ]);
    expect(action(model.items, 'toggle-proxy')).toMatchObject({ enabled: true });
    expect(action(model.items, 'copy-url')).toMatchObject({ enabled: true });
  });

  it('stopped: Start proxy, nothing to copy, stopped icon', () => {
    const model = buildTrayModel(state(stopped));
    expect(model.icon).toBe('stopped');
    expect(model.items[0]).toEqual({ kind: 'status', label: 'Proxy stopped' });
    expect(action(model.items, 'toggle-proxy')).toMatchObject({ label: 'Start proxy', enabled: true });
    expect(action(model.items, 'copy-url')).toMatchObject({ enabled: false });
  });

  it('error: the error is the status line, Start proxy stays offered', () => {
    const model = buildTrayModel(state(portInUse));
    expect(model.icon).toBe('stopped');
    expect(model.items[0]).toEqual({ kind: 'status', label: 'Stopped: Port 8080 is already in use' });
    expect(model.tooltip).toContain('Port 8080 is already in use');
    expect(action(model.items, 'toggle-proxy')).toMatchObject({ label: 'Start proxy', enabled: true });
  });

  it('store cannot be written: says requests are refused and why, until it can; the icon is not the running one', () => {
    const model = buildTrayModel(state(storeFull));
    expect(model.items[0]).toEqual({ kind: 'status', label: 'Refusing requests: cannot write the store (SQLITE_FULL: database or disk is full)' });
    expect(model.tooltip).toBe('Keygate — Refusing requests: cannot write the store (SQLITE_FULL: database or disk is full)');
    expect(model.icon).toBe('stopped');
    expect(action(model.items, 'toggle-proxy')).toMatchObject({ label: 'Stop proxy', enabled: true });
    expect(buildTrayModel(state({ ...storeFull, storeError: null })).icon).toBe('running');
  });

  it('busy: the toggle says what is happening and cannot be clicked twice', () => {
    expect(action(buildTrayModel(state(stopped, { busy: true })).items, 'toggle-proxy')).toMatchObject({ label: 'Starting proxy…', enabled: false });
    expect(action(buildTrayModel(state(running, { busy: true })).items, 'toggle-proxy')).toMatchObject({ label: 'Stopping proxy…', enabled: false });
  });

  it('while the core opens: a starting line and no proxy toggle', () => {
    const model = buildTrayModel(state(null));
    expect(model.items[0]).toEqual({ kind: 'status', label: 'Keygate is starting…' });
    expect(action(model.items, 'toggle-proxy')).toMatchObject({ enabled: false });
    expect(model.icon).toBe('stopped');
  });

  it('launch at login is a checkbox showing the setting, hidden where unsupported', () => {
    expect(action(buildTrayModel(state(running, { launchAtLogin: true })).items, 'toggle-launch-at-login')).toEqual({
      kind: 'checkbox',
      action: 'toggle-launch-at-login',
      label: 'Launch at login',
      checked: true,
    });
    expect(action(buildTrayModel(state(running, { launchAtLoginSupported: false })).items, 'toggle-launch-at-login')).toBeUndefined();
  });
});

describe('toMenuTemplate', () => {
  it('makes the status line inert and routes each click to its action', () => {
    const onAction = vi.fn();
    const template = toMenuTemplate(buildTrayModel(state(running, { launchAtLogin: true })), onAction);
    expect(template[0]).toEqual({ label: 'Running at http://127.0.0.1:8080/v1', enabled: false });
    expect(template[1]).toEqual({ type: 'separator' });
    const click = (label: string) => (template.find((item) => item.label === label)!.click as () => void)();
    click('Stop proxy');
    click('Copy base URL');
    click('Open Keygate');
    click('Launch at login');
    click('Quit Keygate');
    expect(onAction.mock.calls.map(([name]) => name)).toEqual(['toggle-proxy', 'copy-url', 'open-window', 'toggle-launch-at-login', 'quit']);
    expect(template.find((item) => item.label === 'Launch at login')).toMatchObject({ type: 'checkbox', checked: true });
  });
});

describe('errorToAnnounce', () => {
  it('announces a new start error once', () => {
    expect(errorToAnnounce(stopped, portInUse)).toBe('Port 8080 is already in use');
    expect(errorToAnnounce(null, portInUse)).toBe('Port 8080 is already in use');
    expect(errorToAnnounce(portInUse, portInUse)).toBeNull();
    expect(errorToAnnounce(portInUse, { ...portInUse, error: 'Port 9090 is already in use' })).toBe('Port 9090 is already in use');
  });

  it('stays quiet without an error', () => {
    expect(errorToAnnounce(stopped, running)).toBeNull();
    expect(errorToAnnounce(portInUse, running)).toBeNull();
    expect(errorToAnnounce(running, stopped)).toBeNull();
  });
});

describe('storeErrorToAnnounce', () => {
  it('announces a store failure when writes start failing, once', () => {
    expect(storeErrorToAnnounce(running, storeFull)).toBe('SQLITE_FULL: database or disk is full');
    expect(storeErrorToAnnounce(null, storeFull)).toBe('SQLITE_FULL: database or disk is full');
    expect(storeErrorToAnnounce(storeFull, { ...storeFull, running: false })).toBeNull();
    expect(storeErrorToAnnounce(storeFull, running)).toBeNull();
    expect(storeErrorToAnnounce(running, stopped)).toBeNull();
  });
});

describe('tray icons', () => {
  const trayDir = resolve(import.meta.dirname, '../../resources/tray');

  it('uses template images on macOS and coloured ones elsewhere', () => {
    expect(trayIconFile('running', 'darwin')).toBe('runningTemplate.png');
    expect(trayIconFile('stopped', 'linux')).toBe('stopped.png');
    expect(trayIconFile('stopped', 'win32')).toBe('stopped.png');
  });

  it('ships every icon the tray can ask for, with its @2x variant', () => {
    for (const icon of ['running', 'stopped'] as const) {
      for (const platform of ['darwin', 'linux', 'win32'] as const) {
        const file = trayIconFile(icon, platform);
        expect(existsSync(join(trayDir, file)), file).toBe(true);
        expect(existsSync(join(trayDir, file.replace('.png', '@2x.png'))), file).toBe(true);
      }
    }
  });
});
