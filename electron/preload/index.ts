import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createBridge } from './bridge';

// The sandboxed bridge: CommonJS, bundling nothing but the channel names (no zod, no Node modules).
contextBridge.exposeInMainWorld(
  'keygate',
  createBridge(
    (channel, input) => ipcRenderer.invoke(channel, input),
    (ipcChannel, listener) => {
      // Wrapped so the page never receives the IpcRendererEvent (it carries `sender`, a handle to ipcRenderer).
      const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipcRenderer.on(ipcChannel, wrapped);
      return () => {
        ipcRenderer.removeListener(ipcChannel, wrapped);
      };
    },
  ),
);
