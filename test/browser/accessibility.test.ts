import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../renderer/src/i18n/en';
import { zh } from '../../renderer/src/i18n/zh';
import { runAxe, waitUntilSettled, type AxeViolation } from '../helpers/axe';
import { startBrowserStack, stopBrowserStack } from '../helpers/browser-stack';
import type { HeadlessCoreProcess } from '../helpers/headless-core-process';
import type { StandInUpstream } from '../helpers/stand-in-upstream';

let core: HeadlessCoreProcess;
let upstream: StandInUpstream;
let browser: Browser;

beforeAll(async () => {
  ({ core, upstream, browser } = await startBrowserStack());
  const standIn = await core.call('upstreams:add', { name: 'Stand-in', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-key-wxyz' });
  await core.call('models:sync', { upstreamId: standIn.id });
  const alice = await core.call('subkeys:create', { name: 'alice', upstreamId: standIn.id, allowModels: ['gpt-4o-mini'], budgets: [{ metric: 'requests', limit: 10, window: 'day' }] });
  // One answered and one refused request, so the usage log, and alice's page, have rows of both kinds.
  for (const model of ['gpt-4o-mini', 'gpt-4o']) {
    await fetch(`${core.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }] }),
    }).then((response) => response.arrayBuffer());
  }
});

afterAll(() => stopBrowserStack({ core, upstream, browser }));

/** What each view of the window must pass; filled in by the runs and printed at the end. */
const tally: Record<string, number> = {};

/** Runs axe on the page as it is, prints what it found beyond critical and serious, and returns those two. */
async function check(page: Page, view: string, label: string): Promise<string[]> {
  const violations: AxeViolation[] = await runAxe(page);
  for (const violation of violations) tally[violation.impact ?? 'unknown'] = (tally[violation.impact ?? 'unknown'] ?? 0) + violation.targets.length;
  const minor = violations.filter((each) => each.impact === 'moderate' || each.impact === 'minor');
  if (minor.length) console.log(`${label} ${view}: ${minor.map((each) => `${each.impact} ${each.id} ${each.targets.join(', ')}`).join('; ')}`);
  return violations
    .filter((each) => each.impact === 'critical' || each.impact === 'serious')
    .map((each) => `${view}: ${each.impact} ${each.id} (${each.help}) at ${each.targets.join(', ')}: ${each.summary}`);
}

/** Waits for the open dialog, checks it, and closes it with Escape (or its close button). */
async function dialogView(page: Page, dialog: Locator, view: string, label: string, found: string[]): Promise<void> {
  await waitUntilSettled(dialog);
  found.push(...(await check(page, view, label)));
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
}

const runs = [
  { locale: 'en-US', colorScheme: 'light', messages: en },
  { locale: 'en-US', colorScheme: 'dark', messages: en },
  { locale: 'zh-CN', colorScheme: 'light', messages: zh },
  { locale: 'zh-CN', colorScheme: 'dark', messages: zh },
] as const;

describe('accessibility (axe-core)', () => {
  for (const { locale, colorScheme, messages: m } of runs) {
    it(`has no critical or serious violation on any screen or dialog, ${locale} ${colorScheme}`, { timeout: 120_000 }, async () => {
      const label = `[${locale} ${colorScheme}]`;
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale, colorScheme, reducedMotion: 'reduce' });
      const page = await context.newPage();
      const found: string[] = [];
      const views: string[] = [];
      const view = async (name: string, shown: Locator = page.locator('body')) => {
        views.push(name);
        await waitUntilSettled(shown);
        found.push(...(await check(page, name, label)));
      };
      try {
        await page.goto(`${core.url}/admin/`);
        await page.locator('input[type=password]').waitFor();
        await view('sign-in');
        await page.locator('input[type=password]').fill(core.token);
        await page.locator('button[type=submit]').click();
        await page.getByRole('heading', { name: m.subkeys.title }).waitFor();
        await view('sub-keys');

        for (const [select, name] of [
          [m.subkeys.status, 'status filter list'],
          [m.subkeys.sortBy, 'sort list'],
        ] as const) {
          await page.getByRole('combobox', { name: select, exact: true }).click();
          await view(name, page.getByRole('listbox', { name: select, exact: true }));
          await page.keyboard.press('Escape');
          await page.getByRole('listbox', { name: select, exact: true }).waitFor({ state: 'hidden' });
        }

        const actions = page.getByRole('button', { name: m.subkeys.actions.replace('{{name}}', 'alice') });
        await actions.click();
        await view('row menu', page.getByRole('menu'));
        await page.keyboard.press('Escape');
        await page.getByRole('menu').waitFor({ state: 'detached' });

        const dialog = page.getByRole('dialog');
        views.push('issue dialog', 'date picker popover', 'edit dialog', 'rotate dialog', 'delete dialog');
        await page.getByRole('button', { name: m.subkeys.issue }).first().click();
        await waitUntilSettled(dialog);
        found.push(...(await check(page, 'issue dialog', label)));
        await dialog.getByRole('radiogroup', { name: m.expiry.label }).getByText(m.expiry.choices.custom, { exact: true }).click();
        await dialog.getByLabel(m.expiry.custom).click();
        await waitUntilSettled(page.locator('[data-dates-dropdown]'));
        found.push(...(await check(page, 'date picker popover', label)));
        await page.keyboard.press('Escape');
        await page.locator('[data-dates-dropdown]').waitFor({ state: 'detached' });
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });

        for (const [item, name] of [
          [m.common.edit, 'edit dialog'],
          [m.subkeys.rotate, 'rotate dialog'],
          [m.common.delete, 'delete dialog'],
        ] as const) {
          await actions.click();
          await page.getByRole('menuitem', { name: item }).click();
          await dialogView(page, dialog, name, label, found);
        }

        views.push('key page');
        await page.getByRole('button', { name: 'alice', exact: true }).click();
        await page.getByTestId('subkey-models-used').waitFor();
        await page.getByTestId('usage-chart').waitFor();
        await waitUntilSettled(page.getByTestId('subkey-page'));
        found.push(...(await check(page, 'key page', label)));
        await page.getByRole('button', { name: m.subkeyPage.back }).click();
        await page.getByRole('heading', { name: m.subkeys.title }).waitFor();

        views.push('secret view');
        await page.getByRole('button', { name: m.subkeys.issue }).first().click();
        await dialog.getByLabel(m.subkeys.name).first().fill(`axe-${locale}-${colorScheme}`);
        await page.keyboard.press('Enter');
        await waitUntilSettled(page.getByTestId('secret-view'));
        found.push(...(await check(page, 'secret view', label)));
        await page.getByTestId('secret-view').getByRole('button', { name: m.secret.done }).click();
        await dialog.waitFor({ state: 'detached' });

        await page.keyboard.press('2');
        await page.getByRole('heading', { name: m.upstreams.title }).waitFor();
        await view('upstreams');
        views.push('add upstream dialog', 'edit upstream dialog', 'remove upstream dialog');
        await page.getByRole('button', { name: m.upstreams.add }).first().click();
        await dialogView(page, dialog, 'add upstream dialog', label, found);
        await page.getByRole('button', { name: `${m.common.edit} Stand-in` }).click();
        await dialogView(page, dialog, 'edit upstream dialog', label, found);
        await page.getByRole('button', { name: `${m.upstreams.remove} Stand-in` }).click();
        await dialogView(page, dialog, 'remove upstream dialog', label, found);

        await page.keyboard.press('3');
        await page.getByRole('heading', { name: m.models.title }).waitFor();
        await view('models');
        await page.keyboard.press('4');
        await page.getByRole('heading', { name: m.usage.title }).waitFor();
        await page.getByTestId('usage-chart').waitFor();
        await view('usage');
        await page.keyboard.press('5');
        await page.getByRole('heading', { name: m.proxy.title }).waitFor();
        await view('proxy');

        for (const [button, name] of [
          [m.app.language, 'language menu'],
          [m.app.theme, 'theme menu'],
        ] as const) {
          await page.getByRole('button', { name: button }).click();
          await view(name, page.getByRole('menu'));
          await page.keyboard.press('Escape');
          await page.getByRole('menu').waitFor({ state: 'detached' });
        }
        console.log(`${label} views checked (${views.length}): ${views.join(', ')}`);
        console.log(`${label} violations by impact so far: ${JSON.stringify(tally)}`);
        expect(found).toEqual([]);
        expect(views.length).toBeGreaterThanOrEqual(21);
      } finally {
        await context.close();
      }
    });
  }
});
