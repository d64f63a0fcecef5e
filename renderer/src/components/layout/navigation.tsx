import { Badge, Kbd, NavLink, Stack, Tooltip } from '@mantine/core';
import { IconBox, IconChartBar, IconKey, IconServer, IconTopologyStar } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useKeygate } from '../../store/store';
import { pages, type Page } from '../../store/ui-slice';

const icons: Record<Page, React.ReactNode> = {
  subkeys: <IconKey size={16} />,
  upstreams: <IconServer size={16} />,
  models: <IconBox size={16} />,
  usage: <IconChartBar size={16} />,
  proxy: <IconTopologyStar size={16} />,
};

/** The screens, with counts where they help; `compact` shows icons only, named by their tooltip and aria-label. */
export function Navigation({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const page = useKeygate((state) => state.page);
  const setPage = useKeygate((state) => state.setPage);
  const subkeyCount = useKeygate((state) => state.subkeys.length);
  const upstreamCount = useKeygate((state) => state.upstreams.length);
  const proxyRunning = useKeygate((state) => state.proxy?.running);
  const counts: Partial<Record<Page, number>> = { subkeys: subkeyCount, upstreams: upstreamCount };
  return (
    <Stack gap={2}>
      {pages.map((each, index) => (
        <Tooltip
          key={each}
          label={
            <>
              {compact && `${t(`nav.${each}`)} · `}
              {t('app.shortcut')} <Kbd size="xs">{index + 1}</Kbd>
            </>
          }
          position="right"
          openDelay={600}
          withArrow
        >
          <NavLink
            component="button"
            label={compact ? undefined : t(`nav.${each}`)}
            aria-label={compact ? t(`nav.${each}`) : undefined}
            leftSection={icons[each]}
            active={page === each}
            aria-current={page === each ? 'page' : undefined}
            onClick={() => setPage(each)}
            variant="light"
            style={{ borderRadius: 'var(--mantine-radius-md)' }}
            rightSection={
              compact ? null : each === 'proxy' ? (
                <Badge size="xs" variant="dot" color={proxyRunning ? 'teal' : 'gray'}>
                  {proxyRunning ? t('proxy.on') : t('proxy.off')}
                </Badge>
              ) : counts[each] ? (
                <Badge size="xs" variant="default" radius="sm">
                  {counts[each]}
                </Badge>
              ) : null
            }
          />
        </Tooltip>
      ))}
    </Stack>
  );
}
