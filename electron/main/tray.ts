import { join } from 'node:path';
import { Menu, nativeImage, Tray } from 'electron';
import { buildTrayModel, toMenuTemplate, trayIconFile, type TrayAction, type TrayIcon, type TrayState } from './tray-model';

/**
 * The tray icon and its menu, rebuilt from `TrayState` on every change (proxy started or stopped from the
 * window, the tray or the admin API, a start error, the login-item setting). All decisions live in tray-model.ts.
 */
export class KeygateTray {
  private readonly tray: Tray;
  private icon: TrayIcon | null = null;

  constructor(
    private readonly trayIconsDir: string,
    private readonly onAction: (action: TrayAction) => void,
    initial: TrayState,
  ) {
    this.tray = new Tray(this.image('stopped'));
    this.icon = 'stopped';
    // Windows and Linux users expect a left click to open the app; macOS shows the menu on click.
    if (process.platform !== 'darwin') this.tray.on('click', () => this.onAction('open-window'));
    this.update(initial);
  }

  update(state: TrayState): void {
    const model = buildTrayModel(state);
    if (model.icon !== this.icon) {
      this.tray.setImage(this.image(model.icon));
      this.icon = model.icon;
    }
    this.tray.setToolTip(model.tooltip);
    this.tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(model, this.onAction)));
  }

  destroy(): void {
    this.tray.destroy();
  }

  private image(icon: TrayIcon) {
    // createFromPath picks up the @2x file next to it; a *Template name makes macOS tint it for the menu bar.
    return nativeImage.createFromPath(join(this.trayIconsDir, trayIconFile(icon, process.platform)));
  }
}
