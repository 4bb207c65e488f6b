#!/usr/bin/env node
// End-to-end for workflow automation (issue 21): the real gateway binary on a temporary SQLite
// and Debian's Chromium driven by playwright-core. A new workflow is built in the editor (an
// event trigger, a `set`, an `if` and another `set`) with a condition that does not parse: the
// server's 422 shows on that step's condition field. Fixed and saved it is version 1; changed
// and saved again, version 2. A test run with the sample trigger data succeeds and shows each
// step's log; the run history lists it as succeeded with its per-node steps. It is enabled and
// disabled from the editor and from the list, where its trigger reads in Greek. Screenshots go
// to artifacts/console/workflows-*.png. Prints "N passed, N failed".
//
//   cargo build -p crm-gateway && (cd apps/crm-console && npm run build && node e2e/workflows.mjs)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiClient, apiLogin, launchBrowser, repoDir, startGateway, steps } from './lib.mjs';

const ART = process.env.E2E_ARTIFACTS ?? join(repoDir, 'artifacts/console');
mkdirSync(ART, { recursive: true });

const EDITOR = { name: 'maria', permissions: 'crm:view,crm:edit', password: 'maria-pass-0123' };
const TIMEOUT = 15_000;
const NAME = 'Νέα ευκαιρία → σημείωση';

