import { MantineProvider } from '@mantine/core';
import { DatesProvider } from '@mantine/dates';
import { render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import { setupI18n } from '../../renderer/src/i18n/i18n';
import type { KeygateStore } from '../../renderer/src/store/store';
import { StoreContext } from '../../renderer/src/store/store';
import { theme } from '../../renderer/src/theme';

let i18nReady: Promise<unknown> | null = null;

/** Renders UI the way the app does (theme, dates, English), optionally with a store. */
export async function renderUi(ui: ReactNode, store?: KeygateStore): Promise<RenderResult> {
  i18nReady ??= setupI18n('en');
  await i18nReady;
  const tree = (
    <MantineProvider theme={theme} env="test">
      <DatesProvider settings={{ locale: 'en' }}>{store ? <StoreContext.Provider value={store}>{ui}</StoreContext.Provider> : ui}</DatesProvider>
    </MantineProvider>
  );
  return render(tree);
}
