import { join } from 'node:path';

export interface ResourceLocation {
  isPackaged: boolean;
  /** `process.resourcesPath`: where electron-builder's `extraResources` land in an installed app. */
  resourcesPath: string;
  /** `app.getAppPath()`: the project folder when run with `npm start`. */
  appPath: string;
}

/**
 * Where the icons are: `resources/` in the project, or the installed app's resources folder, where the
 * `extraResources` entries of package.json's `build` copy `tray/` and `icon.png` (outside the asar archive).
 */
export function resourcesDir({ isPackaged, resourcesPath, appPath }: ResourceLocation): string {
  return isPackaged ? resourcesPath : join(appPath, 'resources');
}

/** The tray icons folder and the window icon, from `resourcesDir`. */
export function iconPaths(location: ResourceLocation): { trayDir: string; windowIcon: string } {
  const dir = resourcesDir(location);
  return { trayDir: join(dir, 'tray'), windowIcon: join(dir, 'icon.png') };
}
