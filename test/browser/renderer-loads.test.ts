import { resolve } from 'node:path';
import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser';
import { serveFolder } from '../helpers/static-server';

let browser: Browser;
let server: Server;
let url: string;

beforeAll(async () => {
  ({ url, server } = await serveFolder(resolve(import.meta.dirname, '../../out/renderer')));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe('the built renderer in Chromium', () => {
  it('loads its module script and renders the sign-in screen under the strict CSP without errors', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(url);
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in to Keygate');
    expect(errors).toEqual([]);
  });
});
