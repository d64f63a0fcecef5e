import { AppShell, Center, Container, Group, Loader, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { useCompact } from '../../lib/use-compact';
import { useKeygate } from '../../store/store';
import { ModelsPage } from '../models/models-page';
import { ProxyPage } from '../proxy/proxy-page';
import { SubkeysPage } from '../subkeys/subkeys-page';
import { UpstreamsPage } from '../upstreams/upstreams-page';
import { ModalHost } from './modal-host';
import { Navigation } from './navigation';
import { Preferences } from './preferences';
import { StoreAlert } from './store-alert';
import { ThresholdBell } from './threshold-bell';
import { useShortcuts } from './use-shortcuts';

// The chart library is most of the bundle: load it when the Usage screen is first opened.
const UsagePage = lazy(() => import('../usage/usage-page').then((module) => ({ default: module.UsagePage })));

const screens = { subkeys: SubkeysPage, upstreams: UpstreamsPage, models: ModelsPage, usage: UsagePage, proxy: ProxyPage };

/** The window: a narrow sidebar with the screens, the current screen, the open dialog. */
export function AppLayout({ onSignOut }: { onSignOut?: () => void }) {
  const { t } = useTranslation();
  const page = useKeygate((state) => state.page);
  const Screen = screens[page];
  // Below 1,000 px the sidebar shows icons only, so an 800 px window keeps room for the tables.
  const compact = useCompact();
  useShortcuts();
  return (
    <AppShell navbar={{ width: compact ? 60 : 208, breakpoint: 0 }} padding={compact ? 'md' : 'lg'}>
      <a href="#main-content" className="skip-link">
        {t('common.skipToContent')}
      </a>
      <AppShell.Navbar p="sm" aria-label={t('app.name')}>
        <AppShell.Section>
          <Group gap="xs" mb="md" px={6} pt={4} wrap="nowrap">
            <ThemeIcon size={28} radius="md">
              <IconKey size={16} />
            </ThemeIcon>
            {!compact && (
              <Stack gap={0}>
                <Text fw={700} size="sm" lh={1.2}>
                  {t('app.name')}
                </Text>
                <Text size="xs" c="dimmed" lh={1.2}>
                  {t('app.tagline')}
                </Text>
              </Stack>
            )}
            {!compact && <ThresholdBell />}
          </Group>
          {compact && <ThresholdBell compact />}
        </AppShell.Section>
        <AppShell.Section grow>
          <Navigation compact={compact} />
        </AppShell.Section>
        <AppShell.Section>
          <Preferences onSignOut={onSignOut} />
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main id="main-content" tabIndex={-1}>
        <Container size={1100} px={0}>
          <StoreAlert />
          <Suspense
            fallback={
              <Center mih={200}>
                <Loader size="sm" />
              </Center>
            }
          >
            <Screen />
          </Suspense>
        </Container>
      </AppShell.Main>
      <ModalHost />
    </AppShell>
  );
}
