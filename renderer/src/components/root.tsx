import { MantineProvider } from '@mantine/core';
import { DatesProvider } from '@mantine/dates';
import { Notifications } from '@mantine/notifications';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KeygateClient } from '../api/client';
import { createHttpClient } from '../api/http-client';
import { createIpcClient, findBridge } from '../api/ipc-client';
import { cssVariablesResolver, theme } from '../theme';
import { KeygateApp } from './keygate-app';
import { LoginScreen } from './login/login-screen';

const TOKEN_KEY = 'keygate.adminToken';

/** Inside Electron: IPC, no login. In a browser: the admin HTTP API, behind the admin token (kept for the tab's session). */
function Transport() {
  const bridge = useMemo(() => findBridge(), []);
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(TOKEN_KEY));
  const [expired, setExpired] = useState(false);

  const signOut = useCallback(() => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
  }, []);

  const client = useMemo<KeygateClient | null>(() => {
    if (bridge) return createIpcClient(bridge);
    if (!token) return null;
    return createHttpClient({
      token,
      onUnauthorized: () => {
        setExpired(true);
        signOut();
      },
    });
  }, [bridge, token, signOut]);

  if (!client)
    return (
      <LoginScreen
        expired={expired}
        onSignedIn={(value) => {
          sessionStorage.setItem(TOKEN_KEY, value);
          setExpired(false);
          setToken(value);
        }}
      />
    );
  return <KeygateApp key={token ?? 'ipc'} client={client} onSignOut={bridge ? undefined : signOut} />;
}

/** Providers: theme (light/dark following the OS), date locale following the UI language, toasts. */
export function Root() {
  const { i18n } = useTranslation();
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="auto">
      <DatesProvider settings={{ locale: i18n.language.startsWith('zh') ? 'zh-cn' : 'en', firstDayOfWeek: 1 }}>
        <Notifications position="bottom-right" limit={3} autoClose={3000} />
        <Transport />
      </DatesProvider>
    </MantineProvider>
  );
}
