import { Button, Paper, Stack, Text, ThemeIcon } from '@mantine/core';

export interface EmptyStateProps {
  icon: React.ReactNode;
  title: string;
  text: string;
  action?: { label: string; onClick: () => void };
}

/** Says what is missing and what to do next. */
export function EmptyState({ icon, title, text, action }: EmptyStateProps) {
  return (
    <Paper withBorder radius="md" p="xl" data-testid="empty-state">
      <Stack align="center" gap="xs" maw={420} mx="auto" ta="center">
        <ThemeIcon variant="light" size={44} radius="xl">
          {icon}
        </ThemeIcon>
        <Text fw={600}>{title}</Text>
        <Text size="sm" c="dimmed">
          {text}
        </Text>
        {action && (
          <Button mt="xs" onClick={action.onClick}>
            {action.label}
          </Button>
        )}
      </Stack>
    </Paper>
  );
}
