import { Paper, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../lib/format';
import { formatCost } from '../../lib/format-cost';
import { USAGE_CHART_DAYS } from '../../store/usage-slice';

/** One line of a cost table: what it counts, and its data attribute (so tests and styles can find it). */
export interface CostLine {
  id: string;
  label: React.ReactNode;
  data: Record<string, string>;
  requests: number;
  totalTokens: number;
  costUsd: number;
}

/** A cost table's sums; requests without a price are not in its cost and are said apart. */
export interface CostTotal {
  requests: number;
  totalTokens: number;
  costUsd: number;
  unpricedRequests: number;
}

/** How one cost table names itself: its title and first column, and the test ids its total and note carry. */
export interface CostTableNames {
  testId: string;
  title: string;
  column: string;
  totalTestId: string;
  unpricedTestId: string;
  footData?: Record<string, string>;
}

/** Requests, tokens and cost per line over the chart's days, with a total: the per-key and per-model tables' shape. */
export function CostTable({ names, lines, total }: { names: CostTableNames; lines: CostLine[]; total: CostTotal }) {
  const { t, i18n } = useTranslation();
  const number = (value: number) => formatNumber(value, i18n.language);
  const titleId = `${names.testId}-title`;
  return (
    <Paper withBorder radius="md" p="sm" mb="md">
      <Text size="sm" fw={600} mb="xs" id={titleId}>
        {t(names.title, { days: USAGE_CHART_DAYS })}
      </Text>
      <Table verticalSpacing={4} fz="sm" data-testid={names.testId} aria-labelledby={titleId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t(names.column)}</Table.Th>
            <Table.Th ta="right">{t('cost.requests')}</Table.Th>
            <Table.Th ta="right">{t('cost.tokens')}</Table.Th>
            <Table.Th ta="right">{t('cost.column')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {lines.map((line) => (
            <Table.Tr key={line.id} {...line.data}>
              <Table.Td>{line.label}</Table.Td>
              <Table.Td ta="right" ff="monospace">
                {number(line.requests)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {number(line.totalTokens)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {formatCost(line.costUsd, i18n.language)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr {...names.footData}>
            <Table.Th>{t('cost.total')}</Table.Th>
            <Table.Th ta="right" ff="monospace">
              {number(total.requests)}
            </Table.Th>
            <Table.Th ta="right" ff="monospace">
              {number(total.totalTokens)}
            </Table.Th>
            <Table.Th ta="right" ff="monospace" data-testid={names.totalTestId}>
              {formatCost(total.costUsd, i18n.language)}
            </Table.Th>
          </Table.Tr>
        </Table.Tfoot>
      </Table>
      {total.unpricedRequests > 0 && (
        <Text size="xs" c="dimmed" mt="xs" data-testid={names.unpricedTestId}>
          {t('cost.unpricedRequests', { count: total.unpricedRequests })}
        </Text>
      )}
    </Paper>
  );
}
