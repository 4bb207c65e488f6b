#!/usr/bin/env node
// End-to-end: the real gateway binary (target/debug/crm, or CRM_BIN) on a temporary SQLite,
// Nextcloud pointed at the WebDAV server of scripts/infra/start-webdav.sh (WEBDAV_URL,
// WEBDAV_USER, WEBDAV_PASS must be set), and Debian's Chromium driven by playwright-core.
// Screenshots of each main page go to artifacts/console/. Prints "N passed, N failed".
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiLogin, launchBrowser, repoDir, startGateway, steps } from './lib.mjs';

const ART = process.env.E2E_ARTIFACTS ?? join(repoDir, 'artifacts/console');
mkdirSync(ART, { recursive: true });
const { WEBDAV_URL, WEBDAV_USER, WEBDAV_PASS } = process.env;
if (!WEBDAV_URL || !WEBDAV_USER || !WEBDAV_PASS) {
  console.error('e2e: WEBDAV_URL, WEBDAV_USER and WEBDAV_PASS must be set: eval "$(scripts/infra/start-webdav.sh)" first');
  process.exit(2);
}

const EDITOR = { name: 'maria', permissions: 'crm:view,crm:edit', password: 'maria-pass-0123' };
const VIEWER = { name: 'nikos', permissions: 'crm:view', password: 'nikos-pass-0123' };
const CUSTOMER = 'Ιερός Ναός Αγίου Νικολάου';
const TIMEOUT = 15_000;

// A base folder of its own in the WebDAV user's tree, so runs never see each other's files.
const base = `e2e-${Date.now().toString(36)}`;
const davRoot = `${WEBDAV_URL}/remote.php/dav/files/${WEBDAV_USER}`;
const auth = 'Basic ' + Buffer.from(`${WEBDAV_USER}:${WEBDAV_PASS}`).toString('base64');
const mk = await fetch(`${davRoot}/${base}/`, { method: 'MKCOL', headers: { authorization: auth } });
if (mk.status !== 201) throw new Error(`MKCOL ${base}: ${mk.status}`);

const gw = await startGateway({
  users: [EDITOR, VIEWER],
  env: { CRM_NEXTCLOUD_URL: WEBDAV_URL, CRM_NEXTCLOUD_USER: WEBDAV_USER, CRM_NEXTCLOUD_PASSWORD: WEBDAV_PASS, CRM_NEXTCLOUD_BASE_PATH: base },
});
const browser = await launchBrowser();
const state = {};
let page;
const { step, expect, finish } = steps({ art: ART, currentPage: () => page });
const shot = (name) => page.screenshot({ path: join(ART, `${name}.png`), fullPage: true });
const digits = (s) => (s ?? '').replace(/\D/g, '');

async function login(p, user) {
  await p.goto(`${gw.url}/`);
  await p.waitForURL('**/login');
  await p.fill('input[name=username]', user.name);
  await p.fill('input[name=password]', user.password);
  await p.click('button[type=submit]');
  await p.waitForURL('**/customers');
}

