import { test as base, expect, Page } from '@playwright/test';

// Every test gets the URL of the server that global-setup started and a fresh username.
export const test = base.extend<{ username: string }>({
  baseURL: async ({}, use) => {
    const url = process.env.CARLINK_URL;
    if (!url) throw new Error('CARLINK_URL is not set; global-setup.ts starts the server and sets it');
    await use(url);
  },
  username: async ({}, use, testInfo) => {
    await use(`driver-${testInfo.workerIndex}-${Date.now().toString(36)}`);
  },
});

export { expect };

export const PASSWORD = 'correct horse battery';

/** Waits until the WASM has hydrated the page. */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
}

/** Signs up through the form and waits for the signed-in home page. */
export async function signUp(page: Page, username: string): Promise<void> {
  await page.goto('/signup');
  await waitForHydration(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(username);
}
