import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { SubkeysPage } from '../../renderer/src/components/subkeys/subkeys-page';
import { createKeygateStore, loadAll } from '../../renderer/src/store/store';
import { fakeApi, subkey, upstream } from './fake-api';
import { renderUi } from './render-ui';

async function showList() {
  const fake = fakeApi();
  fake.data.upstreams = [upstream()];
  fake.data.subkeys = [
    subkey({ id: 'a', name: 'alpha', createdAt: '2026-01-01T00:00:00Z', remainingRequests: null }),
    subkey({ id: 'b', name: 'bravo', createdAt: '2026-01-03T00:00:00Z', remainingRequests: 0, status: 'exhausted' }),
    subkey({ id: 'c', name: 'charlie', createdAt: '2026-01-02T00:00:00Z', remainingRequests: 50 }),
  ];
  const store = createKeygateStore(fake.api);
  await loadAll(store);
  await renderUi(<SubkeysPage />, store);
  return store;
}

const rowNames = () => screen.getAllByRole('row').slice(1).map((row) => row.getAttribute('data-subkey'));
const header = (name: string) => screen.getByRole('columnheader', { name: new RegExp(`^${name}`) });

describe("the sub-key list's column headers", { timeout: 20_000 }, () => {
  it('sort by their column when clicked, and the other way when clicked again, saying so with aria-sort', async () => {
    await showList();
    // Newest first until a header is used; no column claims the order.
    expect(rowNames()).toEqual(['bravo', 'charlie', 'alpha']);
    expect(screen.getAllByRole('columnheader').filter((each) => each.hasAttribute('aria-sort'))).toEqual([]);

    await userEvent.click(within(header('Name')).getByRole('button'));
    expect(rowNames()).toEqual(['alpha', 'bravo', 'charlie']);
    expect(header('Name').getAttribute('aria-sort')).toBe('ascending');

    await userEvent.click(within(header('Name')).getByRole('button'));
    expect(rowNames()).toEqual(['charlie', 'bravo', 'alpha']);
    expect(header('Name').getAttribute('aria-sort')).toBe('descending');

    await userEvent.click(within(header('Remaining')).getByRole('button'));
    expect(rowNames()).toEqual(['bravo', 'charlie', 'alpha']);
    expect(header('Remaining').getAttribute('aria-sort')).toBe('ascending');
    expect(header('Name').hasAttribute('aria-sort')).toBe(false);
  });

  it('answer the keyboard: Tab reaches a header, Enter and Space sort', async () => {
    await showList();
    const button = within(header('Last used')).getByRole('button');
    button.focus();
    await userEvent.keyboard('{Enter}');
    expect(header('Last used').getAttribute('aria-sort')).toBe('descending');
    await userEvent.keyboard(' ');
    expect(header('Last used').getAttribute('aria-sort')).toBe('ascending');
    await userEvent.tab({ shift: true });
    expect(document.activeElement).toBe(within(header('Expires')).getByRole('button'));
  });

  it('go back to the natural order when the Sort by list picks a sort', async () => {
    const store = await showList();
    await userEvent.click(within(header('Name')).getByRole('button'));
    await userEvent.click(within(header('Name')).getByRole('button'));
    expect(rowNames()).toEqual(['charlie', 'bravo', 'alpha']);
    act(() => store.getState().setSubkeySort('name'));
    expect(store.getState().subkeySortDirection).toBeNull();
    await waitFor(() => expect(rowNames()).toEqual(['alpha', 'bravo', 'charlie']));
    expect(header('Name').getAttribute('aria-sort')).toBe('ascending');
  });
});
