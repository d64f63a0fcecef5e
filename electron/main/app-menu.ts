import type { MenuItemConstructorOptions } from 'electron';

/**
 * The application menu. Electron's default one links to electronjs.org and offers Reload and DevTools; Keygate
 * replaces it: macOS gets the standard app, Edit (the copy/paste shortcuts in text fields come from its roles)
 * and Window menus; Windows and Linux get no menu bar. Development runs add the View menu (reload, DevTools).
 */
export function applicationMenuTemplate(platform: NodeJS.Platform, isPackaged: boolean): MenuItemConstructorOptions[] | null {
  const view: MenuItemConstructorOptions[] = isPackaged ? [] : [{ role: 'viewMenu' }];
  if (platform === 'darwin') return [{ role: 'appMenu' }, { role: 'editMenu' }, ...view, { role: 'windowMenu' }];
  return isPackaged ? null : [{ role: 'editMenu' }, ...view];
}
