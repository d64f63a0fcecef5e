import { Group, Table, UnstyledButton } from '@mantine/core';
import { IconChevronDown, IconChevronUp, IconSelector } from '@tabler/icons-react';
import type { SortDirection } from '../../store/ui-slice';

export interface SortableThProps {
  label: string;
  /** Whether the table is sorted by this column. */
  active: boolean;
  direction: SortDirection;
  onSort: () => void;
  align?: 'left' | 'right';
}

/**
 * A column header that sorts its table: a button (so Tab, Enter and Space work), with `aria-sort` on the header
 * of the column the table is sorted by, as ARIA's sortable-table pattern has it.
 */
export function SortableTh({ label, active, direction, onSort, align = 'left' }: SortableThProps) {
  const Icon = !active ? IconSelector : direction === 'ascending' ? IconChevronUp : IconChevronDown;
  return (
    <Table.Th aria-sort={active ? direction : undefined} ta={align}>
      <UnstyledButton onClick={onSort} fw={700} fz="sm" className="sort-button" data-sort-active={active || undefined}>
        <Group gap={4} wrap="nowrap" justify={align === 'right' ? 'flex-end' : 'flex-start'}>
          <span>{label}</span>
          <Icon size={14} aria-hidden style={{ flexShrink: 0, opacity: active ? 1 : 0.5 }} />
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}
