import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import dayjs from 'dayjs';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { ExpiryPicker } from '../../renderer/src/components/subkeys/expiry-picker';
import { ModelPolicyPicker, type ModelPolicyValue } from '../../renderer/src/components/subkeys/model-policy-picker';
import { QuotaPicker } from '../../renderer/src/components/subkeys/quota-picker';
import { renderUi } from './render-ui';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Holds the picker's value like a form does, and records every value it emitted. */
function harness<T>(initial: T, render: (value: T, onChange: (value: T) => void) => React.ReactNode) {
  const emitted: T[] = [];
  function Harness() {
    const [value, setValue] = useState(initial);
    return render(value, (next) => {
      emitted.push(next);
      setValue(next);
    });
  }
  return { emitted, Harness };
}

describe('ExpiryPicker', () => {
  it.each([
    ['1 hour', HOUR],
    ['1 day', DAY],
    ['7 days', 7 * DAY],
    ['30 days', 30 * DAY],
    ['90 days', 90 * DAY],
  ])('"%s" emits an ISO instant that far from now', async (label, offset) => {
    const { emitted, Harness } = harness<string | null>(null, (value, onChange) => <ExpiryPicker value={value} onChange={onChange} />);
    await renderUi(<Harness />);
    const before = Date.now();
    await userEvent.click(screen.getByText(label, { exact: true }));
    const after = Date.now();
    const value = emitted.at(-1)!;
    expect(value).toBe(new Date(value).toISOString());
    expect(Date.parse(value)).toBeGreaterThanOrEqual(before + offset);
    expect(Date.parse(value)).toBeLessThanOrEqual(after + offset);
    expect(screen.getByTestId('expiry-result').textContent).toMatch(/^Expires /);
  });

  it('"Never" emits null and says so', async () => {
    const { emitted, Harness } = harness<string | null>(new Date(Date.now() + DAY).toISOString(), (value, onChange) => (
      <ExpiryPicker value={value} onChange={onChange} initialChoice="1d" />
    ));
    await renderUi(<Harness />);
    await userEvent.click(screen.getByText('Never', { exact: true }));
    expect(emitted).toEqual([null]);
    expect(screen.getByTestId('expiry-result').textContent).toBe('Never expires');
  });

  it('"Custom" emits an ISO instant on the hour, a day ahead, and shows a date-time input with it', async () => {
    const { emitted, Harness } = harness<string | null>(null, (value, onChange) => <ExpiryPicker value={value} onChange={onChange} />);
    await renderUi(<Harness />);
    await userEvent.click(screen.getByText('Custom', { exact: true }));
    const value = emitted.at(-1)!;
    expect(value).toBe(new Date(value).toISOString());
    expect(new Date(value).getMinutes()).toBe(0);
    expect(Date.parse(value) - Date.now()).toBeGreaterThan(DAY - HOUR);
    expect(Date.parse(value) - Date.now()).toBeLessThanOrEqual(DAY);
    const local = new Date(value);
    const shown = `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')} ${String(local.getHours()).padStart(2, '0')}:00`;
    expect(screen.getByLabelText('Date and time').textContent).toBe(shown);
  });

  it('keeps an existing expiry when switching to Custom', async () => {
    const existing = '2031-05-06T07:08:00.000Z';
    const { emitted, Harness } = harness<string | null>(existing, (value, onChange) => <ExpiryPicker value={value} onChange={onChange} initialChoice="never" />);
    await renderUi(<Harness />);
    await userEvent.click(screen.getByText('Custom', { exact: true }));
    expect(emitted).toEqual([existing]);
  });

  it.each([
    ['earlier today', 1],
    // A past day is greyed out in the calendar, but the day shown selected must still take the focus.
    ['on a past day', 72],
  ])('keeps a custom time %s as it is when the date-time dropdown closes on Escape, for the form to refuse', async (_when, hoursAgo) => {
    // Noon, so that an hour ago is today whatever the hour the test runs at.
    vi.useFakeTimers({ toFake: ['Date'], now: dayjs().startOf('day').add(12, 'hour').toDate() });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const past = new Date(Date.now() - hoursAgo * HOUR).toISOString();
    const { emitted, Harness } = harness<string | null>(past, (value, onChange) => <ExpiryPicker value={value} onChange={onChange} />);
    await renderUi(<Harness />);
    await userEvent.click(screen.getByLabelText('Date and time'));
    await screen.findByRole('dialog');
    await userEvent.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(emitted).toEqual([]);
  });

  it('shows an error given to it instead of the resulting date', async () => {
    await renderUi(<ExpiryPicker value={null} onChange={() => undefined} error="Expiry must be in the future" />);
    expect(screen.getByRole('alert').textContent).toBe('Expiry must be in the future');
  });
});

