import { createContext, useContext } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import type { KeygateApi } from '../../../electron/shared/contract';
import type { KeygateClient } from '../api/client';
import { createAlertsSlice } from './alerts-slice';
import { coalesced } from './coalesce';
import { createModelsSlice } from './models-slice';
import { createProxySlice } from './proxy-slice';
import type { KeygateState } from './store-types';
import { createSubkeysSlice } from './subkeys-slice';
import { createSubkeyUsageSlice } from './subkey-usage-slice';
import { createUiSlice } from './ui-slice';
import { createUpstreamsSlice } from './upstreams-slice';
import type { Page } from './ui-slice';
import { createUsageSlice } from './usage-slice';

export type KeygateStore = StoreApi<KeygateState>;

/** Builds the one store from its slices, bound to an API (the real client, or a fake in tests). */
export function createKeygateStore(api: KeygateApi): KeygateStore {
  return createStore<KeygateState>()((...args) => ({
    ...createUpstreamsSlice(api)(...args),
    ...createModelsSlice(api)(...args),
    ...createSubkeysSlice(api)(...args),
    ...createUsageSlice(api)(...args),
    ...createProxySlice(api)(...args),
    ...createUiSlice(api)(...args),
    ...createSubkeyUsageSlice(api)(...args),
    ...createAlertsSlice(api)(...args),
  }));
}

/** Loads everything the screens show (and the bell lists); upstreams first, since models are listed per upstream. */
export async function loadAll(store: KeygateStore): Promise<void> {
  const state = store.getState();
  await Promise.all([
    state.refreshUpstreams().then(() => store.getState().refreshAllModels()),
    state.loadAlerts(),
    state.refreshSubkeys(),
    state.refreshUsage(),
    state.refreshProxy(),
    state.refreshAppInfo(),
  ]);
}

/**
 * Re-reads what a screen shows. Push events cover the proxy's changes; this covers changes made elsewhere
 * (another admin tab, the tray), on opening a screen and when the window regains focus.
 */
export async function refreshPage(store: KeygateStore, page: Page): Promise<void> {
  const state = store.getState();
  const upstreamsAndModels = () => state.refreshUpstreams().then(() => store.getState().refreshAllModels());
  const subkeyPage = () => (state.subkeyPageId ? state.refreshSubkeyUsage(state.subkeyPageId) : Promise.resolve());
  const refreshers: Record<Page, () => Promise<unknown>> = {
    subkeys: () => Promise.all([state.refreshSubkeys(), upstreamsAndModels(), subkeyPage()]),
    upstreams: () => Promise.all([upstreamsAndModels(), state.refreshAppInfo()]),
    models: upstreamsAndModels,
    usage: () => Promise.all([state.refreshUsage(), state.refreshSubkeys()]),
    proxy: () => Promise.all([state.refreshProxy(), state.refreshAppInfo()]),
  };
  await refreshers[page]();
}

/**
 * Keeps the cache fresh from main's push events; returns the unsubscribe. A `usage:changed` push is patched in
 * (the sub-keys and rows it carries); what it cannot patch is re-read, each view at most once a second.
 */
export function followPushEvents(store: KeygateStore, client: Pick<KeygateClient, 'on'>): () => void {
  const readSubkeys = coalesced(() => store.getState().refreshSubkeys());
  const readUsage = coalesced(() => store.getState().refreshUsage());
  const readTotals = coalesced(() => store.getState().refreshUsageTotals());
  const readSubkeyPage = coalesced(() => {
    const open = store.getState().subkeyPageId;
    return open ? store.getState().refreshSubkeyUsage(open) : Promise.resolve();
  });
  const offProxy = client.on('proxy:changed', (status) => store.getState().receiveProxyStatus(status));
  const offUsage = client.on('usage:changed', (change) => {
    const state = store.getState();
    if (!change.subkeys || !state.patchSubkeys(change.subkeys)) readSubkeys();
    if (change.entries) {
      state.patchUsage(change.entries);
      readTotals();
    } else readUsage();
    // A key's open page follows its own requests (a change naming no key may be any key's).
    if (state.subkeyPageId && (change.subkeyId === null || change.subkeyId === state.subkeyPageId)) readSubkeyPage();
  });
  const offAlerts = client.on('budget:threshold', (alert) => store.getState().receiveAlert(alert));
  return () => {
    offAlerts();
    offProxy();
    offUsage();
    readSubkeys.cancel();
    readUsage.cancel();
    readTotals.cancel();
    readSubkeyPage.cancel();
  };
}

export const StoreContext = createContext<KeygateStore | null>(null);

/** Selects from the store the nearest provider holds. */
export function useKeygate<T>(selector: (state: KeygateState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useKeygate needs a StoreContext provider');
  return useStore(store, selector);
}

/** The store itself, for actions called from event handlers. */
export function useKeygateStore(): KeygateStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useKeygateStore needs a StoreContext provider');
  return store;
}
