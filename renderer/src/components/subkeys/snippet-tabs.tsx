import { Stack, Tabs, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ModelPolicy } from '../../../../electron/shared/model-policy';
import { chooseSnippetTarget } from '../../lib/snippet-target';
import { buildSnippets } from '../../lib/snippets';
import { CopyField } from '../common/copy-field';

export interface SnippetTabsProps {
  /** The proxy's base URL, from `proxy:status`. */
  baseUrl: string;
  /** The secret, or a placeholder where it is no longer known (a key's own page). */
  secret: string;
  /** The key's model policy. */
  policy: ModelPolicy;
  /** Models synced for the key's upstream. */
  models: readonly string[];
}

/**
 * Ready-to-paste snippets, one tab per tool. Issuing, rotating and a key's own page all land here, so all pick the
 * snippets' model and endpoint the same way (`chooseSnippetTarget`).
 */
export function SnippetTabs({ baseUrl, secret, policy, models }: SnippetTabsProps) {
  const { t } = useTranslation();
  const snippets = buildSnippets(baseUrl, secret, chooseSnippetTarget(policy, models));
  return (
    <Tabs defaultValue="env" variant="outline" keepMounted={false}>
      <Tabs.List>
        {snippets.map((snippet) => (
          <Tabs.Tab key={snippet.id} value={snippet.id}>
            {t(`secret.${snippet.id}`)}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {snippets.map((snippet) => (
        <Tabs.Panel key={snippet.id} value={snippet.id} pt="xs">
          <Stack gap={6}>
            {snippet.parts.map((part, index) => (
              <div key={index}>
                <Text size="xs" c="dimmed" mb={2}>
                  {t(`secret.notes.${part.note}`)}
                </Text>
                <CopyField value={part.code} label={t(`secret.${snippet.id}`)} block />
              </div>
            ))}
          </Stack>
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}