describe('QuotaPicker', () => {
  it.each([
    ['10', 10],
    ['100', 100],
    ['1,000', 1000],
  ])('"%s" emits the integer %d', async (label, expected) => {
    const { emitted, Harness } = harness<number | null>(null, (value, onChange) => <QuotaPicker value={value} onChange={onChange} />);
    await renderUi(<Harness />);
    await userEvent.click(screen.getByText(label, { exact: true }));
    expect(emitted).toEqual([expected]);
    expect(Number.isInteger(emitted[0])).toBe(true);
  });

  it('"Unlimited" emits null', async () => {
    const { emitted, Harness } = harness<number | null>(100, (value, onChange) => <QuotaPicker value={value} onChange={onChange} />);
    await renderUi(<Harness />);
    await userEvent.click(screen.getByText('Unlimited', { exact: true }));
    expect(emitted).toEqual([null]);
    expect(screen.getByTestId('quota-result').textContent).toBe('No request limit');
  });

  it('"Custom" emits the typed whole number', async () => {
    const { emitted, Harness } = harness<number | null>(null, (value, onChange) => <QuotaPicker value={value} onChange={onChange} />);
    await renderUi(<Harness />);
    await userEvent.click(screen.getByText('Custom', { exact: true }));
    const input = screen.getByLabelText('Number of requests');
    await userEvent.clear(input);
    await userEvent.type(input, '2500');
    expect(emitted.at(-1)).toBe(2500);
    expect(screen.getByTestId('quota-result').textContent).toBe('2,500 requests, then the key stops');
  });

  it.each([
    ['12.5', 12.5],
    ['-5', -5],
  ])('"Custom" keeps "%s" as typed and says only a whole number of 0 or more is taken', async (typed, kept) => {
    const { emitted, Harness } = harness<number | null>(null, (value, onChange) => <QuotaPicker value={value} onChange={onChange} />);
    await renderUi(<Harness />);
    await userEvent.click(screen.getByText('Custom', { exact: true }));
    const input = screen.getByLabelText('Number of requests') as HTMLInputElement;
    await userEvent.clear(input);
    await userEvent.type(input, typed);
    await userEvent.tab();
    expect(input.value).toBe(typed);
    expect(emitted.at(-1)).toBe(kept);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toBe('Enter a whole number of 0 or more');
  });

  it('"Custom" does not clamp a number above the maximum on blur', async () => {
    const { emitted, Harness } = harness<number | null>(null, (value, onChange) => <QuotaPicker value={value} onChange={onChange} />);
    await renderUi(<Harness />);
    await userEvent.click(screen.getByText('Custom', { exact: true }));
    const input = screen.getByLabelText('Number of requests') as HTMLInputElement;
    await userEvent.clear(input);
    await userEvent.type(input, '2000000000');
    await userEvent.tab();
    expect(emitted.at(-1)).toBe(2_000_000_000);
  });

  it('starts on the choice that shows an existing value', async () => {
    await renderUi(<QuotaPicker value={250} onChange={() => undefined} />);
    expect((screen.getByLabelText('Number of requests') as HTMLInputElement).value).toBe('250');
  });
});

