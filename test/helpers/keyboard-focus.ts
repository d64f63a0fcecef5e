import type { Locator } from 'playwright-core';
import { expect } from 'vitest';

/** Whether the element has the keyboard focus. */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element === (element.ownerDocument as unknown as { activeElement: unknown }).activeElement);
}

/** Presses Tab until `target` has the focus (at most `limit` presses), as a keyboard user would; fails the test if it never does. */
export async function tabUntilFocused(target: Locator, limit: number): Promise<void> {
  for (let press = 0; press < limit; press++) {
    if (await isFocused(target)) return;
    await target.page().keyboard.press('Tab');
  }
  expect(await isFocused(target)).toBe(true);
}
