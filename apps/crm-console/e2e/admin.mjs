#!/usr/bin/env node
// End-to-end for the administration pages and the order/product files: the real gateway
// (target/debug/crm, or CRM_BIN) on a temporary SQLite with one administrator made by
// `crm user add … --permissions crm:view,crm:edit,crm:admin`, Nextcloud pointed at the WebDAV
// server of scripts/infra/start-webdav.sh (WEBDAV_URL, WEBDAV_USER, WEBDAV_PASS), Debian's
// Chromium through playwright-core. Screenshots go to artifacts/console/admin-*.png.
// Prints "N passed, N failed" and exits 1 on any failure.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiLogin, launchBrowser, repoDir, startGateway, steps } from './lib.mjs';

const ART = process.env.E2E_ARTIFACTS ?? join(repoDir, 'artifacts/console');
mkdirSync(ART, { recursive: true });
const { WEBDAV_URL, WEBDAV_USER, WEBDAV_PASS } = process.env;
if (!WEBDAV_URL || !WEBDAV_USER || !WEBDAV_PASS) {
  console.error('e2e:admin: WEBDAV_URL, WEBDAV_USER and WEBDAV_PASS must be set: eval "$(scripts/infra/start-webdav.sh)" first');
  process.exit(2);
}

const ADMIN = { name: 'anna', permissions: 'crm:view,crm:edit,crm:admin', password: 'anna-pass-0123' };
const VIEWER = { name: 'eleni', password: 'eleni-pass-0123' };
const TIMEOUT = 15_000;

const base = `e2e-admin-${Date.now().toString(36)}`;
const davRoot = `${WEBDAV_URL}/remote.php/dav/files/${WEBDAV_USER}`;
const auth = 'Basic ' + Buffer.from(`${WEBDAV_USER}:${WEBDAV_PASS}`).toString('base64');
const dav = (path, init = {}) => fetch(`${davRoot}/${base}/${path}`, { ...init, headers: { authorization: auth, ...(init.headers ?? {}) } });
const mk = await dav('', { method: 'MKCOL' });
if (mk.status !== 201) throw new Error(`MKCOL ${base}: ${mk.status}`);

const gw = await startGateway({
  users: [ADMIN],
  env: { CRM_NEXTCLOUD_URL: WEBDAV_URL, CRM_NEXTCLOUD_USER: WEBDAV_USER, CRM_NEXTCLOUD_PASSWORD: WEBDAV_PASS, CRM_NEXTCLOUD_BASE_PATH: base },
});
const browser = await launchBrowser();
let page;
let shotPage;
const { step, expect, finish } = steps({ art: ART, prefix: 'admin-', currentPage: () => shotPage ?? page });
const shot = (p, name) => p.screenshot({ path: join(ART, `admin-${name}.png`), fullPage: true });

async function login(p, user) {
  await p.goto(`${gw.url}/`);
  await p.waitForURL('**/login');
  await p.fill('input[name=username]', user.name);
  await p.fill('input[name=password]', user.password);
  await p.click('button[type=submit]');
  await p.waitForURL('**/customers');
}

