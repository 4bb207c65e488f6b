#!/usr/bin/env node
// End-to-end for the sales pipeline (issue 20): the real gateway binary on a temporary SQLite
// and Debian's Chromium driven by playwright-core. A lead is created in the new-lead form for a
// parish that is not a customer yet, with a quoted line; a WhatsApp message from its number
// shows on its page; a new owner is saved there; it is dragged across the board's stages to
// «Κερδήθηκε» (a drag with a stale version is refused in words, a drop on «Χάθηκε» asks for
// the reason), converted with a draft order, and the new customer and the draft order open
// from its page. A viewer's cards do not drag. Screenshots go to artifacts/console/sales-*.png.
// Prints "N passed, N failed".
//
//   cargo build -p crm-gateway && (cd apps/crm-console && npm run build && npm run e2e:sales)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiLogin, launchBrowser, repoDir, startGateway, steps, apiClient } from './lib.mjs';

const ART = process.env.E2E_ARTIFACTS ?? join(repoDir, 'artifacts/console');
mkdirSync(ART, { recursive: true });

const EDITOR = { name: 'maria', permissions: 'crm:view,crm:edit', password: 'maria-pass-0123' };
const VIEWER = { name: 'nikos', permissions: 'crm:view', password: 'nikos-pass-0123' };
const TIMEOUT = 15_000;
const TITLE = 'Καμπάνα 120 kg για το καμπαναριό';

