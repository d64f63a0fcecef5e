import { join } from 'node:path';
import { app, BrowserWindow } from 'electron';

// Placeholder entry: the desktop shell issue replaces this with the real lifecycle.
app.whenReady().then(() => {
  const window = new BrowserWindow({
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
    },
  });
  void window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
});