const gw = await startGateway({ users: [EDITOR] });
let browser = null;
let page;
const { step, expect, finish } = steps({ art: ART, prefix: 'workflows-', currentPage: () => page });
try {
  const token = await apiLogin(gw.url, EDITOR.name, EDITOR.password);
  const api = apiClient(gw.url, token);
  browser = await launchBrowser();
  const shot = (name) => page.screenshot({ path: join(ART, `workflows-${name}.png`), fullPage: true });
  const ctx = await browser.newContext({ viewport: { width: 1500, height: 1100 }, locale: 'el-GR', timezoneId: 'Europe/Athens' });
  ctx.setDefaultTimeout(TIMEOUT);
  page = await ctx.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('dialog', (d) => { pageErrors.push(`dialog: ${d.message()}`); void d.dismiss(); });
  await page.goto(`${gw.url}/`);
  await page.waitForURL('**/login');
  await page.fill('input[name=username]', EDITOR.name);
  await page.fill('input[name=password]', EDITOR.password);
  await page.click('button[type=submit]');
  await page.waitForURL('**/customers');

  const stepBox = (i) => page.locator(`[data-testid=step][data-index="${i}"]`);
  async function addStep(kind) {
    await page.locator('[data-testid=add-step] select[name=kind]').selectOption(kind);
    await page.locator('[data-testid=add-step] button').click();
  }
  const save = () => page.getByTestId('save-workflow').click();
  let id = null;

  await step('a condition that does not parse is shown on that step\'s field', async () => {
    await page.getByTestId('nav-workflows').click();
    await page.getByTestId('workflow-list').waitFor();
    await page.getByTestId('new-workflow').click();
    await page.getByTestId('workflow-editor').waitFor();
    // the palette is the server's catalogue, grouped
    const cat = await api('GET', '/api/crm/workflows/catalogue');
    const offered = await page.locator('[data-testid=add-step] select[name=kind] option[value]:not([value=""])').evaluateAll((os) => os.map((o) => o.value));
    expect(offered.join() === cat.nodes.map((n) => n.kind).join(), `every kind of the catalogue offered; got ${offered.join()}`);
    expect(await page.locator('[data-testid=add-step] optgroup').count() === new Set(cat.nodes.map((n) => n.group)).size, 'one group per catalogue group');
    await page.fill('input[name=workflow_name]', NAME);
    await page.selectOption('select[name=trigger_mode]', 'event');
    await page.selectOption('select[name=trigger_event]', 'lead.created');
    await addStep('set');
    await stepBox(0).locator('input[name=key]').fill('who');
    await stepBox(0).locator('input[name="config.name"]').fill('who');
    await stepBox(0).locator('input[name="config.value"]').fill('trigger.title');
    await addStep('if');
    await stepBox(1).locator('input[name=key]').fill('check');
    await stepBox(1).locator('input[name="config.condition"]').fill('vars.who ==');
    await addStep('set');
    await stepBox(2).locator('input[name=key]').fill('mark');
    await stepBox(2).locator('input[name="config.name"]').fill('flag');
    await stepBox(2).locator('input[name="config.value"]').fill('true');
    await stepBox(1).locator('select[name="branches.then"]').selectOption('mark');
    await save();
    const err = stepBox(1).locator('[data-testid=field-error]');
    await err.waitFor();
    expect((await err.getAttribute('data-field')).endsWith('nodes[1].config.condition'), `the error names step 2's condition, got ${await err.getAttribute('data-field')}`);
    expect((await err.textContent()).includes('Συνθήκη'), 'the error says «Συνθήκη»');
    expect(await stepBox(1).locator('label', { has: page.locator('input[name="config.condition"]') }).locator('[data-testid=field-error]').count() === 1, 'the message sits at the condition field');
    expect(await stepBox(0).locator('[data-testid=field-error]').count() === 0 && await stepBox(2).locator('[data-testid=field-error]').count() === 0, 'no error on the other steps');
    expect((await api('GET', '/api/crm/workflows')).workflows.every((w) => w.name !== NAME), 'nothing saved');
    await shot('invalid-condition');
  });

  await step('fixed, it saves as version 1; changed, as version 2', async () => {
    await stepBox(1).locator('input[name="config.condition"]').fill('vars.who != ""');
    await save();
    await page.waitForURL(/\/workflows\/[0-9a-f-]{36}$/);
    id = page.url().split('/workflows/')[1];
    await page.getByTestId('editor-version').filter({ hasText: '1' }).waitFor();
    expect(await page.getByTestId('field-error').count() === 0, 'no field error left');
    await stepBox(2).locator('input[name="config.value"]').fill('"σημειώθηκε"');
    await save();
    await page.getByTestId('saved').filter({ hasText: 'έκδοση 2' }).waitFor();
    const w = await api('GET', `/api/crm/workflows/${id}`);
    expect(w.version === 2 && w.name === NAME && !w.enabled, `version 2, disabled; got ${JSON.stringify(w)}`);
    expect(JSON.stringify(w.definition.trigger) === JSON.stringify({ kind: 'event', name: 'lead.created' }), 'the event trigger');
    expect(w.definition.nodes.map((n) => n.key).join() === 'who,check,mark' && w.definition.nodes[0].next === 'check' && w.definition.nodes[1].branches.then === 'mark', `next defaults to the following step; got ${JSON.stringify(w.definition.nodes)}`);
    await shot('saved');
  });

  await step('a test run with the sample data succeeds and shows each step', async () => {
    const sample = JSON.parse(await page.locator('textarea[name=sample]').inputValue());
    expect('lead_id' in sample && 'title' in sample, `the sample has the event's fields; got ${JSON.stringify(sample)}`);
    await page.fill('textarea[name=sample]', JSON.stringify({ ...sample, title: 'Καμπάνα για τον Άγιο Νικόλαο' }));
    await page.getByTestId('run-test').click();
    const result = page.getByTestId('test-result');
    await result.locator('[data-testid=run-status][data-status=succeeded]').waitFor();
    const nodes = await result.locator('[data-testid=run-step]').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-node')}:${r.getAttribute('data-ok')}`));
    expect(nodes.join() === 'who:yes,check:yes,mark:yes', `three steps that succeeded; got ${nodes.join()}`);
    expect((await result.textContent()).includes('Καμπάνα για τον Άγιο Νικόλαο'), 'the step log shows the input data');
    await shot('test-run');
  });

  await step('the run history lists the run as succeeded, with its per-node log', async () => {
    const history = page.getByTestId('run-history');
    await history.locator('[data-testid=run-row]').first().waitFor();
    expect(await history.locator('[data-testid=run-row]').count() === 1, 'one run');
    await history.locator('[data-testid=run-row] [data-testid=run-status][data-status=succeeded]').waitFor();
    await history.getByTestId('run-open').click();
    const log = history.getByTestId('run-log');
    await log.waitFor();
    expect(await log.locator('[data-testid=run-step]').count() === 3, 'three steps in the log');
    expect(await log.getByTestId('run-retry').count() === 0 && await log.getByTestId('run-cancel').count() === 0, 'no retry or cancel on a run that succeeded');
    const runs = (await api('GET', `/api/crm/workflows/${id}/runs`)).runs;
    expect(runs.length === 1 && runs[0].status === 'succeeded' && runs[0].version === 2, `one run of version 2; got ${JSON.stringify(runs)}`);
    await shot('history');
  });

  await step('enable and disable, from the editor and from the list', async () => {
    await page.getByTestId('toggle-enabled').click();
    await page.locator('[data-testid=editor-enabled][data-enabled=yes]').waitFor();
    expect((await api('GET', `/api/crm/workflows/${id}`)).enabled === true, 'enabled on the server');
    await page.getByTestId('nav-workflows').click();
    const row = page.locator(`[data-testid=workflow-row][data-id="${id}"]`);
    await row.waitFor();
    expect((await row.getByTestId('workflow-trigger').textContent()) === 'Νέα ευκαιρία', 'the trigger in Greek');
    expect((await row.getByTestId('workflow-version').textContent()) === '2', 'version 2 in the list');
    await row.locator('[data-testid=run-status][data-status=succeeded]').waitFor();
    expect(await row.getByTestId('workflow-enabled').isChecked(), 'the toggle shows enabled');
    await shot('list');
    await row.getByTestId('workflow-enabled').click();
    await row.locator('[data-testid=workflow-enabled]:not(:checked)').waitFor();
    expect((await api('GET', `/api/crm/workflows/${id}`)).enabled === false, 'disabled on the server');
  });

  await step('a waiting run is cancelled and a failed one retried from the run history', async () => {
    const manual = (name, nodes) => api('POST', '/api/crm/workflows', { name, definition: { trigger: { kind: 'manual' }, nodes } });
    const waits = await manual('Αναμονή μιας ώρας', [{ key: 'pause', kind: 'wait', config: { amount: 1, unit: 'hours' } }]);
    const waiting = await api('POST', `/api/crm/workflows/${waits.id}/runs`, { input: {} });
    expect(waiting.status === 'waiting', `the run waits; got ${waiting.status}`);
    await page.goto(`${gw.url}/workflows/${waits.id}`);
    let history = page.getByTestId('run-history');
    await history.locator('[data-testid=run-status][data-status=waiting]').waitFor();
    await history.getByTestId('run-open').click();
    expect(await history.getByTestId('run-retry').count() === 0, 'no retry on a waiting run');
    await history.getByTestId('run-cancel').click();
    await history.locator('[data-testid=run-row] [data-testid=run-status][data-status=cancelled]').waitFor();
    expect((await api('GET', `/api/crm/workflow-runs/${waiting.id}`)).status === 'cancelled', 'cancelled on the server');

    const checks = await manual('Έλεγχος', [{ key: 'must', kind: 'assert', config: { condition: 'trigger.ok == true', message: 'όχι εντάξει' } }]);
    const failed = await api('POST', `/api/crm/workflows/${checks.id}/runs`, { input: { ok: false } });
    expect(failed.status === 'failed', `the run fails; got ${failed.status}`);
    await page.goto(`${gw.url}/workflows/${checks.id}`);
    history = page.getByTestId('run-history');
    await history.locator('[data-testid=run-status][data-status=failed]').waitFor();
    await history.getByTestId('run-open').click();
    const log = history.getByTestId('run-log');
    await log.locator('[data-testid=run-step][data-node=must][data-ok=no]').waitFor();
    expect((await log.textContent()).includes('όχι εντάξει'), 'the step log shows the failure');
    expect(await log.getByTestId('run-cancel').count() === 0, 'no cancel on a failed run');
    await shot('failed-run');
    await log.getByTestId('run-retry').click();
    await log.locator('[data-testid=run-step][data-ok=no]').nth(1).waitFor();
    const again = await api('GET', `/api/crm/workflow-runs/${failed.id}`);
    expect(again.status === 'failed' && again.steps.length === 2, `retried from the failed step (it fails again); got ${JSON.stringify(again)}`);
  });

  await step('each ready template opens in the editor and saves back unchanged', async () => {
    const templates = (await api('GET', '/api/crm/workflows')).workflows.filter((w) => w.id !== id && w.version === 1 && !w.enabled);
    expect(templates.length >= 5, `the five templates installed; got ${templates.length}`);
    for (const t of templates) {
      await page.goto(`${gw.url}/workflows/${t.id}`);
      await page.getByTestId('workflow-editor').waitFor();
      expect(await page.getByTestId('step').count() === t.definition.nodes.length, `${t.name}: a step per node`);
      await save();
      await page.getByTestId('saved').filter({ hasText: 'έκδοση 2' }).waitFor();
      const after = await api('GET', `/api/crm/workflows/${t.id}`);
      expect(JSON.stringify(after.definition) === JSON.stringify(t.definition), `${t.name}: the same definition; was ${JSON.stringify(t.definition)}, saved ${JSON.stringify(after.definition)}`);
    }
    await shot('template');
  });

  await step('no page errors', async () => {
    expect(pageErrors.length === 0, `no page errors, got ${pageErrors.join(' | ')}`);
  });
} finally {
  await browser?.close();
  await gw.stop();
}

finish();
