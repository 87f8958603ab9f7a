import { test, expect, PASSWORD, signUp, waitForHydration } from './fixtures';

test('start page sends a new visitor to sign-up', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole('heading', { name: 'Create your carlink account' })).toBeVisible();
});

test('sign-up reaches the signed-in page after hydration', async ({ page, username }) => {
  await page.goto('/signup');
  await waitForHydration(page);

  // The Show button works only once the WASM runs: proof that the page hydrated.
  const password = page.getByLabel('Password', { exact: true });
  await password.fill(PASSWORD);
  await expect(password).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(password).toHaveAttribute('type', 'text');

  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Your cars' })).toBeVisible();
  await expect(page.getByText('Signed in as')).toContainText(username);
});

test('sign-out and sign-in again', async ({ page, username }) => {
  await signUp(page, username);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');

  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Your cars' })).toBeVisible();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign-up works as a plain form', async ({ page, username }) => {
    await page.goto('/signup');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { name: 'Your cars' })).toBeVisible();
  });

  test('taken username shows the error', async ({ page, browser, username }) => {
    const first = await browser.newPage({ javaScriptEnabled: false, baseURL: process.env.CARLINK_URL });
    await first.goto('/signup');
    await first.getByLabel('Username').fill(username);
    await first.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await first.getByRole('button', { name: 'Create account' }).click();
    await expect(first.getByRole('heading', { name: 'Your cars' })).toBeVisible();
    await first.close();

    await page.goto('/signup');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('alert')).toContainText('is already taken');
  });
});
