import { ActionIcon, Code, CopyButton, Group, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

export interface CopyFieldProps {
  value: string;
  /** What is being copied, for screen readers ("Copy base URL"). */
  label: string;
  block?: boolean;
  /** Larger text, for the one value the dialog is about. */
  prominent?: boolean;
  testId?: string;
  /** The copy button takes focus when its dialog or trap starts (Mantine's `data-autofocus`). */
  autoFocus?: boolean;
}

/** A value in monospace with a copy button beside it. */
export function CopyField({ value, label, block = false, prominent = false, testId, autoFocus = false }: CopyFieldProps) {
  const { t } = useTranslation();
  return (
    <Group gap={6} wrap="nowrap" align={block ? 'flex-start' : 'center'}>
      <Code
        block={block}
        data-testid={testId}
        fz={prominent ? 'sm' : undefined}
        p={prominent ? 'xs' : undefined}
        style={{ flex: 1, minWidth: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
      >
        {value}
      </Code>
      <CopyButton value={value} timeout={1500}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? t('common.copied') : `${t('common.copy')} ${label}`} withArrow>
            <ActionIcon
              variant="subtle"
              color={copied ? 'teal' : 'gray'}
              onClick={copy}
              aria-label={`${t('common.copy')} ${label}`}
              data-autofocus={autoFocus || undefined}
            >
              {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
