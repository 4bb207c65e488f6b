#!/usr/bin/env node
// End-to-end for the CSV import wizard (issue 20): the real gateway binary on a temporary
// SQLite and Debian's Chromium driven by playwright-core. An old Excel export of parishes
// (Windows-1253, semicolons, Greek headers) is uploaded; the wizard says how it was read and
// preselects the suggested mapping; a mapping without a name is refused in words; the dry run
// reports the totals and the rows by outcome; the run shows its end; the new customers are in
// the customer list; the rows in error download as CSV. A viewer has no import menu.
// Screenshots go to artifacts/console/imports-*.png. Prints "N passed, N failed".
//
//   cargo build -p crm-gateway && (cd apps/crm-console && npm run build && CRM_BIN=../../target/debug/crm node e2e/imports.mjs)
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiLogin, launchBrowser, repoDir, startGateway, steps } from './lib.mjs';

const ART = process.env.E2E_ARTIFACTS ?? join(repoDir, 'artifacts/console');
mkdirSync(ART, { recursive: true });

const EDITOR = { name: 'eleni', permissions: 'crm:view,crm:edit', password: 'eleni-pass-0123' };
const VIEWER = { name: 'kostas', permissions: 'crm:view', password: 'kostas-pass-0123' };
const TIMEOUT = 15_000;

/** `s` in Windows-1253 (ASCII and Greek letters), as Excel on a Greek Windows saves a CSV. */
function cp1253(s) {
  return Buffer.from([...s].map((c) => {
    const cp = c.codePointAt(0);
    if (cp < 0x80) return cp;
    if (cp === 0x386) return 0xa2;
    if (cp >= 0x388 && cp <= 0x3ce) return cp - 0x2d0;
    throw new Error(`${c} is not in this script's Windows-1253`);
  }));
}

const PARISHES = [
  'Ονομασία;Ενορία;Τηλέφωνο;Email;Πόλη;Ετικέτες',
  'Ι.Ν. Αγίου Νικολάου;Ενορία Αγίου Νικολάου;210 123 4567;nikolaos@example.gr;Πειραιάς;καμπάνες',
  'Ι.Ν. Αγίας Τριάδας;;+30 2310 555666;;Θεσσαλονίκη;ρολόι',
  'Ι.Ν. Αγίου Νικολάου (ξανά);;2101234567;;;',
  ';;2109999999;;Πάτρα;',
  'Ι.Ν. Αγίου Γεωργίου;;0030 2610 444333;;Πάτρα;',
].join('\r\n') + '\r\n';

