import type { StateCreator } from 'zustand';
import type { KeygateApi } from '../../../electron/shared/contract';
import type { AlertsSlice } from './alerts-slice';
import type { ModelsSlice } from './models-slice';
import type { ProxySlice } from './proxy-slice';
import type { SubkeysSlice } from './subkeys-slice';
import type { SubkeyUsageSlice } from './subkey-usage-slice';
import type { UiSlice } from './ui-slice';
import type { UpstreamsSlice } from './upstreams-slice';
import type { UsageSlice } from './usage-slice';

/** The whole store: a cache of what main holds, plus the window's own UI state. Never a secret. */
export type KeygateState = UpstreamsSlice & ModelsSlice & SubkeysSlice & UsageSlice & ProxySlice & UiSlice & SubkeyUsageSlice & AlertsSlice;

/** A slice creator that can read the whole store and call the API. */
export type SliceCreator<Slice> = (api: KeygateApi) => StateCreator<KeygateState, [], [], Slice>;
