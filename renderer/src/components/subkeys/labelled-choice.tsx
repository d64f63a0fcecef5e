import { SegmentedControl, Text } from '@mantine/core';
import { useId } from 'react';

export interface LabelledChoiceProps<C extends string> {
  label: React.ReactNode;
  choices: readonly C[];
  value: C;
  labelOf: (choice: C) => string;
  onChange: (choice: C) => void;
}

/** A picker's heading and its row of choices, the row named by the heading for assistive technology. */
export function LabelledChoice<C extends string>({ label, choices, value, labelOf, onChange }: LabelledChoiceProps<C>) {
  const labelId = useId();
  return (
    <>
      <Text size="sm" fw={500} id={labelId}>
        {label}
      </Text>
      <SegmentedControl
        aria-labelledby={labelId}
        size="xs"
        fullWidth
        value={value}
        onChange={(next) => onChange(next as C)}
        data={choices.map((each) => ({ value: each, label: labelOf(each) }))}
      />
    </>
  );
}
