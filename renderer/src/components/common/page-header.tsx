import { Box, Group, Stack, Text, Title } from '@mantine/core';

/** A screen's title, one line saying what it is for, and its main action. */
export function PageHeader({ title, subtitle, action }: { title: string; subtitle: string; action?: React.ReactNode }) {
  return (
    <Group justify="space-between" align="flex-end" wrap="nowrap" mb="md">
      <Stack gap={2}>
        <Title order={1} size="h3">
          {title}
        </Title>
        <Text size="sm" c="dimmed">
          {subtitle}
        </Text>
      </Stack>
      {/* The subtitle wraps instead: a squeezed action button would cut its own label. */}
      {action && <Box style={{ flexShrink: 0 }}>{action}</Box>}
    </Group>
  );
}
