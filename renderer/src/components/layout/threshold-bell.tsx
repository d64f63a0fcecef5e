import { ActionIcon, Indicator, Popover, ScrollArea, Stack, Text, ThemeIcon, Tooltip, UnstyledButton } from '@mantine/core';
import { IconAlertTriangle, IconBell, IconClockHour4, IconGauge } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BudgetThreshold } from '../../../../electron/shared/types';
import { alertText } from '../../lib/alert-text';
import { ago } from '../../lib/format';
import { useKeygate } from '../../store/store';

function alertIcon(alert: BudgetThreshold) {
  if (alert.kind === 'expiry') return { color: 'blue', icon: <IconClockHour4 size={14} /> };
  return alert.percent === 100 ? { color: 'red', icon: <IconAlertTriangle size={14} /> } : { color: 'orange', icon: <IconGauge size={14} /> };
}

/**
 * The bell: counts the budget and expiry notifications that arrived since it was last opened, and lists them.
 * Opening it marks them seen; choosing one shows its key in the Sub-keys list. `compact`: under the logo, not beside it.
 */
export function ThresholdBell({ compact = false }: { compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const alerts = useKeygate((state) => state.alerts);
  const unseen = useKeygate((state) => state.unseenAlerts);
  const markSeen = useKeygate((state) => state.markAlertsSeen);
  const setPage = useKeygate((state) => state.setPage);
  const setFilter = useKeygate((state) => state.setSubkeyFilter);
  const [opened, setOpened] = useState(false);
  const label = unseen > 0 ? t('alerts.bellUnseen', { count: unseen }) : t('alerts.bell');

  function toggle(next: boolean): void {
    setOpened(next);
    if (next) markSeen();
  }

  return (
    <Popover opened={opened} onChange={toggle} position="right-start" width={340} withinPortal shadow="md" trapFocus returnFocus>
      <Popover.Target>
        <Tooltip label={label} disabled={opened}>
          <Indicator
            inline
            label={unseen}
            size={16}
            color="red"
            disabled={unseen === 0}
            offset={4}
            ml={compact ? 6 : 'auto'}
            mb={compact ? 'md' : 0}
            data-testid="threshold-badge"
          >
            <ActionIcon variant="subtle" color="gray" aria-label={label} aria-expanded={opened} onClick={() => toggle(!opened)} data-testid="threshold-bell">
              <IconBell size={16} />
            </ActionIcon>
          </Indicator>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown aria-label={t('alerts.title')} role="dialog" data-testid="threshold-list">
        <Text fw={600} size="sm" mb="xs">
          {t('alerts.title')}
        </Text>
        {alerts.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('alerts.empty')}
          </Text>
        ) : (
          <ScrollArea.Autosize mah={360}>
            <Stack gap={4} component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {alerts.map((alert, index) => {
                const words = alertText(alert, t, i18n.language);
                const { color, icon } = alertIcon(alert);
                return (
                  <li key={`${alert.at} ${alert.subkeyId} ${index}`}>
                    <UnstyledButton
                      w="100%"
                      p={6}
                      style={{ borderRadius: 'var(--mantine-radius-sm)', display: 'flex', gap: 8, alignItems: 'flex-start' }}
                      title={t('alerts.show')}
                      onClick={() => {
                        setFilter({ text: alert.subkeyName, status: 'all', upstreamId: null });
                        setPage('subkeys');
                        setOpened(false);
                      }}
                    >
                      <ThemeIcon size={22} radius="xl" variant="light" color={color}>
                        {icon}
                      </ThemeIcon>
                      <span>
                        <Text size="sm" lh={1.3}>
                          {words.text}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {ago(alert.at)}
                          {words.resets && ` · ${words.resets}`}
                        </Text>
                      </span>
                    </UnstyledButton>
                  </li>
                );
              })}
            </Stack>
          </ScrollArea.Autosize>
        )}
      </Popover.Dropdown>
    </Popover>
  );
}