async function api(token, method, path, body) {
  const r = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

// Action buttons a view-only user must never see (create/edit/delete/send/upload/call).
const ACTIONS = /^(\+ )?(Νέος πελάτης|Νέα παραγγελία|Νέο προϊόν|Αποθήκευση|Διαγραφή|Ανέβασμα|Αποστολή|Νέο e-mail|Κλήση|Προσθήκη.*)$/;
async function actionButtons(p) {
  await p.waitForLoadState('networkidle');
  const texts = await p.locator('main button, main a.button, main input[type=file]').evaluateAll((els) => els.map((e) => (e.tagName === 'INPUT' ? 'file input' : (e.textContent ?? '').trim())));
  return texts.filter((t) => t === 'file input' || ACTIONS.test(t));
}

try {
  const token = await apiLogin(gw.url, ADMIN.name, ADMIN.password);
  // Records the pages show: a customer with a folder, an order of theirs, a product with a folder holding a file.
  const customer = await api(token, 'POST', '/api/crm/customers', { name: 'Ιερά Μονή Οσίου Λουκά', nextcloud_folder: '05_Customers/IERA_MONI_OSIOU_LOUKA' });
  const order = await api(token, 'POST', '/api/crm/orders', { customer_id: customer.id });
  const product = await api(token, 'POST', '/api/crm/products', { sku: 'CTRL-ADM-1', name: 'Ελεγκτής καμπάνας', category: 'controller', price: '450.00', nextcloud_folder: 'Products/CTRL-ADM-1' });
  for (const p of ['Products', 'Products/CTRL-ADM-1', 'Products/CTRL-ADM-1/Manuals']) await dav(`${p}/`, { method: 'MKCOL' });
  await dav('Products/CTRL-ADM-1/Manuals/wiring.txt', { method: 'PUT', body: 'wiring diagram\n' });

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'el-GR', timezoneId: 'Europe/Athens' });
  ctx.setDefaultTimeout(TIMEOUT);
  page = await ctx.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const vctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'el-GR', timezoneId: 'Europe/Athens' });
  vctx.setDefaultTimeout(TIMEOUT);
  const viewer = await vctx.newPage();
  viewer.on('pageerror', (e) => pageErrors.push(String(e)));

  await step('the administrator sees «Χρήστες» and «Κατάσταση συνδέσεων» in the menu', async () => {
    await login(page, ADMIN);
    await page.locator('header nav a', { hasText: 'Χρήστες' }).waitFor();
    await page.locator('header nav a', { hasText: 'Κατάσταση συνδέσεων' }).waitFor();
  });

  await step('the administrator creates a view-only user in the Users page', async () => {
    await page.click('header nav a:has-text("Χρήστες")');
    await page.waitForURL('**/admin/users');
    await page.locator(`tr[data-user="${ADMIN.name}"]`).waitFor();
    await page.click('button:has-text("Νέος χρήστης")');
    const form = page.locator('[data-testid=new-user]');
    await form.locator('input[name=username]').fill(VIEWER.name);
    await form.locator('input[name=display_name]').fill('Ελένη Παπαδοπούλου');
    await form.locator('input[name=password]').fill('short');
    await form.locator('button[type=submit]').click();
    await form.getByRole('alert').filter({ hasText: 'τουλάχιστον 8 χαρακτήρες' }).waitFor();
    await form.locator('input[name=password]').fill(VIEWER.password);
    expect(await form.locator('input[name="crm:view"]').isChecked(), '«Προβολή» checked by default');
    expect(!(await form.locator('input[name="crm:edit"]').isChecked()), '«Επεξεργασία» not checked');
    await form.locator('button[type=submit]').click();
    const row = page.locator(`tr[data-user="${VIEWER.name}"]`);
    await row.waitFor();
    const perms = await row.locator('td:nth-child(3)').textContent();
    expect(perms === 'Προβολή', `only «Προβολή» in the row's permissions: ${perms}`);
    await shot(page, 'users');
  });

  await step('the view-only user logs in and sees no action buttons and no admin menu', async () => {
    await login(viewer, VIEWER);
    await viewer.locator('.badge', { hasText: 'Μόνο ανάγνωση' }).waitFor();
    const nav = await viewer.locator('header nav').textContent();
    expect(!nav.includes('Χρήστες') && !nav.includes('Κατάσταση συνδέσεων'), `no admin menu: ${nav}`);
    for (const path of ['/customers', `/customers/${customer.id}`, '/orders', `/orders/${order.id}`, '/products', `/products/${product.id}`]) {
      await viewer.goto(`${gw.url}${path}`);
      await viewer.locator('main h1, main h2').first().waitFor();
      const found = await actionButtons(viewer);
      expect(found.length === 0, `no action buttons on ${path}, found ${found.join(', ')}`);
    }
    await viewer.goto(`${gw.url}/orders/${order.id}`);
    await viewer.locator('[data-testid=order-files]').waitFor();
    await shot(viewer, 'viewer-order');
    await viewer.goto(`${gw.url}/admin/users`);
    await viewer.locator('main', { hasText: 'Δεν βρέθηκε' }).waitFor();
  });

  await step('the administrator disables the user; their next request is refused and they are back at login', async () => {
    await page.locator(`tr[data-user="${VIEWER.name}"] button:has-text("Επεξεργασία")`).click();
    const edit = page.locator(`[data-testid="edit-${VIEWER.name}"]`);
    await edit.locator('button:has-text("Απενεργοποίηση")').click();
    await page.locator(`tr[data-user="${VIEWER.name}"]`, { hasText: 'Απενεργοποιημένος' }).waitFor();
    await edit.locator('button:has-text("Ενεργοποίηση")').waitFor();
    await shot(page, 'users-disabled');
    // The viewer's page is still open: its next request (the order list) gets 401.
    await viewer.click('header nav a:has-text("Παραγγελίες")');
    await viewer.waitForURL('**/login**');
    await viewer.locator('input[name=username]').waitFor();
    const r = await fetch(`${gw.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: VIEWER.name, password: VIEWER.password }) });
    expect(r.status === 401, `a disabled user cannot log in again (got ${r.status})`);
  });

  await step('the Users page says the server refusals in Greek (disabling oneself)', async () => {
    await page.locator(`tr[data-user="${ADMIN.name}"] button:has-text("Επεξεργασία")`).click();
    const edit = page.locator(`[data-testid="edit-${ADMIN.name}"]`);
    await edit.locator('button:has-text("Απενεργοποίηση")').click();
    await edit.getByRole('alert').filter({ hasText: 'Δεν μπορείτε να απενεργοποιήσετε τον εαυτό σας' }).waitFor();
  });

  await step('the integrations page shows Nextcloud reachable', async () => {
    await page.click('header nav a:has-text("Κατάσταση συνδέσεων")');
    await page.waitForURL('**/admin/integrations');
    await page.locator('[data-testid=nextcloud] [data-ok=true]', { hasText: 'Προσβάσιμο' }).waitFor();
    await page.locator('[data-testid=queues]').waitFor();
    const text = await page.locator('main').textContent();
    expect(text.includes('Ανανεώνεται αυτόματα κάθε 10 δευτερόλεπτα'), 'says it refreshes');
    await shot(page, 'integrations');
  });

  await step('an order file is uploaded into the order folder and listed on the order', async () => {
    await page.goto(`${gw.url}/orders/${order.id}`);
    const files = page.locator('[data-testid=order-files]');
    await files.locator('code', { hasText: `05_Customers/IERA_MONI_OSIOU_LOUKA/Orders/${order.order_number}` }).waitFor();
    await files.locator('input[type=file]').setInputFiles({ name: 'timologio.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% e2e\n') });
    await files.locator('button:has-text("Ανέβασμα")').click();
    await files.locator('[data-file="timologio.pdf"]').waitFor();
    const got = await dav(`05_Customers/IERA_MONI_OSIOU_LOUKA/Orders/${order.order_number}/timologio.pdf`);
    expect(got.status === 200, `the file is in the order's folder on WebDAV (got ${got.status})`);
    const listed = await api(token, 'GET', `/api/crm/media?order_id=${order.id}`);
    expect(listed.items.some((m) => m.filename === 'timologio.pdf' && m.order_id === order.id), 'a media record with the order id');
    const [dl] = await Promise.all([page.waitForEvent('download'), files.locator('[data-file="timologio.pdf"] button').click()]);
    expect(dl.suggestedFilename() === 'timologio.pdf', `download named timologio.pdf, got ${dl.suggestedFilename()}`);
    await shot(page, 'order-files');
  });

  await step('the orders list filters by payment status', async () => {
    await page.goto(`${gw.url}/orders`);
    await page.locator('.orders', { hasText: order.order_number }).waitFor();
    await page.selectOption('select[name=payment-filter]', 'paid');
    await page.locator('main', { hasText: 'Δεν βρέθηκε τίποτα' }).waitFor();
    await page.selectOption('select[name=payment-filter]', 'pending');
    await page.locator('.orders', { hasText: order.order_number }).waitFor();
    await shot(page, 'orders-payment-filter');
  });

  await step("the product's Nextcloud folder is browsable from the product", async () => {
    await page.goto(`${gw.url}/products/${product.id}`);
    const folder = page.locator('[data-testid=product-folder]');
    await folder.locator('[data-file="Manuals"] button').click();
    await folder.locator('[data-file="wiring.txt"]').waitFor();
    await shot(page, 'product-folder');
    await folder.locator('button:has-text("Επάνω")').click();
    await folder.locator('[data-file="Manuals"]').waitFor();
  });

  await step('no uncaught errors in the pages', async () => {
    expect(pageErrors.length === 0, `no page errors, got ${pageErrors.join('; ')}`);
  });
  await vctx.close();
  await ctx.close();
} finally {
  await browser.close().catch(() => {});
  await gw.stop();
  await dav('', { method: 'DELETE' }).catch(() => {});
}

console.log(`screenshots in ${ART}`);
finish('e2e:admin: ');
