import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// Custom folders (electron/main, electron/preload, renderer/) instead of electron-vite's src/ defaults.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve('electron/main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload must be CommonJS: Electron loads an ESM preload only with sandbox: false.
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    // Relative asset URLs let the same build load from the app:// protocol and from /admin/ on the headless server.
    base: './',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves the renderer unminified; the headless server sends it over HTTP too.
      minify: true,
      rollupOptions: { input: resolve('renderer/index.html') },
    },
  },
});
