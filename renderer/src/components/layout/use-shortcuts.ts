import { useHotkeys } from '@mantine/hooks';
import { useKeygateStore } from '../../store/store';
import { pages } from '../../store/ui-slice';

/**
 * Keys for the keyboard-minded: 1–5 switch screens, N issues a sub-key. Ignored while typing in a field
 * (Mantine's default) and while a dialog is open.
 */
export function useShortcuts(): void {
  const store = useKeygateStore();
  const whenIdle = (action: () => void) => () => {
    if (store.getState().modal.kind === 'none') action();
  };
  useHotkeys([
    ...pages.map((page, index) => [String(index + 1), whenIdle(() => store.getState().setPage(page))] as [string, () => void]),
    [
      'n',
      whenIdle(() => {
        if (store.getState().upstreams.length === 0) return;
        store.getState().setPage('subkeys');
        store.getState().openModal({ kind: 'subkey-issue' });
      }),
    ],
  ]);
}
