import type { SubkeyStatus } from '../../../electron/shared/types';
import type { SliceCreator } from './store-types';

export type Page = 'upstreams' | 'models' | 'subkeys' | 'usage' | 'proxy';
export const pages: Page[] = ['subkeys', 'upstreams', 'models', 'usage', 'proxy'];

/** The one dialog open at a time. Secrets are never part of it: the dialog that shows one holds it locally. */
export type Modal =
  | { kind: 'none' }
  | { kind: 'upstream-add' }
  | { kind: 'upstream-edit'; upstreamId: string }
  | { kind: 'upstream-remove'; upstreamId: string }
  | { kind: 'subkey-issue' }
  | { kind: 'subkey-edit'; subkeyId: string }
  | { kind: 'subkey-rotate'; subkeyId: string }
  | { kind: 'subkey-remove'; subkeyId: string };

export type SubkeySort = 'name' | 'created' | 'expiry' | 'remaining' | 'lastUsed';

export interface SubkeyFilter {
  text: string;
  status: SubkeyStatus | 'all';
  upstreamId: string | null;
}

export interface UiSlice {
  page: Page;
  modal: Modal;
  subkeyFilter: SubkeyFilter;
  subkeySort: SubkeySort;
  setPage: (page: Page) => void;
  openModal: (modal: Modal) => void;
  closeModal: () => void;
  setSubkeyFilter: (filter: Partial<SubkeyFilter>) => void;
  setSubkeySort: (sort: SubkeySort) => void;
}

/** What the window shows: the page, the open dialog, list filters. */
export const createUiSlice: SliceCreator<UiSlice> = () => (set) => ({
  page: 'subkeys',
  modal: { kind: 'none' },
  subkeyFilter: { text: '', status: 'all', upstreamId: null },
  subkeySort: 'created',
  setPage: (page) => set({ page }),
  openModal: (modal) => set({ modal }),
  closeModal: () => set({ modal: { kind: 'none' } }),
  setSubkeyFilter: (filter) => set((state) => ({ subkeyFilter: { ...state.subkeyFilter, ...filter } })),
  setSubkeySort: (subkeySort) => set({ subkeySort }),
});
