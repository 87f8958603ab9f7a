import { test, expect, PASSWORD, signInAtSandbox, signUp, waitForHydration } from './fixtures';
import { startServer, stopServer } from '../server';

test('driver links XPENG and sees the cars', async ({ page, username }) => {
  await signUp(page, username);
  await expect(page.getByRole('heading', { name: 'No cars linked yet' })).toBeVisible();

  await page.getByRole('link', { name: 'Link your car' }).click();
  await expect(page).toHaveURL(/\/link$/);
  await waitForHydration(page);

  // Filtering runs in the WASM.
  await page.getByLabel('Find your brand').fill('xp');
  await expect(page.getByRole('button', { name: 'Tesla' })).toHaveCount(0);
  await page.getByRole('button', { name: 'XPENG' }).click();

  await signInAtSandbox(page, 'duo@sandbox.test', 'duo-pass');
  await expect(page.getByRole('heading', { name: /Allow access/ })).toBeVisible();
  await page.getByRole('button', { name: 'Allow access' }).click();

  // The callback confirms by itself.
  await expect(page).toHaveURL(/\/callback\?state=/);
  await expect(page.getByRole('heading', { name: 'Your XPENG account is linked' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('2 cars are now in carlink.');
  await expect(page.locator('article.vehicle')).toHaveCount(2);

  await page.getByRole('link', { name: 'Go to your cars' }).click();
  await expect(page.getByRole('heading', { name: 'Your cars' })).toBeVisible();
  await expect(page.getByText('Linked', { exact: true })).toBeVisible();
  const cars = page.locator('article.vehicle');
  await expect(cars).toHaveCount(2);
  for (const car of await cars.all()) {
    await expect(car.getByText('Battery')).toBeVisible();
    await expect(car.locator('dd').first()).toHaveText(/^\d+%$/);
    await expect(car.locator('dd').nth(1)).toHaveText(/^\d+ km$/);
    await expect(car.getByText(/Last seen/)).toBeVisible();
  }

  // Reloading the callback page shows the same result and saves nothing twice.
  await page.goBack();
  await expect(page.getByRole('heading', { name: 'Your XPENG account is linked' })).toBeVisible();
  await page.goto('/');
  await expect(page.locator('article.vehicle')).toHaveCount(2);
});

test('keyboard: Enter in the filter picks the first match', async ({ page, username }) => {
  await signUp(page, username);
  await page.goto('/link');
  await waitForHydration(page);
  const filter = page.getByLabel('Find your brand');
  await filter.fill('tes');
  await filter.press('Enter');
  await expect(page).toHaveURL(/\/sandbox\/link\//);
  await expect(page.getByRole('heading', { name: 'Sign in to Tesla' })).toBeVisible();
});

test('cancel at the Link UI explains and starts again', async ({ page, username }) => {
  await signUp(page, username);
  await page.goto('/link');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'XPENG' }).click();

  await expect(page).toHaveURL(/\/sandbox\/link\//);
  const firstLinkUrl = page.url();
  await page.getByRole('button', { name: 'Cancel' }).click();

  await expect(page).toHaveURL(/\/callback\?.*error=access_denied/);
  await expect(page.getByRole('heading', { name: 'Your XPENG account was not linked' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('You cancelled linking your XPENG account');
  await expect(page.getByRole('alert')).toContainText('Nothing was saved');

  await page.getByRole('button', { name: 'Start again' }).click();
  await expect(page).toHaveURL(/\/sandbox\/link\//);
  expect(page.url()).not.toBe(firstLinkUrl);
  await signInAtSandbox(page, 'solo@sandbox.test', 'solo-pass');
  await page.getByRole('button', { name: 'Allow access' }).click();
  await expect(page.getByRole('heading', { name: 'Your XPENG account is linked' })).toBeVisible();
  await expect(page.locator('article.vehicle')).toHaveCount(1);
});

test('signed-out driver returns to the callback after signing in', async ({ page, context, username }) => {
  await signUp(page, username);
  await page.goto('/link');
  await waitForHydration(page);
  await page.getByRole('button', { name: 'XPENG' }).click();
  await signInAtSandbox(page, 'duo@sandbox.test', 'duo-pass');

  // The session ends while the driver is at Enode, for example in another tab.
  await context.clearCookies();
  await page.getByRole('button', { name: 'Allow access' }).click();

  await expect(page).toHaveURL(/\/login\?next=%2Fcallback%3Fstate%3D/);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL(/\/callback\?state=/);
  await expect(page.getByRole('heading', { name: 'Your XPENG account is linked' })).toBeVisible();
});

test.describe('with links that expire after 2 seconds', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  test.beforeAll(async () => {
    server = await startServer({ CARLINK_LINK_LIFETIME_SECS: '2' });
  });
  test.afterAll(() => stopServer(server.process.pid, server.folder));

  test('expired link explains and starts again', async ({ browser, username }) => {
    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    await signUp(page, username);
    await page.goto('/link');
    await waitForHydration(page);
    await page.getByRole('button', { name: 'XPENG' }).click();
    await signInAtSandbox(page, 'duo@sandbox.test', 'duo-pass');
    await page.waitForTimeout(2_500);
    await page.getByRole('button', { name: 'Allow access' }).click();

    await expect(page).toHaveURL(/\/callback\?state=/);
    await expect(page.getByRole('heading', { name: 'Link expired' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('This XPENG link has expired');

    await page.getByRole('button', { name: 'Start again' }).click();
    await signInAtSandbox(page, 'duo@sandbox.test', 'duo-pass');
    await page.getByRole('button', { name: 'Allow access' }).click();
    await expect(page.getByRole('heading', { name: 'Your XPENG account is linked' })).toBeVisible();
    await context.close();
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('link flow works with plain forms', async ({ page, username }) => {
    await signUp(page, username, { hydrated: false });
    await page.goto('/link');
    await page.getByRole('button', { name: 'Škoda' }).click();
    await signInAtSandbox(page, 'fleet@sandbox.test', 'fleet-pass');
    await page.getByRole('button', { name: 'Allow access' }).click();

    await expect(page.getByRole('heading', { name: 'Confirming your Škoda link…' })).toBeVisible();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByRole('heading', { name: 'Your Škoda account is linked' })).toBeVisible();
    await expect(page.locator('article.vehicle')).toHaveCount(3);
  });
});