const gw = await startGateway({ users: [EDITOR, VIEWER] });
let browser = null;
let page;
const { step, expect, finish } = steps({ art: ART, prefix: 'imports-', currentPage: () => page });
try {
  const token = await apiLogin(gw.url, EDITOR.name, EDITOR.password);
  // a parish already known by its number: the file's row updates it
  const known = await fetch(`${gw.url}/api/crm/customers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Ιερός Ναός Αγίας Τριάδας', contacts: [{ type: 'phone', value: '2310555666' }] }),
  }).then((r) => r.json());

  browser = await launchBrowser();
  const shot = (name) => page.screenshot({ path: join(ART, `imports-${name}.png`), fullPage: true });
  async function login(p, user) {
    await p.goto(`${gw.url}/`);
    await p.waitForURL('**/login');
    await p.fill('input[name=username]', user.name);
    await p.fill('input[name=password]', user.password);
    await p.click('button[type=submit]');
    await p.waitForURL('**/customers');
  }
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 950 }, locale: 'el-GR', timezoneId: 'Europe/Athens', acceptDownloads: true });
  ctx.setDefaultTimeout(TIMEOUT);
  page = await ctx.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await login(page, EDITOR);

  await step('the upload says how the file was read and preselects the suggested mapping', async () => {
    await page.getByTestId('nav-imports').click();
    await page.getByTestId('import-wizard').waitFor();
    await page.getByTestId('import-file').setInputFiles({ name: 'ενορίες.csv', mimeType: 'text/csv', buffer: cp1253(PARISHES) });
    const read = page.getByTestId('import-read');
    await read.waitFor();
    const text = await read.textContent();
    expect(text.includes('Windows-1253') && text.includes('ερωτηματικό') && text.includes('5 γραμμές'), `the encoding, delimiter and rows, got «${text}»`);
    const chosen = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => page.locator(`select[name=map-${i}]`).inputValue()));
    expect(chosen.join(',') === 'name,organization,phone,email,city,tags', `the suggested mapping, got ${chosen}`);
    await page.getByTestId('import-preview').getByText('Ι.Ν. Αγίου Νικολάου', { exact: true }).waitFor();
    await page.getByTestId('import-preview').getByText('Πειραιάς').waitFor();
    await shot('map');
  });

  await step('a column changed redoes the preview; a mapping without a name is refused in words', async () => {
    await page.selectOption('select[name=map-4]', 'ignore');
    await page.getByTestId('import-preview').getByText('Πειραιάς').waitFor({ state: 'detached' });
    await page.selectOption('select[name=map-4]', 'city');
    await page.getByTestId('import-preview').getByText('Πειραιάς').waitFor();
    await page.selectOption('select[name=map-0]', 'ignore');
    await page.selectOption('select[name=map-1]', 'ignore');
    await page.getByTestId('import-dry-run').click();
    await page.locator('[data-testid=import-wizard] [role=alert]', { hasText: 'Όνομα' }).waitFor();
    await page.selectOption('select[name=map-0]', 'name');
    await page.selectOption('select[name=map-1]', 'organization');
  });

  await step('the dry run reports the totals and the rows by outcome, nothing written', async () => {
    await page.getByTestId('import-dry-run').click();
    await page.getByTestId('import-totals').waitFor();
    const n = async (o) => Number(await page.locator(`[data-testid=import-totals] [data-outcome=${o}]`).textContent());
    const totals = { create: await n('create'), update: await n('update'), skip: await n('skip'), error: await n('error') };
    expect(JSON.stringify(totals) === JSON.stringify({ create: 2, update: 1, skip: 1, error: 1 }), `the totals, got ${JSON.stringify(totals)}`);
    await page.getByTestId('outcome-error').click();
    await page.getByTestId('import-row').filter({ hasText: 'Γραμμή 5' }).waitFor();
    await page.getByTestId('outcome-skip').click();
    await page.getByTestId('import-row').filter({ hasText: 'ίδιος με τη γραμμή 2' }).waitFor();
    await shot('report');
    const list = await fetch(`${gw.url}/api/crm/customers`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
    expect(list.total === 1, `only the known customer before the run, got ${list.total}`);
  });

  await step('the run ends done, with links to the customers', async () => {
    await page.getByTestId('import-run').click();
    await page.getByTestId('import-status').filter({ hasText: 'Ολοκληρώθηκε' }).waitFor();
    await page.getByTestId('outcome-update').click();
    await page.getByTestId('import-row').filter({ hasText: 'Γραμμή 3' }).locator(`a[href="/customers/${known.id}"]`).waitFor();
    await shot('result');
  });

  await step('the rows in error download as CSV with an error column', async () => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-errors-csv').click()]);
    expect(dl.suggestedFilename() === 'ενορίες-errors.csv', `the file name, got ${dl.suggestedFilename()}`);
    const body = readFileSync(await dl.path());
    expect(body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf, 'a UTF-8 byte-order mark (for Excel)');
    const lines = body.toString('utf8').slice(1).split('\r\n').filter(Boolean);
    expect(lines[0] === 'Ονομασία;Ενορία;Τηλέφωνο;Email;Πόλη;Ετικέτες;error', `the header, got ${lines[0]}`);
    expect(lines.length === 2 && lines[1].startsWith(';;2109999999;;Πάτρα;;Ονομασία'), `the bad row, got ${lines[1]}`);
  });

  await step('the new customers are in the customer list', async () => {
    await page.getByTestId('import-to-customers').click();
    await page.waitForURL('**/customers');
    await page.getByText('Ι.Ν. Αγίου Νικολάου', { exact: true }).first().waitFor();
    await page.getByText('Ι.Ν. Αγίου Γεωργίου', { exact: true }).first().waitFor();
    await shot('customers');
  });

  await step('a viewer has no import menu and the page says why', async () => {
    const ctx2 = await browser.newContext({ viewport: { width: 1400, height: 950 }, locale: 'el-GR' });
    ctx2.setDefaultTimeout(TIMEOUT);
    const p2 = await ctx2.newPage();
    await login(p2, VIEWER);
    expect((await p2.getByTestId('nav-imports').count()) === 0, 'no «Εισαγωγή» in the menu');
    await p2.goto(`${gw.url}/imports`);
    await p2.getByText('Η εισαγωγή χρειάζεται δικαίωμα επεξεργασίας.').waitFor();
    await ctx2.close();
  });

  await step('no page errors', async () => {
    expect(pageErrors.length === 0, `no page errors, got ${pageErrors.join(' | ')}`);
  });
} finally {
  await browser?.close();
  await gw.stop();
}

finish();
