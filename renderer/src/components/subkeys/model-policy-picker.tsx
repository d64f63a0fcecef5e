import { Badge, Group, Stack, TagsInput, Text, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LabelledChoice } from './labelled-choice';
import { deniesModel, denyExamples, isModelAllowed, matchesPattern } from '../../../../electron/shared/model-policy';

export type PolicyMode = 'all' | 'only' | 'except';

const POLICY_MODES: readonly PolicyMode[] = ['all', 'only', 'except'];

/** Canonical: the two lists the contract takes. */
export interface ModelPolicyValue {
  allowModels: string[];
  denyModels: string[];
}

export interface ModelPolicyPickerProps {
  value: ModelPolicyValue;
  /** Also says the chosen mode: "Only these" with nothing picked emits the same lists as "All models". */
  onChange: (value: ModelPolicyValue, mode: PolicyMode) => void;
  /** Ids of the models synced from the chosen upstream. */
  models: string[];
  error?: React.ReactNode;
}

/** The mode that shows an existing policy. */
export function policyModeOf(value: ModelPolicyValue): PolicyMode {
  if (value.allowModels.length > 0) return 'only';
  if (value.denyModels.length > 0) return 'except';
  return 'all';
}

/** Emits the allow/deny lists for a mode and its patterns. */
export function policyOf(mode: PolicyMode, patterns: string[]): ModelPolicyValue {
  if (mode === 'only') return { allowModels: patterns, denyModels: [] };
  if (mode === 'except') return { allowModels: [], denyModels: patterns };
  return { allowModels: [], denyModels: [] };
}

/**
 * Whether the policy lacks what its mode needs: "Only these" with no model would issue an unrestricted key, since
 * the contract reads an empty allow-list as every model.
 */
export function isIncompletePolicy(mode: PolicyMode, value: ModelPolicyValue): boolean {
  return mode === 'only' && value.allowModels.length === 0;
}

/** All models, only these, or all except these: synced models to pick from, plus free `*` patterns with their matches. */
export function ModelPolicyPicker({ value, onChange, models, error }: ModelPolicyPickerProps) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<PolicyMode>(policyModeOf(value));
  const [patterns, setPatterns] = useState<string[]>(value.allowModels.length > 0 ? value.allowModels : value.denyModels);

  function update(nextMode: PolicyMode, nextPatterns: string[]) {
    setMode(nextMode);
    setPatterns(nextPatterns);
    onChange(policyOf(nextMode, nextPatterns), nextMode);
  }

  const allowed = models.filter((model) => isModelAllowed(value, model)).length;

  return (
    <Stack gap={6}>
      <LabelledChoice label={t('policy.label')} choices={POLICY_MODES} value={mode} labelOf={(each) => t(`policy.modes.${each}`)} onChange={(next) => update(next, patterns)} />
      {mode !== 'all' && (
        <TagsInput
          aria-label={t('policy.patterns')}
          placeholder={t('policy.patterns')}
          description={models.length > 0 ? t('policy.patternsHint') : t('policy.noModels')}
          data={models}
          value={patterns}
          onChange={(next) => update(mode, next.map((each) => each.trim()).filter(Boolean))}
          splitChars={[',', ' ']}
          acceptValueOnBlur
          clearable
          limit={50}
          maxDropdownHeight={220}
          size="sm"
          comboboxProps={{ withinPortal: true }}
        />
      )}
      {mode !== 'all' && patterns.some((pattern) => pattern.includes('*')) && (
        <Stack gap={2} data-testid="pattern-matches">
          {patterns
            .filter((pattern) => pattern.includes('*'))
            .map((pattern) => {
              // A deny pattern also covers other spellings: show what the proxy will actually block.
              const matched = models.filter((model) => (mode === 'except' ? deniesModel(pattern, model) : matchesPattern(pattern, model)));
              return (
                <Group key={pattern} gap={6} wrap="nowrap">
                  <Badge variant="light" radius="sm" size="sm" tt="none" ff="monospace">
                    {pattern}
                  </Badge>
                  <Tooltip label={matched.join(', ')} disabled={matched.length === 0} multiline maw={360}>
                    <Text size="xs" c="dimmed" truncate>
                      {matched.length > 0 ? `${t('policy.matches', { count: matched.length })}: ${matched.join(', ')}` : t('policy.matchesNone')}
                    </Text>
                  </Tooltip>
                </Group>
              );
            })}
        </Stack>
      )}
      {mode === 'except' && patterns.some((pattern) => !pattern.includes('*')) && (
        <Stack gap={2} data-testid="deny-covers">
          {patterns.map((pattern) => {
            const examples = denyExamples(pattern);
            if (!examples) return null;
            const names = examples.names.join(', ');
            return (
              <Group key={pattern} gap={6} wrap="nowrap">
                <Badge variant="light" color="red" radius="sm" size="sm" tt="none" ff="monospace">
                  {pattern}
                </Badge>
                <Text size="xs" c="dimmed">
                  {examples.dated ? t('policy.denyCovers', { names, dated: examples.dated }) : t('policy.denyCoversUndated', { names })}
                </Text>
              </Group>
            );
          })}
        </Stack>
      )}
      {mode === 'only' && patterns.length > 0 && (
        <Text size="xs" c="dimmed">
          {t('policy.allowExact')}
        </Text>
      )}
      <Text size="xs" c={error ? 'red' : 'dimmed'} role={error ? 'alert' : undefined}>
        {error ??
          (mode === 'all'
            ? t('policy.summaryAll')
            : isIncompletePolicy(mode, value)
              ? t('policy.pickOne')
              : t('policy.summary', { allowed, total: models.length }))}
      </Text>
    </Stack>
  );
}
