import type { SubkeyStatus } from '../../../electron/shared/types';
import { naturalDirection } from '../lib/subkey-list';
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

export type SubkeySort = 'name' | 'created' | 'expiry' | 'remaining' | 'lastUsed' | 'upstream' | 'status';

/** As ARIA names it (`aria-sort`). */
export type SortDirection = 'ascending' | 'descending';

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
  /** The list's order; null = the sort's natural direction (newest first, A to Z, …). */
  subkeySortDirection: SortDirection | null;
  /** The sub-key whose own page is open over the list; null = the list. */
  subkeyPageId: string | null;
  setPage: (page: Page) => void;
  openModal: (modal: Modal) => void;
  closeModal: () => void;
  setSubkeyFilter: (filter: Partial<SubkeyFilter>) => void;
  setSubkeySort: (sort: SubkeySort) => void;
  /** A column header's click: sorts by it, or reverses the order when it already does. */
  toggleSubkeySort: (sort: SubkeySort) => void;
  openSubkeyPage: (subkeyId: string) => void;
  closeSubkeyPage: () => void;
}

/** What the window shows: the page (and a sub-key's own page), the open dialog, list filters and order. */
export const createUiSlice: SliceCreator<UiSlice> = () => (set) => ({
  page: 'subkeys',
  modal: { kind: 'none' },
  subkeyFilter: { text: '', status: 'all', upstreamId: null },
  subkeySort: 'created',
  subkeySortDirection: null,
  subkeyPageId: null,
  // Choosing a screen (sidebar, 1–5) shows its top level: a sub-key's page closes.
  setPage: (page) => set({ page, subkeyPageId: null }),
  openModal: (modal) => set({ modal }),
  closeModal: () => set({ modal: { kind: 'none' } }),
  setSubkeyFilter: (filter) => set((state) => ({ subkeyFilter: { ...state.subkeyFilter, ...filter } })),
  setSubkeySort: (subkeySort) => set({ subkeySort, subkeySortDirection: null }),
  toggleSubkeySort: (sort) =>
    set((state) => {
      if (state.subkeySort !== sort) return { subkeySort: sort, subkeySortDirection: null };
      const current = state.subkeySortDirection ?? naturalDirection(sort);
      return { subkeySortDirection: current === 'ascending' ? 'descending' : 'ascending' };
    }),
  openSubkeyPage: (subkeyPageId) => set({ page: 'subkeys', subkeyPageId }),
  closeSubkeyPage: () => set({ subkeyPageId: null }),
});
