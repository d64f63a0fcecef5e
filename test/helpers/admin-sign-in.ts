import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { HeadlessCoreProcess } from './headless-core-process';

/**
 * Opens the core's admin UI in `page`, signs in with the admin token and waits for the shell's navigation: the way
 * into the window for tests about what lies behind the sign-in (those about the sign-in screen write its steps out).
 */
export async function signIn(page: Page, core: HeadlessCoreProcess): Promise<void> {
  await page.goto(`${core.url}/admin/`);
  await page.locator('input[type=password]').fill(core.token);
  await page.locator('button[type=submit]').click();
  await page.getByRole('navigation').waitFor();
}

/** A signed-in page in a fresh context (its own sessionStorage, so its own sign-in) made with `options`. */
export async function openSignedInPage(browser: Browser, core: HeadlessCoreProcess, options: BrowserContextOptions): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await signIn(page, core);
  return page;
}
