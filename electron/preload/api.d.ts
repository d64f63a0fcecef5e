import type { KeygateBridge } from '../shared/contract';

declare global {
  interface Window {
    /** The desktop app's bridge (electron/preload); absent when the UI runs in a browser against the admin API. */
    readonly keygate?: KeygateBridge;
  }
}

export {};
