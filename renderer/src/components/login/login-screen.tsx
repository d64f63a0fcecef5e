import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage } from '../../api/api-error';
import { createHttpClient } from '../../api/http-client';

/** Asks for the headless server's admin token and checks it before letting the user in. */
export function LoginScreen({ onSignedIn, expired }: { onSignedIn: (token: string) => void; expired?: boolean }) {
  const { t } = useTranslation();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(expired ? t('login.wrong') : null);
  const [checking, setChecking] = useState(false);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const value = token.trim();
    if (!value) return setError(t('login.required'));
    setChecking(true);
    setError(null);
    try {
      await createHttpClient({ token: value }).api['app:info']({});
      onSignedIn(value);
    } catch (caught) {
      setError(caught instanceof ApiError && caught.code === 'UNAUTHORIZED' ? t('login.wrong') : errorMessage(caught));
      setChecking(false);
    }
  }

  return (
    <Center component="main" mih="100vh" p="md">
      <Paper withBorder radius="lg" p="xl" w={380} shadow="sm">
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <ThemeIcon size={40} radius="md">
              <IconKey size={22} />
            </ThemeIcon>
            <div>
              <Title order={1} size="h3">
                {t('login.title')}
              </Title>
              <Text size="sm" c="dimmed" mt={4}>
                {t('login.description')}
              </Text>
            </div>
            <PasswordInput
              label={t('login.token')}
              value={token}
              onChange={(event) => setToken(event.currentTarget.value)}
              error={error}
              autoComplete="current-password"
              autoFocus
            />
            <Button type="submit" loading={checking} fullWidth>
              {t('login.submit')}
            </Button>
            {expired && !error && <Alert color="orange">{t('login.wrong')}</Alert>}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
