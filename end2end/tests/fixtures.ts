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
export async function signUp(page: Page, username: string, options = { hydrated: true }): Promise<void> {
  await page.goto('/signup');
  if (options.hydrated) await waitForHydration(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Signed in as')).toContainText(username);
}

/** Signs in to the sandbox's Link UI with a sandbox account; the consent page follows. */
export async function signInAtSandbox(page: Page, email: string, password: string): Promise<void> {
  await expect(page).toHaveURL(/\/sandbox\/link\//);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
