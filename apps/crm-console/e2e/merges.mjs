#!/usr/bin/env node
// End-to-end for duplicate customers (issue 20, part 2): the real gateway binary on a temporary
// SQLite and Debian's Chromium driven by playwright-core. Two customers sharing a phone number
// are created through the API, the newer one with an order and a comms entry; the duplicates
// page lists the pair («ίδιο τηλέφωνο»), the merge dialog keeps the older one but takes the
// newer one's organization, previews what moves and merges; the kept customer's page shows the
// order, the entry and the history line, the duplicate is gone. A viewer sees the pairs but no
// merge button. Screenshots go to artifacts/console/merges-*.png. Prints "N passed, N failed".
//
//   cargo build -p crm-gateway && (cd apps/crm-console && npm run build && node e2e/merges.mjs)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiLogin, launchBrowser, repoDir, startGateway, steps, apiClient } from './lib.mjs';

const ART = process.env.E2E_ARTIFACTS ?? join(repoDir, 'artifacts/console');
mkdirSync(ART, { recursive: true });

const EDITOR = { name: 'maria', permissions: 'crm:view,crm:edit', password: 'maria-pass-0123' };
const VIEWER = { name: 'nikos', permissions: 'crm:view', password: 'nikos-pass-0123' };
const TIMEOUT = 15_000;
const run = Date.now().toString(36);

