import { Stack, Text } from '@mantine/core';

/** One thing a key may or may not do: a small title and what applies, in words. */
export function AbilityItem({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <Stack gap={2} data-testid={testId}>
      <Text size="xs" fw={600} c="dimmed" tt="uppercase">
        {title}
      </Text>
      {children}
    </Stack>
  );
}
