import { useShallow } from 'zustand/react/shallow';
import { useKeygate } from '../store/store';

/** Ids of the models synced from one upstream (empty when none or unknown). */
export function useModelIdsOf(upstreamId: string | null | undefined): string[] {
  return useKeygate(useShallow((state) => (upstreamId ? (state.models[upstreamId] ?? []).map((model) => model.id) : [])));
}
