import type { ChannelInput } from '../../../electron/shared/contract';
import type { AppInfo, ProxyStatus } from '../../../electron/shared/types';
import type { SliceCreator } from './store-types';

export interface ProxySlice {
  proxy: ProxyStatus | null;
  appInfo: AppInfo | null;
  /** A start/stop/configure in flight. */
  proxyBusy: boolean;
  refreshProxy: () => Promise<void>;
  refreshAppInfo: () => Promise<void>;
  /** From a push event: main tells the window the proxy's new state. */
  receiveProxyStatus: (status: ProxyStatus) => void;
  setProxyRunning: (running: boolean) => Promise<ProxyStatus>;
  configureProxy: (input: ChannelInput<'proxy:configure'>) => Promise<ProxyStatus>;
}

/** The local proxy's state and settings, and what the app says about itself (mode, keychain strength). */
export const createProxySlice: SliceCreator<ProxySlice> = (api) => (set) => {
  async function busy(call: () => Promise<ProxyStatus>): Promise<ProxyStatus> {
    set({ proxyBusy: true });
    try {
      const proxy = await call();
      set({ proxy });
      return proxy;
    } catch (error) {
      // A failed start (port in use) is recorded on the status: show it in place.
      set({ proxy: await api['proxy:status']({}).catch(() => null) });
      throw error;
    } finally {
      set({ proxyBusy: false });
    }
  }
  return {
    proxy: null,
    appInfo: null,
    proxyBusy: false,
    async refreshProxy() {
      set({ proxy: await api['proxy:status']({}) });
    },
    async refreshAppInfo() {
      set({ appInfo: await api['app:info']({}) });
    },
    receiveProxyStatus(proxy) {
      set({ proxy });
    },
    setProxyRunning(running) {
      return busy(() => (running ? api['proxy:start']({}) : api['proxy:stop']({})));
    },
    configureProxy(input) {
      return busy(() => api['proxy:configure'](input));
    },
  };
};