const gw = await startGateway({ users: [EDITOR, VIEWER] });
let browser = null;
let page;
const { step, expect, finish } = steps({ art: ART, prefix: 'merges-', currentPage: () => page });
try {
  const token = await apiLogin(gw.url, EDITOR.name, EDITOR.password);
  const api = apiClient(gw.url, token);

  // --- the records: the same parish twice, the second time with its phone written otherwise
  const kept = await api('POST', '/api/crm/customers', {
    name: 'Ι.Ν. Αγίου Δημητρίου', organization: 'Μητρόπολη Λαρίσης', language: 'el', location: { city: 'Λάρισα', country: 'GR' },
    contacts: [{ type: 'phone', value: '2410 555123', primary: true }],
  });
  await new Promise((r) => setTimeout(r, 20)); // a later created_at: the second is the newer
  const dup = await api('POST', '/api/crm/customers', {
    name: 'Ιερός Ναός Αγ. Δημητρίου Λάρισας', organization: 'Ενορία Αγίου Δημητρίου', language: 'el',
    contacts: [{ type: 'phone', value: '+30 2410 555 123', primary: true }, { type: 'email', value: `naos-${run}@example.gr` }],
  });
  const bell = await api('POST', '/api/crm/products', { sku: `BELL-${run}`, name: 'Κρουστήρας καμπάνας', category: 'striker', price: '3200.00', stock: { on_hand: 2 } });
  const order = await api('POST', '/api/crm/orders', {
    customer_id: dup.id,
    items: [{ type: 'product', product_id: bell.id, quantity: '1', unit_price: '3200.00', vat_rate: 24 }],
  });
  const entry = await api('POST', '/api/crm/comms', { customer_id: dup.id, type: 'note', direction: 'internal', body: `Τηλεφώνησε ο π. Νικόλαος ${run}` });

  browser = await launchBrowser();
  const shot = (name) => page.screenshot({ path: join(ART, `merges-${name}.png`), fullPage: true });
  async function login(p, user) {
    await p.goto(`${gw.url}/`);
    await p.waitForURL('**/login');
    await p.fill('input[name=username]', user.name);
    await p.fill('input[name=password]', user.password);
    await p.click('button[type=submit]');
    await p.waitForURL('**/customers');
  }
  const ctx = await browser.newContext({ viewport: { width: 1500, height: 950 }, locale: 'el-GR', timezoneId: 'Europe/Athens' });
  ctx.setDefaultTimeout(TIMEOUT);
  page = await ctx.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('dialog', (d) => { pageErrors.push(`dialog: ${d.message()}`); void d.dismiss(); });
  await login(page, EDITOR);

  const pairRow = () => page.locator(`[data-testid=duplicate-pair][data-a="${kept.id}"][data-b="${dup.id}"]`);
  await step('the duplicates page lists the pair, the older first, «ίδιο τηλέφωνο»', async () => {
    await page.getByTestId('nav-duplicates').click();
    await page.waitForURL('**/customers/duplicates');
    await pairRow().waitFor();
    const reasons = await pairRow().getByTestId('pair-reasons').textContent();
    expect(reasons.includes('ίδιο τηλέφωνο +302410555123'), `the shared phone in words; got «${reasons}»`);
    await shot('duplicates');
  });

  await step('the dialog: the duplicate\'s organization chosen, the preview says what moves', async () => {
    await pairRow().getByTestId('merge-pair').click();
    const dialog = page.getByTestId('merge-dialog');
    await dialog.waitFor();
    expect((await dialog.getByTestId('merge-kept').textContent()).includes(kept.name), 'the older customer stays');
    await dialog.locator('[data-testid=merge-preview]', { hasText: '1 παραγγελία' }).waitFor();
    const before = await dialog.getByTestId('merge-preview').textContent();
    expect(before.includes('1 καταχώριση επικοινωνίας') && before.includes('1 επαφή'), `order, entry and the e-mail move; got «${before}»`);
    expect(await dialog.getByTestId('choice-organization-kept').isChecked(), 'the kept side is the default');
    expect((await dialog.getByTestId('choice-location-duplicate').count()) === 0, 'no choice where the duplicate leaves the field empty');
    await dialog.getByTestId('choice-organization-duplicate').check();
    await dialog.locator('[data-testid=result-organization]', { hasText: 'Ενορία Αγίου Δημητρίου' }).waitFor();
    await shot('dialog');
  });

  await step('a stale kept customer: 412 in words and the preview reloaded', async () => {
    // someone else edits the kept customer while the dialog is open
    const fresh = await api('GET', `/api/crm/customers/${kept.id}`);
    await api('PUT', `/api/crm/customers/${kept.id}`, { tags: ['Λάρισα'] }, { 'If-Match': `"${fresh.version}"` });
    const dialog = page.getByTestId('merge-dialog');
    await dialog.getByTestId('merge-confirm').click();
    await dialog.locator('[role=alert]', { hasText: 'Κάποιος άλλος άλλαξε τον πελάτη' }).waitFor();
    await dialog.locator('[data-testid=merge-preview]', { hasText: '1 παραγγελία' }).waitFor();
    expect((await api('GET', `/api/crm/customers/${dup.id}`)).id === dup.id, 'nothing merged yet');
  });

  await step('confirm merges and opens the kept customer with the chosen organization', async () => {
    const dialog = page.getByTestId('merge-dialog');
    // the reload keeps nothing stale: choose again if the choices were reset
    if (!(await dialog.getByTestId('choice-organization-duplicate').isChecked())) await dialog.getByTestId('choice-organization-duplicate').check();
    await dialog.locator('[data-testid=result-organization]', { hasText: 'Ενορία Αγίου Δημητρίου' }).waitFor();
    await dialog.getByTestId('merge-confirm').click();
    await page.waitForURL(`**/customers/${kept.id}`);
    await page.locator('h1', { hasText: kept.name }).waitFor();
    const now = await api('GET', `/api/crm/customers/${kept.id}`);
    expect(now.organization === 'Ενορία Αγίου Δημητρίου' && now.name === kept.name, `organization from the duplicate, name kept; got ${now.organization} / ${now.name}`);
    expect(now.contacts.some((c) => c.value === `naos-${run}@example.gr`), 'the duplicate\'s e-mail joined');
    const gone = await fetch(`${gw.url}/api/crm/customers/${dup.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(gone.status === 404, `the duplicate is gone (404); got ${gone.status}`);
  });

  await step('the kept customer shows the history line, the order and the entry', async () => {
    const line = page.getByTestId('merge-history-line').first();
    await line.waitFor();
    const text = await line.textContent();
    expect(text.includes('maria') && text.includes(dup.name) && text.includes('1 παραγγελία'), `who, whom and what moved; got «${text}»`);
    await shot('history');
    await page.goto(`${gw.url}/customers/${kept.id}?tab=orders`);
    await page.locator('a', { hasText: order.order_number }).waitFor();
    await page.goto(`${gw.url}/customers/${kept.id}?tab=comms`);
    await page.locator(`[data-testid=entry][data-id="${entry.id}"]`).waitFor();
    await page.goto(`${gw.url}/customers/duplicates`);
    await page.getByTestId('duplicates-page').waitFor();
    await page.waitForLoadState('networkidle');
    expect((await pairRow().count()) === 0, 'the pair is no longer suggested');
  });

  await step('a viewer sees the suggestions but no merge button', async () => {
    // a fresh pair, sharing an e-mail this time
    const x = await api('POST', '/api/crm/customers', { name: 'Ιερά Μονή Αγίας Τριάδος', contacts: [{ type: 'email', value: `moni-${run}@example.gr` }] });
    await api('POST', '/api/crm/customers', { name: 'Μονή Αγ. Τριάδας', contacts: [{ type: 'email', value: `MONI-${run}@example.gr` }] });
    const ctx2 = await browser.newContext({ viewport: { width: 1500, height: 950 }, locale: 'el-GR' });
    ctx2.setDefaultTimeout(TIMEOUT);
    const p2 = await ctx2.newPage();
    await login(p2, VIEWER);
    await p2.goto(`${gw.url}/customers/duplicates`);
    await p2.locator(`[data-testid=duplicate-pair][data-a="${x.id}"]`).waitFor();
    expect((await p2.getByTestId('merge-pair').count()) === 0, 'no «Συγχώνευση» for a viewer');
    await p2.goto(`${gw.url}/customers/${kept.id}`);
    await p2.getByTestId('merge-history-line').first().waitFor();
    expect((await p2.getByTestId('merge-with').count()) === 0, 'no «Συγχώνευση με…» for a viewer');
    await ctx2.close();
  });

  await step('«Συγχώνευση με…» on the customer page finds the other customer by search', async () => {
    const pairs = await api('GET', '/api/crm/customers/duplicates');
    const p = pairs.find((q) => q.reasons.some((r) => r.kind === 'email' && r.value === `moni-${run}@example.gr`));
    expect(p, 'the monastery pair is suggested');
    await page.goto(`${gw.url}/customers/${p.a.id}`);
    await page.getByTestId('merge-with').click();
    await page.fill('input[name=merge-search]', 'Μονή Αγ. Τριάδας');
    await page.locator(`[data-testid=merge-candidate][data-id="${p.b.id}"]`).click();
    const dialog = page.getByTestId('merge-dialog');
    await dialog.locator('[data-testid=merge-confirm]:not([disabled])').waitFor();
    await dialog.getByTestId('merge-confirm').click();
    await page.getByTestId('merge-history-line').first().waitFor();
    const gone = await fetch(`${gw.url}/api/crm/customers/${p.b.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(gone.status === 404, `merged away (404); got ${gone.status}`);
  });

  await step('no page errors', async () => {
    expect(pageErrors.length === 0, `no page errors, got ${pageErrors.join(' | ')}`);
  });
} finally {
  await browser?.close();
  await gw.stop();
}

finish();
