import { contextBridge } from 'electron';

// Placeholder bridge: the desktop shell issue exposes one method per contract channel here.
contextBridge.exposeInMainWorld('keygate', {});
