import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Locator, Page } from 'playwright-core';

/** One axe rule that failed, with how bad it is and a few of the elements it failed on. */
export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  targets: string[];
  /** axe's explanation for the first element, to find the cause from the test's output. */
  summary: string;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeWindow {
  axe?: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: AxeViolation['impact']; help: string; nodes: { target: string[]; failureSummary?: string; html: string }[] }[] }> };
  document: unknown;
}

/**
 * Runs axe-core on the page as it is now. The UI's CSP forbids script tags and eval, so axe's source is handed to
 * `page.evaluate` as a function body Playwright compiles through the DevTools protocol, which the CSP does not cover.
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => Boolean((globalThis as unknown as AxeWindow).axe)))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const window = globalThis as unknown as AxeWindow;
    const result = await window.axe!.run(window.document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 4).map((node) => node.target.join(' ')),
      summary: `${violation.nodes[0]?.html.slice(0, 300) ?? ''} ${violation.nodes[0]?.failureSummary ?? ''}`,
    }));
  });
}

/**
 * Waits until `target` and its ancestors are fully opaque and no CSS animation or transition runs on the page. axe
 * skips what is transparent, so a popover checked mid-fade passes whatever it contains.
 */
export async function waitUntilSettled(target: Locator): Promise<void> {
  await target.waitFor();
  // Typed by hand: the tests compile without the DOM library, and this function runs in the page.
  type Node = { parentElement: Node | null };
  type PageWindow = { getComputedStyle(node: Node): { opacity: string }; document: { getAnimations(): { playState: string }[] } };
  await target.page().waitForFunction(
    (element) => {
      const window = globalThis as unknown as PageWindow;
      for (let node = element as unknown as Node | null; node; node = node.parentElement) if (window.getComputedStyle(node).opacity !== '1') return false;
      return window.document.getAnimations().every((animation) => animation.playState !== 'running');
    },
    await target.elementHandle(),
    { polling: 50, timeout: 5_000 },
  );
}
