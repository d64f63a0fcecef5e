import { Alert, Center, Loader } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KeygateClient } from '../api/client';
import { errorMessage } from '../api/api-error';
import { createKeygateStore, followPushEvents, loadAll, refreshPage, StoreContext } from '../store/store';
import { AppLayout } from './layout/app-layout';

/** The signed-in app: one store over the client, loaded once and kept fresh by push events. */
export function KeygateApp({ client, onSignOut }: { client: KeygateClient; onSignOut?: () => void }) {
  const { t } = useTranslation();
  const [store] = useState(() => createKeygateStore(client.api));
  const [state, setState] = useState<'loading' | 'ready' | { error: string }>('loading');

  useEffect(() => {
    let live = true;
    loadAll(store).then(
      () => live && setState('ready'),
      (error) => live && setState({ error: errorMessage(error) }),
    );
    const unsubscribe = followPushEvents(store, client);
    return () => {
      live = false;
      unsubscribe();
    };
  }, [store, client]);

  useEffect(() => {
    const quietly = () => void refreshPage(store, store.getState().page).catch(() => undefined);
    const offPage = store.subscribe((next, previous) => {
      if (next.page !== previous.page) quietly();
    });
    window.addEventListener('focus', quietly);
    return () => {
      offPage();
      window.removeEventListener('focus', quietly);
    };
  }, [store]);

  if (state === 'loading')
    return (
      <Center mih="100vh">
        <Loader size="sm" />
      </Center>
    );
  if (typeof state === 'object')
    return (
      <Center mih="100vh" p="md">
        <Alert color="red">{t('app.loadFailed', { message: state.error })}</Alert>
      </Center>
    );
  return (
    <StoreContext.Provider value={store}>
      <AppLayout onSignOut={onSignOut} />
    </StoreContext.Provider>
  );
}