try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'el-GR', timezoneId: 'Europe/Athens' });
  ctx.setDefaultTimeout(TIMEOUT);
  page = await ctx.newPage();
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  await step('login page, wrong password in words, then log in', async () => {
    await page.goto(`${gw.url}/`);
    await page.waitForURL('**/login');
    await page.fill('input[name=username]', EDITOR.name);
    await page.fill('input[name=password]', 'wrong');
    await page.click('button[type=submit]');
    await page.getByRole('alert').filter({ hasText: 'Λάθος όνομα χρήστη ή κωδικός' }).waitFor();
    await shot('login');
    await page.fill('input[name=password]', EDITOR.password);
    await page.click('button[type=submit]');
    await page.waitForURL('**/customers');
  });

  await step('create a product: server-computed costs and stock shown', async () => {
    await page.click('header nav >> text=Προϊόντα');
    await page.click('text=Νέο προϊόν');
    await page.waitForURL('**/products/new');
    await page.fill('input[name=name]', 'VESPER Ελεγκτής καμπανών');
    await page.fill('input[name=sku]', 'VESPER-E2E');
    await page.selectOption('select[name=category]', 'controller');
    await page.fill('input[name=price]', '1.200,50'); // typed the Greek way
    await page.selectOption('select[name=vat_rate]', '24');
    for (const [k, v] of Object.entries({ pcb: '30', components: '45,20', enclosure: '12', labor_hours: '2,5', labor_rate: '20', shipping_in: '5' })) {
      await page.fill(`input[name="costs.${k}"]`, v);
    }
    await page.fill('input[name="stock.on_hand"]', '10');
    await page.fill('input[name="stock.reserved"]', '3');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/products\/[0-9a-f-]{36}$/);
    await page.getByTestId('costs-total').filter({ hasText: '142,20' }).waitFor(); // 30+45.20+12+2.5×20+5
    expect((await page.getByTestId('stock-available').textContent()) === '7', 'available 7');
    const price = await page.inputValue('input[name=price]');
    expect(/^1\.200,50?$/.test(price), `the saved price shown as 1.200,50, got ${price}`);
    const hours = await page.inputValue('input[name="costs.labor_hours"]');
    expect(/^2,50*$/.test(hours), `labour hours shown as 2,5, got ${hours}`);
    expect(!/\bv\d+\b/.test(await page.locator('main .toolbar').first().textContent()), 'no record version shown');
    await shot('product');
    await page.click('text=‹ Προϊόντα');
    await page.locator('table.list >> text=VESPER Ελεγκτής καμπανών').waitFor();
    await page.fill('input[type=search]', 'vesper');
    await page.locator('table.list >> text=VESPER-E2E').waitFor();
    await shot('products');
  });

  await step('create a customer with a Greek name and a phone', async () => {
    await page.click('header nav >> text=Πελάτες');
    await page.click('text=Νέος πελάτης');
    await page.fill('input[name=name]', CUSTOMER);
    await page.fill('input[name=phone]', '691 234 5678');
    await page.fill('input[name=city]', 'Θεσσαλονίκη');
    await page.fill('input[name=tags]', 'ναός, καμπαναριό');
    expect((await page.inputValue('input[name=nextcloud_folder]')) === '05_Customers/ΙΕΡΟΣ_ΝΑΟΣ_ΑΓΙΟΥ_ΝΙΚΟΛΑΟΥ', 'a suggested folder');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
    state.customerId = page.url().split('/').pop();
    await page.locator('h1', { hasText: CUSTOMER }).waitFor();
    await shot('customer-overview');
    await page.click('role=tab[name="Επαφές"]');
    await page.locator('text=+306912345678').waitFor();
    await shot('customer-contacts');
  });

  await step('one login serves every tab: a second tab opens the customer without logging in', async () => {
    const tab2 = await ctx.newPage();
    tab2.on('pageerror', (e) => consoleErrors.push(String(e)));
    await tab2.goto(`${gw.url}/customers/${state.customerId}?tab=contacts`);
    await tab2.locator('h1', { hasText: CUSTOMER }).waitFor();
    expect(new URL(tab2.url()).pathname === `/customers/${state.customerId}`, `the customer's page, got ${tab2.url()}`);
    await tab2.locator('text=+306912345678').waitFor();
    await tab2.close();
  });

  await step('a deep link in a fresh browser logs in and lands on that page', async () => {
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'el-GR' });
    fresh.setDefaultTimeout(TIMEOUT);
    try {
      const p = await fresh.newPage();
      const deep = `/customers/${state.customerId}?tab=contacts`;
      await p.goto(`${gw.url}${deep}`);
      await p.waitForURL(/\/login\?next=/);
      await p.fill('input[name=username]', EDITOR.name);
      await p.fill('input[name=password]', EDITOR.password);
      await p.click('button[type=submit]');
      await p.waitForURL(`${gw.url}${deep}`);
      await p.locator('h1', { hasText: CUSTOMER }).waitFor();
      await p.locator('text=+306912345678').waitFor();
    } finally {
      await fresh.close();
    }
  });

  await step('contacts and owned items: add, save, still there after a reload', async () => {
    await page.goto(`${gw.url}/customers/${state.customerId}?tab=contacts`);
    await page.click('button:has-text("+ Προσθήκη")');
    const row = page.locator('table.list tbody tr').nth(1);
    await row.locator('select').selectOption('email');
    await row.locator('input').nth(0).fill('naos.nikolaou@example.gr');
    await row.locator('input').nth(1).fill('Γραφείο');
    await page.click('button[type=submit]:has-text("Αποθήκευση")');
    await page.locator('text=Αποθηκεύτηκε.').waitFor();
    await page.goto(`${gw.url}/customers/${state.customerId}?tab=owned`);
    await page.click('button:has-text("+ Προσθήκη")');
    await page.locator('.owned select').first().selectOption('freetext');
    await page.locator('.owned label:has-text("Περιγραφή") input').fill('Παλιός ηλεκτρομηχανικός κρουστήρας');
    await page.locator('.owned label:has-text("Σειριακός αριθμός") input').fill('EMK-1987');
    await page.click('button:has-text("+ Προσθήκη")');
    await page.locator('.owned').nth(1).locator('select').first().selectOption('console_device');
    await page.locator('.owned').nth(1).locator('label:has-text("Αναγνωριστικό συσκευής") input').fill('dev-42');
    await page.click('button[type=submit]:has-text("Αποθήκευση")');
    await page.locator('text=Αποθηκεύτηκε.').waitFor();
    await page.reload();
    await page.locator('.owned label:has-text("Σειριακός αριθμός") input').waitFor();
    expect((await page.locator('.owned label:has-text("Σειριακός αριθμός") input').inputValue()) === 'EMK-1987', 'the owned item saved');
    expect((await page.locator('.owned label:has-text("Αναγνωριστικό συσκευής") input').inputValue()) === 'dev-42', 'the device saved');
    await shot('customer-owned');
    await page.goto(`${gw.url}/customers/${state.customerId}?tab=contacts`);
    await page.locator('table.list tbody tr').nth(1).waitFor();
    expect((await page.locator('table.list tbody tr').nth(1).locator('input').first().inputValue()) === 'naos.nikolaou@example.gr', 'the e-mail contact saved');
  });

  await step('find the customer by typing without accents', async () => {
    await page.click('header nav >> text=Πελάτες');
    await page.locator('input[type=search]').first().pressSequentially('αγιου νικολαου', { delay: 20 });
    await page.locator('table.customers[data-query="αγιου νικολαου"]').getByRole('link', { name: CUSTOMER }).waitFor();
    await shot('customers');
  });

  await step('create an order with VAT: live totals while typing, then the server totals', async () => {
    await page.goto(`${gw.url}/customers/${state.customerId}?tab=orders`);
    await page.click('text=Νέα παραγγελία');
    await page.waitForURL('**/orders/new?customer=*');
    await page.click('text=Προσθήκη είδους');
    await page.click('text=Προσθήκη είδους');
    const rows = page.locator('table.items tbody tr');
    await rows.nth(0).locator('select[aria-label="Προϊόν"] option', { hasText: 'VESPER' }).waitFor({ state: 'attached' });
    const productId = await rows.nth(0).locator('select[aria-label="Προϊόν"] option', { hasText: 'VESPER' }).getAttribute('value');
    await rows.nth(0).locator('select[aria-label="Προϊόν"]').selectOption(productId);
    expect((await rows.nth(0).locator('select[aria-label="ΦΠΑ"]').inputValue()) === '24', "the line takes the product's VAT rate");
    const live = page.locator('[data-testid="totals"][data-source="live"]');
    await live.waitFor();
    // 1 × 1.200,50 + 24 % = 1.488,62; typing «2» makes it 2 × 1.200,50 + 24 % = 2.977,24 before any save
    await page.getByTestId('total').filter({ hasText: '1.488,62' }).waitFor();
    await rows.nth(0).locator('input[aria-label="Ποσότητα"]').fill('');
    await rows.nth(0).locator('input[aria-label="Ποσότητα"]').pressSequentially('2', { delay: 20 });
    await page.getByTestId('total').filter({ hasText: '2.977,24' }).waitFor();
    await page.getByTestId('line-0').filter({ hasText: '2.401,00' }).waitFor();
    await rows.nth(0).locator('input[aria-label="Σειριακοί αριθμοί"]').fill('VSP-0001, VSP-0002');
    await rows.nth(1).locator('select[aria-label="Τύπος"]').selectOption('service');
    await rows.nth(1).locator('input[aria-label="Περιγραφή"]').fill('Εγκατάσταση στο καμπαναριό');
    await rows.nth(1).locator('input[aria-label="Τιμή μονάδας"]').fill('150');
    await page.selectOption('select[name="discount.type"]', 'percentage');
    await page.fill('input[name="discount.value"]', '10');
    await page.fill('input[name="discount.reason"]', 'Ενορία');
    // the preview before saving: 2.551,00 − 10 % = 2.295,90 net, VAT 24 % 551,02, payable 2.846,92
    await page.getByTestId('total').filter({ hasText: '2.846,92' }).waitFor();
    expect(digits(await page.getByTestId('vat-24').textContent()) === '55102', 'live VAT 551,02');
    await shot('order-live');
    await page.click('button[type=submit]:has-text("Αποθήκευση")');
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    state.orderId = page.url().split('/').pop();
    await page.locator('[data-testid="totals"][data-source="server"]').waitFor();
    state.orderNumber = (await page.locator('h1').textContent()).match(/ORD-\d{4}-\d+/)?.[0];
    const sub = await page.getByTestId('subtotal').textContent();
    const total = await page.getByTestId('total').textContent();
    expect(digits(sub) === '255100', `subtotal 2.551,00 (2 × 1200.50 + 150), got ${sub}`);
    expect(digits(await page.getByTestId('net-total').textContent()) === '229590', 'net 2.295,90 (10% off)');
    expect(digits(await page.getByTestId('vat-total').textContent()) === '55102', 'VAT 551,02');
    expect(digits(total) === '284692', `the server's payable 2.846,92, got ${total}`);
    expect((await page.getByTestId('totals-mismatch').count()) === 0, 'the preview agrees with the server');
    // the server's figure, read over the API, is the one on screen
    const token = await apiLogin(gw.url, EDITOR.name, EDITOR.password);
    const saved = await (await fetch(`${gw.url}/api/crm/orders/${state.orderId}`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(Number(saved.total_price) === 2846.92, `the API says 2846.92, got ${saved.total_price}`);
    await page.click('.card >> button:has-text("Επιβεβαιωμένη")');
    await page.locator('.toolbar .status', { hasText: 'Επιβεβαιωμένη' }).waitFor();
    await page.locator('table.list >> text=Πρόχειρη →').waitFor();
    await shot('order');
    await page.click('header nav >> text=Παραγγελίες');
    await page.locator('table.list >> text=Ιερός Ναός').first().waitFor();
    await shot('orders');
  });

  await step('order documents: the quotation downloads as a PDF that reads right', async () => {
    await page.goto(`${gw.url}/orders/${state.orderId}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Προσφορά (PDF)")')]);
    const name = download.suggestedFilename();
    expect(name === `Prosfora-${state.orderNumber}.pdf`, `the file named Prosfora-${state.orderNumber}.pdf, got ${name}`);
    const file = join(ART, name);
    await download.saveAs(file);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const want of ['Προσφορά', state.orderNumber, CUSTOMER, 'Εγκατάσταση στο καμπαναριό', 'Καθαρή αξία', 'Πληρωτέο', '2.846,92 €']) {
      expect(text.includes(want), `«${want}» in the PDF's text`);
    }
    const [conf] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Επιβεβαίωση (PDF)")')]);
    expect(/^Epivevaiosi-ORD-/.test(conf.suggestedFilename()), `a confirmation file, got ${conf.suggestedFilename()}`);
    await page.locator('.documents [role=alert]').waitFor({ state: 'detached', timeout: 1000 }).catch(() => {});
    expect((await page.locator('.documents [role=alert]').count()) === 0, 'no error shown');
  });

  await step('orders search finds an order by customer name and by number', async () => {
    await page.click('header nav >> text=Παραγγελίες');
    const box = page.getByPlaceholder('Αριθμός ή πελάτης');
    await box.pressSequentially('αγιου νικολαου', { delay: 20 });
    await page.locator('.orders[data-query="αγιου νικολαου"]').getByRole('link', { name: state.orderNumber }).waitFor();
    const seq = state.orderNumber.split('-').pop();
    await box.fill('');
    await box.pressSequentially(seq, { delay: 20 });
    await page.locator(`.orders[data-query="${seq}"]`).getByRole('link', { name: state.orderNumber }).waitFor();
    await box.fill('');
    await box.pressSequentially('καμια τετοια εκκλησια', { delay: 10 });
    await page.locator('.orders[data-query="καμια τετοια εκκλησια"]').waitFor();
    expect((await page.locator('.orders table tbody tr').count()) === 0, 'nothing for an unknown name');
    await shot('orders-search');
  });

  await step("an e-mail to the customer offers the order's documents as attachments", async () => {
    await page.goto(`${gw.url}/customers/${state.customerId}?tab=comms`);
    await page.click('button:has-text("Νέο e-mail")');
    const docs = page.locator('.attach-documents label');
    await docs.first().waitFor();
    const labels = (await docs.allTextContents()).map((x) => x.trim());
    expect(labels.includes(`Προσφορά ${state.orderNumber}`) && labels.includes(`Επιβεβαίωση ${state.orderNumber}`), `the order's documents listed, got ${labels.join(', ')}`);
    expect((await page.inputValue('.email-form input[name=to]')) === 'naos.nikolaou@example.gr', "the customer's e-mail address filled in");
    await page.fill('.email-form input[name=subject]', 'Η προσφορά μας');
    await page.fill('.email-form textarea[name=text]', 'Σας στέλνουμε την προσφορά για το καμπαναριό.');
    await docs.filter({ hasText: 'Προσφορά' }).locator('input[type=checkbox]').check();
    await shot('email-compose');
    // this gateway has no mail account: the answer is a Greek sentence, not a code
    await page.click('.email-form button[type=submit]');
    await page.locator('.email-form [role=alert]', { hasText: 'Το e-mail δεν έχει ρυθμιστεί' }).waitFor();
  });

  await step('errors in Greek words: a bad phone, a customer with orders not deleted', async () => {
    await page.click('header nav >> text=Πελάτες');
    await page.click('text=Νέος πελάτης');
    await page.fill('input[name=name]', 'Ενορία Δοκιμής');
    await page.fill('input[name=phone]', '12');
    await page.click('button[type=submit]');
    const bad = page.getByRole('alert').filter({ hasText: 'Το τηλέφωνο δεν είναι έγκυρο.' });
    await bad.waitFor();
    const text = await bad.textContent();
    expect(!/contacts|\[|phone number|invalid_field/.test(text), `no field path or server text, got ${text}`);
    await shot('error-phone');
    await page.goto(`${gw.url}/customers/${state.customerId}?tab=overview`);
    await page.click('main button.danger:has-text("Διαγραφή")');
    await page.click('.confirm button:has-text("Ναι")');
    const inUse = page.getByRole('alert').filter({ hasText: 'Ο πελάτης έχει παραγγελίες και δεν διαγράφεται.' });
    await inUse.waitFor();
    expect(!/[0-9a-f]{8}-|cannot|in_use/.test(await inUse.textContent()), 'no id, English or code');
    await page.locator('h1', { hasText: CUSTOMER }).waitFor();
  });

  await step('log a call and see it on the timeline (and through the type filter)', async () => {
    await page.goto(`${gw.url}/customers/${state.customerId}?tab=comms`);
    await page.selectOption('select[name=type]', 'call');
    await page.selectOption('select[name=direction]', 'inbound');
    await page.fill('input[name=subject]', 'Ρώτησε για το ρολόι του καμπαναριού');
    await page.fill('textarea[name=body]', 'Ο π. Νικόλαος θέλει προσφορά για αυτόματο κρουστήρα.');
    const when = await page.inputValue('input[name=occurred_at]');
    expect(/^\d{2}\/\d{2}\/\d{4} ([01]\d|2[0-3]):[0-5]\d$/.test(when), `the time field in Greek 24-hour form, got ${when}`);
    await page.click('button:has-text("Καταχώριση")');
    await page.locator('.timeline >> text=Ρώτησε για το ρολόι του καμπαναριού').waitFor();
    await page.locator('.timeline >> text=ORD-').first().waitFor(); // the order is on the timeline too
    const times = await page.locator('.timeline').first().textContent();
    expect(/\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}/.test(times) && !/[πμ]\.μ\./.test(times), `24-hour times on the timeline, got ${times.slice(0, 200)}`);
    await page.selectOption('select[aria-label="Τύπος"]', 'call');
    await page.locator('.timeline >> text=Ρώτησε για το ρολόι του καμπαναριού').waitFor();
    await page.selectOption('select[aria-label="Τύπος"]', 'email');
    await page.locator('text=Δεν βρέθηκε τίποτα.').waitFor();
    await page.selectOption('select[aria-label="Τύπος"]', '');
    await page.locator('.timeline >> text=Ρώτησε για το ρολόι του καμπαναριού').waitFor();
    await shot('customer-comms');
  });

  await step('upload a photo to the customer media and see its thumbnail', async () => {
    await page.goto(`${gw.url}/customers/${state.customerId}?tab=media`);
    const photo = await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: 320, height: 200 } });
    await page.selectOption('select[name=subfolder]', 'Received Media');
    await page.setInputFiles('input[type=file]', { name: 'καμπαναριό.png', mimeType: 'image/png', buffer: photo });
    await page.click('button:has-text("Μεταφόρτωση")');
    const img = page.locator('.files img.thumb[alt="καμπαναριό.png"]');
    await img.waitFor();
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
    expect((await img.evaluate((el) => el.naturalWidth)) === 320, 'the thumbnail to be the 320 px photo');
    await page.locator('.files >> text=Ληφθέν').waitFor();
    await shot('customer-media');
  });

  await step('a stale edit shows the conflict message and the fresh version', async () => {
    await page.goto(`${gw.url}/customers/${state.customerId}?tab=overview`);
    await page.locator('input[name=city]').waitFor();
    await page.fill('input[name=city]', 'Αθήνα');
    // Behind the page's back: someone else changes the record.
    const token = await apiLogin(gw.url, EDITOR.name, EDITOR.password);
    const r = await fetch(`${gw.url}/api/crm/customers/${state.customerId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ organization: 'Μητρόπολη Θεσσαλονίκης' }),
    });
    expect(r.ok, `the API PUT to succeed (${r.status})`);
    await page.click('button[type=submit]:has-text("Αποθήκευση")');
    await page.locator('.error.conflict', { hasText: 'Κάποιος άλλος άλλαξε αυτή την εγγραφή' }).waitFor();
    expect((await page.inputValue('input[name=organization]')) === 'Μητρόπολη Θεσσαλονίκης', 'the fresh version in the form');
    expect((await page.inputValue('input[name=city]')) === 'Θεσσαλονίκη', 'the unsaved edit not applied');
    const fresh = await (await fetch(`${gw.url}/api/crm/customers/${state.customerId}`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(fresh.location.city === 'Θεσσαλονίκη', 'nothing overwritten on the server');
    await shot('conflict');
  });

  await step('the unassigned inbox: assign an entry to the customer', async () => {
    const token = await apiLogin(gw.url, EDITOR.name, EDITOR.password);
    const r = await fetch(`${gw.url}/api/crm/comms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'sms', direction: 'inbound', sender: '+30 697 000 1111', body: 'Καλησπέρα, χτυπάει λάθος ώρα η καμπάνα.' }),
    });
    expect(r.status === 201, `an inbox entry (${r.status})`);
    await page.reload(); // the menu asks again when the page changes or loads
    await page.getByTestId('inbox-count').filter({ hasText: /^1$/ }).waitFor();
    await page.click('header nav >> text=Εισερχόμενα');
    await page.locator('.timeline >> text=χτυπάει λάθος ώρα').waitFor();
    await shot('inbox');
    await page.fill('input[aria-label="Ανάθεση σε πελάτη"]', 'νικολαου');
    // Beside the name: organisation, city and phone, to tell namesakes apart.
    const pick = page.locator(`.suggestions button:has-text("Ανάθεση → ${CUSTOMER}")`);
    await pick.waitFor();
    const pickText = await pick.textContent();
    expect(/Μητρόπολη Θεσσαλονίκης · Θεσσαλονίκη · 691 234 5678/.test(pickText ?? ''), `organisation, city and phone in the picker, got ${pickText}`);
    await page.click(`button:has-text("Ανάθεση → ${CUSTOMER}")`);
    await page.locator('text=Ανατέθηκαν 1.').waitFor();
    await page.locator('text=Τα εισερχόμενα είναι άδεια.').waitFor();
    await page.getByTestId('inbox-count').waitFor({ state: 'detached' });
  });

  await step('English is one click away', async () => {
    await page.click('header .lang >> text=EN');
    await page.locator('header nav >> text=Customers').waitFor();
    await page.goto(`${gw.url}/customers/${state.customerId}?tab=comms`);
    await page.locator('text=Timeline').waitFor();
    await shot('customer-comms-en');
    await page.click('header .lang >> text=ΕΛ');
    await page.locator('header nav >> text=Πελάτες').waitFor();
  });

  await step('logging out in one tab logs out every tab', async () => {
    const tab2 = await ctx.newPage();
    await tab2.goto(`${gw.url}/orders`);
    await tab2.locator('header nav >> text=Παραγγελίες').waitFor();
    await page.click('header button:has-text("Αποσύνδεση")');
    await page.waitForURL('**/login');
    await tab2.waitForURL(/\/login\?next=%2Forders$/);
    await tab2.close();
    await login(page, EDITOR);
  });

  await step('an expired or forged session goes back to login', async () => {
    await page.evaluate(() => localStorage.setItem('crm.token', 'e30.e30.forged'));
    await page.goto(`${gw.url}/customers`);
    await page.waitForURL(/\/login\?next=%2Fcustomers$/);
  });

  await step('a view-only user sees no edit controls', async () => {
    const vctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'el-GR' });
    vctx.setDefaultTimeout(TIMEOUT);
    const v = await vctx.newPage();
    await login(v, VIEWER);
    const editControls = async (where) => {
      const n = await v.locator('button.primary, a.button.primary, button.danger, .entry-form, .upload, .note-form').count();
      const enabled = await v.locator('main fieldset:not([disabled]) input, main fieldset:not([disabled]) select').count();
      expect(n === 0 && enabled === 0, `no edit controls on ${where} (found ${n} buttons, ${enabled} enabled fields)`);
    };
    await v.locator('table.customers >> text=Ιερός Ναός').waitFor();
    await v.locator('header >> text=Μόνο ανάγνωση').waitFor();
    await editControls('customers');
    for (const tab of ['overview', 'contacts', 'owned', 'orders', 'comms', 'media']) {
      await v.goto(`${gw.url}/customers/${state.customerId}?tab=${tab}`);
      await v.locator('h1', { hasText: CUSTOMER }).waitFor();
      await v.waitForLoadState('networkidle');
      await editControls(`customer ${tab}`);
      if (tab === 'overview') await v.screenshot({ path: join(ART, 'viewer-customer.png'), fullPage: true });
    }
    await v.goto(`${gw.url}/orders/${state.orderId}`);
    await v.getByTestId('total').filter({ hasText: /\d/ }).waitFor();
    await editControls('order');
    await v.goto(`${gw.url}/products`);
    await v.locator('table.list >> text=VESPER-E2E').waitFor();
    await editControls('products');
    await vctx.close();
  });

  await step('the API viewer at /api/docs works without internet', async () => {
    const docs = await ctx.newPage();
    // nothing but this server: a request anywhere else fails the step
    const outside = [];
    await docs.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (r) => { outside.push(r.request().url()); return r.abort(); });
    await docs.goto(`${gw.url}/api/docs`);
    await docs.waitForFunction(() => customElements.get('rapi-doc') !== undefined);
    // RapiDoc read the OpenAPI document: its title and the operations' summaries are shown
    const listed = await docs.getByText('List or search customers.').first().waitFor().then(() => true, () => false);
    await docs.screenshot({ path: join(ART, 'api-docs.png') });
    expect(listed, 'the operations listed (see api-docs.png)');
    expect(await docs.getByText('BellSystems CRM API').first().isVisible(), 'the API title');
    expect(outside.length === 0, `no request outside this server, got ${outside.join(', ')}`);
    await docs.close();
  });

  await step('files without Nextcloud: no upload, ask the administrator', async () => {
    const bare = await startGateway({ users: [EDITOR] }); // no CRM_NEXTCLOUD_*
    const bctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'el-GR' });
    bctx.setDefaultTimeout(TIMEOUT);
    try {
      const token = await apiLogin(bare.url, EDITOR.name, EDITOR.password);
      const r = await fetch(`${bare.url}/api/crm/customers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Ιερά Μονή Βλατάδων', nextcloud_folder: '05_Customers/ΙΕΡΑ_ΜΟΝΗ_ΒΛΑΤΑΔΩΝ' }),
      });
      expect(r.status === 201, `a customer (${r.status})`);
      const id = (await r.json()).id;
      const form = new FormData();
      form.append('nextcloud_path', '05_Customers/ΙΕΡΑ_ΜΟΝΗ_ΒΛΑΤΑΔΩΝ/Internal');
      form.append('file', new Blob(['x'], { type: 'text/plain' }), 'a.txt');
      const up = await fetch(`${bare.url}/api/crm/nextcloud/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
      expect(up.status === 503 && (await up.json()).error.code === 'nextcloud_not_configured', `the API says nextcloud_not_configured (${up.status})`);
      const b = await bctx.newPage();
      await b.goto(`${bare.url}/customers/${id}?tab=media`);
      await b.waitForURL(/\/login\?next=/);
      await b.fill('input[name=username]', EDITOR.name);
      await b.fill('input[name=password]', EDITOR.password);
      await b.click('button[type=submit]');
      await b.locator('.media .not-configured', { hasText: 'ζητήστε από τον διαχειριστή' }).waitFor();
      await b.waitForLoadState('networkidle');
      const controls = await b.locator('.media form, .media input[type=file], .media button.primary').count();
      expect(controls === 0, `no upload or folder controls, found ${controls}`);
      const body = await b.locator('main').textContent();
      expect(!/not_configured|nextcloud_/.test(body), 'no error code on screen');
      await b.screenshot({ path: join(ART, 'media-not-configured.png'), fullPage: true });
    } finally {
      await bctx.close();
      await bare.stop();
    }
  });

  await step('no uncaught errors in the page', async () => {
    expect(consoleErrors.length === 0, `no page errors, got ${consoleErrors.join('; ')}`);
  });
  await ctx.close();
} finally {
  await browser.close().catch(() => {});
  await gw.stop();
  await fetch(`${davRoot}/${base}/`, { method: 'DELETE', headers: { authorization: auth } }).catch(() => {});
}

console.log(`screenshots in ${ART}`);
finish('e2e: ');