const gw = await startGateway({ users: [EDITOR, VIEWER] });
let browser = null;
let page;
const { step, expect, finish } = steps({ art: ART, prefix: 'sales-', currentPage: () => page });
try {
  const token = await apiLogin(gw.url, EDITOR.name, EDITOR.password);
  const api = apiClient(gw.url, token);
  // a message from the parish's number, before it is anybody's customer: the unassigned inbox
  const message = await api('POST', '/api/crm/comms', { type: 'whatsapp', direction: 'inbound', sender: '+306944111222', body: 'Καλημέρα, θέλουμε προσφορά για καμπάνα' });
  const [pipeline] = await api('GET', '/api/crm/pipelines');
  const stageId = (name) => pipeline.stages.find((s) => s.name === name).id;

  browser = await launchBrowser();
  const shot = (name) => page.screenshot({ path: join(ART, `sales-${name}.png`), fullPage: true });
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

  let leadId = null;
  await step('the new-lead form creates a lead for a prospect, in «Επαφή»', async () => {
    await page.getByTestId('nav-sales').click();
    await page.getByTestId('sales-board').waitFor();
    await page.getByTestId('new-lead').click();
    await page.getByTestId('new-lead-form').waitFor();
    // checked before sending: the prospect needs a name
    await page.fill('input[name=title]', TITLE);
    await page.click('[data-testid=new-lead-form] button[type=submit]');
    await page.locator('[data-testid=new-lead-form] [role=alert]', { hasText: 'Όνομα' }).waitFor();
    await page.fill('input[name=prospect_name]', 'π. Γεώργιος Παπαδόπουλος');
    await page.fill('input[name=prospect_organization]', 'Ι.Ν. Αγίου Δημητρίου Λάρισας');
    await page.fill('input[name=prospect_phone]', '694 411 1222');
    await page.selectOption('select[name=source]', 'fair');
    await page.fill('input[name=estimated_value]', '4500,50');
    const row = page.getByTestId('line-row').first();
    await row.locator('input[name=description]').fill('Καμπάνα 120 kg με ηλεκτρομηχανισμό');
    await row.locator('input[name=quantity]').fill('1');
    await row.locator('input[name=unit_price]').fill('4500,50');
    await shot('new-lead');
    await page.click('[data-testid=new-lead-form] button[type=submit]');
    await page.waitForURL(/\/sales\/leads\/[0-9a-f-]{36}$/);
    leadId = page.url().split('/sales/leads/')[1];
    await page.getByTestId('lead-page').waitFor();
    const l = await api('GET', `/api/crm/leads/${leadId}`);
    expect(l.title === TITLE && l.stage_id === stageId('Επαφή') && l.owner === EDITOR.name, `the lead in «Επαφή», owned by maria; got ${JSON.stringify(l)}`);
    expect(String(l.estimated_value) === '4500.5' && l.lines.length === 1 && l.prospect.contacts[0].normalized === '+306944111222', 'value, line and the normalised number stored');
  });

  await step('the lead\'s page shows the prospect\'s WhatsApp message before it is a customer', async () => {
    await page.getByTestId('lead-comms').locator('[data-testid=lead-entry]', { hasText: 'θέλουμε προσφορά' }).waitFor();
    const comms = await api('GET', `/api/crm/leads/${leadId}/comms`);
    expect(comms.customer_id === null && comms.entries.some((e) => e.id === message.id), 'the inbox message among the lead\'s comms');
    await shot('lead-before');
  });

  await step('the lead\'s page saves a new owner with If-Match; the owners\' history shows both', async () => {
    await page.fill('[data-testid=lead-form] input[name=owner]', 'giorgos');
    await page.click('[data-testid=lead-form] button[type=submit]');
    await page.getByTestId('owner-history').locator('li', { hasText: 'giorgos' }).waitFor();
    const l = await api('GET', `/api/crm/leads/${leadId}`);
    expect(l.owner === 'giorgos' && l.version === 2, `owner giorgos at version 2; got ${l.owner} v${l.version}`);
    expect((await page.getByTestId('owner-history').locator('li').count()) === 2, 'maria, then giorgos');
  });

  /** Drags the lead's card onto a stage with the mouse (HTML5 drag and drop). */
  async function dragTo(stageName, during = async () => {}) {
    const card = page.locator(`[data-testid=lead-card][data-id="${leadId}"]`);
    const target = page.getByTestId(`stage-${stageName}`);
    await card.hover();
    await page.mouse.down();
    const box = await target.boundingBox();
    for (let i = 1; i <= 5; i++) await page.mouse.move(box.x + box.width / 2 + i, box.y + Math.min(box.height, 200) / 2 + i);
    await during();
    await page.mouse.up();
  }
  const inStage = (name) => page.getByTestId(`stage-${name}`).locator(`[data-testid=lead-card][data-id="${leadId}"]`);

  await step('the board: the card dragged to «Αυτοψία» and «Προσφορά»; the column sums follow', async () => {
    await page.goto(`${gw.url}/sales`);
    await inStage('Επαφή').waitFor();
    await dragTo('Αυτοψία', async () => {
      await page.locator('[data-testid=board][data-dragging]').waitFor();
      expect((await page.getByTestId('stage-Επαφή').getAttribute('data-drop')) === 'no', 'its own stage refuses the drop');
    });
    await inStage('Αυτοψία').waitFor();
    await dragTo('Προσφορά');
    await inStage('Προσφορά').waitFor();
    const col = page.getByTestId('stage-Προσφορά');
    expect((await col.getByTestId('count').textContent()) === '1', 'one lead in «Προσφορά»');
    expect((await col.getByTestId('sum').getAttribute('data-value')) === '4500.50', 'its sum');
    expect((await col.getByTestId('weighted').getAttribute('data-value')) === '2250.25', 'its weighted sum at 50 %');
    const view = await api('GET', `/api/crm/pipelines/${pipeline.id}/view`);
    const offer = view.stages.find((s) => s.name === 'Προσφορά');
    expect(offer.count === 1 && Number(offer.weighted_value) === 2250.25, `the server's view agrees; got ${JSON.stringify(offer)}`);
    await shot('board');
  });

  await step('a drag with a stale version is refused in words and the board reloads', async () => {
    // someone else changes the lead meanwhile
    const l = await api('GET', `/api/crm/leads/${leadId}`);
    await api('PUT', `/api/crm/leads/${leadId}`, { tags: ['Έκθεση'] }, { 'If-Match': `"${l.version}"` });
    await dragTo('Διαπραγμάτευση');
    await page.getByTestId('move-refused').filter({ hasText: 'Κάποιος άλλος άλλαξε' }).waitFor();
    await inStage('Προσφορά').waitFor();
    await shot('stale');
  });

  await step('a drop on «Χάθηκε» asks for the reason; cancelling moves nothing', async () => {
    await dragTo('Χάθηκε');
    const dialog = page.getByTestId('lost-reason');
    await dialog.waitFor();
    await dialog.locator('button[type=submit]').click();
    await dialog.locator('[role=alert]').waitFor();
    await shot('lost-reason');
    await dialog.getByText('Άκυρο').click();
    await inStage('Προσφορά').waitFor();
    expect((await api('GET', `/api/crm/leads/${leadId}`)).status === 'open', 'still open');
  });

  await step('dragged to «Διαπραγμάτευση» and «Κερδήθηκε»: won, every move in the history', async () => {
    await dragTo('Διαπραγμάτευση');
    await inStage('Διαπραγμάτευση').waitFor();
    await dragTo('Κερδήθηκε');
    await inStage('Κερδήθηκε').waitFor();
    const h = await api('GET', `/api/crm/leads/${leadId}/history`);
    expect(h.stage_moves.length === 5 && h.stage_moves.every((m) => m.actor === EDITOR.name), `five moves by maria; got ${JSON.stringify(h.stage_moves)}`);
    expect(h.assignments.map((a) => a.owner).join() === 'maria,giorgos', 'the owners kept as a history');
  });

  let conversion = null;
  await step('the won lead converts with a draft order; its page links to the new customer and the order', async () => {
    await page.locator(`[data-testid=lead-card][data-id="${leadId}"]`).click();
    await page.getByTestId('lead-page').waitFor();
    await page.getByTestId('stage-history').locator('li').nth(4).waitFor();
    const draft = page.locator('input[name=create_draft_order]');
    expect(await draft.isChecked(), '«δημιουργία πρόχειρης παραγγελίας» ticked for a lead with quoted lines');
    await page.getByTestId('convert-button').click();
    await page.getByTestId('converted-order').waitFor();
    conversion = (await api('GET', `/api/crm/leads/${leadId}`));
    expect(conversion.converted_customer_id && conversion.converted_order_id, 'both ids recorded on the lead');
    await shot('converted');
    await page.getByTestId('converted-customer').click();
    await page.waitForURL(`**/customers/${conversion.converted_customer_id}`);
    await page.locator('h1', { hasText: 'π. Γεώργιος Παπαδόπουλος' }).waitFor();
    await shot('customer');
    await page.goBack();
    await page.getByTestId('converted-order').click();
    await page.waitForURL(`**/orders/${conversion.converted_order_id}`);
    const order = await api('GET', `/api/crm/orders/${conversion.converted_order_id}`);
    expect(order.status === 'draft' && order.customer_id === conversion.converted_customer_id && order.items.length === 1, 'a draft order of the new customer with the quoted line');
    await page.locator('h1', { hasText: order.order_number }).waitFor();
    await shot('order');
  });

  await step('after conversion the lead\'s comms are the customer\'s, with the prospect\'s unassigned message', async () => {
    const comms = await api('GET', `/api/crm/leads/${leadId}/comms`);
    expect(comms.customer_id === conversion.converted_customer_id && comms.entries.some((e) => e.id === message.id), 'the customer\'s entries and the message');
  });

  await step('a viewer sees the board but no card drags and no new-lead button', async () => {
    const ctx2 = await browser.newContext({ viewport: { width: 1500, height: 950 }, locale: 'el-GR' });
    ctx2.setDefaultTimeout(TIMEOUT);
    const p2 = await ctx2.newPage();
    await login(p2, VIEWER);
    await p2.goto(`${gw.url}/sales`);
    await p2.locator('[data-testid=lead-card]').first().waitFor();
    expect((await p2.locator('[data-testid=lead-card][draggable=true]').count()) === 0, 'no draggable card for a viewer');
    expect((await p2.getByTestId('new-lead').count()) === 0, 'no «Νέα ευκαιρία» for a viewer');
    await p2.goto(`${gw.url}/sales/leads/${leadId}`);
    await p2.getByTestId('lead-page').waitFor();
    expect((await p2.getByTestId('convert-button').count()) === 0, 'no convert button for a viewer');
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
