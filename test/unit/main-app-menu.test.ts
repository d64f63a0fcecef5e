import { describe, expect, it } from 'vitest';
import { applicationMenuTemplate } from '../../electron/main/app-menu';

const roles = (template: ReturnType<typeof applicationMenuTemplate>) => template?.map((item) => item.role) ?? null;

describe('applicationMenuTemplate', () => {
  it('macOS: app, Edit (copy/paste shortcuts in fields) and Window menus; no Electron links, no DevTools', () => {
    expect(roles(applicationMenuTemplate('darwin', true))).toEqual(['appMenu', 'editMenu', 'windowMenu']);
  });

  it('Windows and Linux: no menu bar in an installed build', () => {
    expect(applicationMenuTemplate('win32', true)).toBeNull();
    expect(applicationMenuTemplate('linux', true)).toBeNull();
  });

  it('development runs add the View menu (reload, DevTools)', () => {
    expect(roles(applicationMenuTemplate('darwin', false))).toEqual(['appMenu', 'editMenu', 'viewMenu', 'windowMenu']);
    expect(roles(applicationMenuTemplate('linux', false))).toEqual(['editMenu', 'viewMenu']);
  });
});
