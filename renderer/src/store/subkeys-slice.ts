import type { ChannelInput } from '../../../electron/shared/contract';
import type { IssuedSubkey, Subkey } from '../../../electron/shared/types';
import type { SliceCreator } from './store-types';

export interface SubkeysSlice {
  subkeys: Subkey[];
  subkeysLoaded: boolean;
  refreshSubkeys: () => Promise<void>;
  /** Puts pushed sub-keys in place of the loaded ones; false when one is not loaded (then re-read the list). */
  patchSubkeys: (changed: readonly Subkey[]) => boolean;
  /** Answers the secret to the caller, which shows it once; the store keeps only the sub-key. */
  createSubkey: (input: ChannelInput<'subkeys:create'>) => Promise<IssuedSubkey>;
  updateSubkey: (input: ChannelInput<'subkeys:update'>) => Promise<Subkey>;
  setSubkeyEnabled: (id: string, enabled: boolean) => Promise<Subkey>;
  /** Answers the new secret to the caller, like createSubkey. */
  rotateSubkey: (id: string) => Promise<IssuedSubkey>;
  removeSubkey: (id: string) => Promise<void>;
}

/** Sub-keys: the list main derives statuses for; secrets pass through to the caller and are never stored. */
export const createSubkeysSlice: SliceCreator<SubkeysSlice> = (api) => (set, get) => ({
  subkeys: [],
  subkeysLoaded: false,
  async refreshSubkeys() {
    const subkeys = await api['subkeys:list']({});
    set({ subkeys, subkeysLoaded: true });
  },
  patchSubkeys(changed) {
    const byId = new Map(changed.map((subkey) => [subkey.id, subkey]));
    const { subkeys } = get();
    let found = 0;
    const next = subkeys.map((subkey) => {
      const update = byId.get(subkey.id);
      if (!update) return subkey;
      found++;
      return update;
    });
    if (found > 0) set({ subkeys: next });
    return found === byId.size;
  },
  async createSubkey(input) {
    const issued = await api['subkeys:create'](input);
    await get().refreshSubkeys();
    return issued;
  },
  async updateSubkey(input) {
    const subkey = await api['subkeys:update'](input);
    await get().refreshSubkeys();
    return subkey;
  },
  async setSubkeyEnabled(id, enabled) {
    return get().updateSubkey({ id, enabled });
  },
  async rotateSubkey(id) {
    const issued = await api['subkeys:rotate']({ id });
    await get().refreshSubkeys();
    return issued;
  },
  async removeSubkey(id) {
    await api['subkeys:remove']({ id });
    await Promise.all([get().refreshSubkeys(), get().refreshUsage()]);
  },
});