describe('ModelPolicyPicker', () => {
  const models = ['gpt-4o', 'gpt-4o-mini', 'gpt-3.5-turbo', 'dall-e-3'];
  const none: ModelPolicyValue = { allowModels: [], denyModels: [] };

  it('"All models" emits two empty lists', async () => {
    const { emitted, Harness } = harness<ModelPolicyValue>({ allowModels: ['gpt-4o'], denyModels: [] }, (value, onChange) => (
      <ModelPolicyPicker value={value} onChange={onChange} models={models} />
    ));
    await renderUi(<Harness />);
    await userEvent.click(screen.getByText('All models', { exact: true }));
    expect(emitted.at(-1)).toEqual(none);
  });

  it('"Only these" emits the picked models and typed patterns as the allow-list, and shows what a pattern matches', async () => {
    const { emitted, Harness } = harness<ModelPolicyValue>(none, (value, onChange) => <ModelPolicyPicker value={value} onChange={onChange} models={models} />);
    await renderUi(<Harness />);
    await userEvent.click(screen.getByText('Only these', { exact: true }));
    const input = screen.getByPlaceholderText('Models or patterns');
    await userEvent.type(input, 'dall-e-3{enter}');
    await userEvent.type(input, 'gpt-4o*{enter}');
    expect(emitted.at(-1)).toEqual({ allowModels: ['dall-e-3', 'gpt-4o*'], denyModels: [] });
    expect(screen.getByTestId('pattern-matches').textContent).toContain('matches 2: gpt-4o, gpt-4o-mini');
    expect(screen.getByText('3 of 4 synced models allowed')).toBeTruthy();
  });

  it('"All except these" emits the same patterns as the deny-list', async () => {
    const { emitted, Harness } = harness<ModelPolicyValue>({ allowModels: ['gpt-3.5*'], denyModels: [] }, (value, onChange) => (
      <ModelPolicyPicker value={value} onChange={onChange} models={models} />
    ));
    await renderUi(<Harness />);
    await userEvent.click(screen.getByText('All except these', { exact: true }));
    expect(emitted.at(-1)).toEqual({ allowModels: [], denyModels: ['gpt-3.5*'] });
    expect(screen.getByText('3 of 4 synced models allowed')).toBeTruthy();
  });

  it('says which other spellings a deny entry blocks, and counts them as the proxy does', async () => {
    const synced = ['gpt-4o', 'GPT-4o-2024-08-06', 'openai/gpt-4o', 'gpt-4o-mini'];
    const { emitted, Harness } = harness<ModelPolicyValue>(none, (value, onChange) => <ModelPolicyPicker value={value} onChange={onChange} models={synced} />);
    await renderUi(<Harness />);
    await userEvent.click(screen.getByText('All except these', { exact: true }));
    await userEvent.type(screen.getByPlaceholderText('Models or patterns'), 'gpt-4o{enter}');
    expect(emitted.at(-1)).toEqual({ allowModels: [], denyModels: ['gpt-4o'] });
    expect(screen.getByTestId('deny-covers').textContent).toBe('gpt-4oalso blocks openai/gpt-4o, gpt-4o:latest and dated snapshots like gpt-4o-2024-08-06, in upper or lower case');
    expect(screen.getByText('1 of 4 synced models allowed')).toBeTruthy();
  });

  it('shows deny patterns matching other spellings, and says allow entries are exact', async () => {
    const synced = ['gpt-4o', 'openai/gpt-4o-mini', 'o3'];
    const { unmount } = await renderUi(<ModelPolicyPicker value={{ allowModels: [], denyModels: ['GPT-4o*', 'o3:free'] }} onChange={() => undefined} models={synced} />);
    expect(screen.getByTestId('pattern-matches').textContent).toContain('matches 2: gpt-4o, openai/gpt-4o-mini');
    expect(screen.getByTestId('deny-covers').textContent).toBe('o3:freealso blocks openai/o3:free, in upper or lower case');
    unmount();
    await renderUi(<ModelPolicyPicker value={{ allowModels: ['gpt-4o'], denyModels: [] }} onChange={() => undefined} models={synced} />);
    expect(screen.getByText(/Only these exact names are allowed \(case is ignored\)/)).toBeTruthy();
    expect(screen.queryByTestId('deny-covers')).toBeNull();
  });

  it('"Only these" with nothing picked says a model is needed instead of counting every model as allowed', async () => {
    const modes: string[] = [];
    const { Harness } = harness<ModelPolicyValue>(none, (value, onChange) => (
      <ModelPolicyPicker
        value={value}
        onChange={(next, mode) => {
          modes.push(mode);
          onChange(next);
        }}
        models={models}
      />
    ));
    await renderUi(<Harness />);
    await userEvent.click(screen.getByText('Only these', { exact: true }));
    expect(modes).toEqual(['only']);
    expect(screen.getByText('Pick at least one model')).toBeTruthy();
    expect(screen.queryByText('4 of 4 synced models allowed')).toBeNull();
  });

  it('says when a pattern matches no synced model', async () => {
    await renderUi(<ModelPolicyPicker value={{ allowModels: ['claude-*'], denyModels: [] }} onChange={() => undefined} models={models} />);
    expect(screen.getByTestId('pattern-matches').textContent).toContain('matches no synced model');
    fireEvent.focus(screen.getByPlaceholderText('Models or patterns'));
    expect(screen.getByText('0 of 4 synced models allowed')).toBeTruthy();
  });
});
