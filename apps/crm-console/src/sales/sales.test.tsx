import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The console's `api` client captures fetch when its module loads: stub it first.
vi.hoisted(() => {
  globalThis.fetch = vi.fn(async () => new Response('{}', { status: 404 })) as unknown as typeof fetch;
});

import { ApiError } from '../api/client';
import { I18nProvider } from '../i18n';
import { AuthContext } from '../ui';
import SalesBoard, { LostReasonDialog, refusalText, SalesColumns } from './Board';
import LeadPage from './LeadPage';
import {
  asksLostReason, columns, dropAllowed, EMPTY_LINE, leadForm, leadPatch, moveBody, newLeadBody, openTotals, toUnits, unitsToDecimal, weighted,
  type Lead, type LeadForm, type Pipeline, type Stage,
} from './logic';
import { problemText, salesText } from './strings';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const el = salesText('el');
let container: HTMLDivElement;
let root: Root;
beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

function render(node: ReactNode, permissions: string[] = ['crm:view', 'crm:edit']) {
  act(() => {
    root.render(
      <I18nProvider initial="el">
        <AuthContext.Provider value={{ claims: { sub: 'maria', permissions }, canEdit: permissions.includes('crm:edit'), me: { username: 'maria', permissions } as never }}>{node}</AuthContext.Provider>
      </I18nProvider>,
    );
  });
}

const sid = (n: number) => `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;
const stage = (n: number, name: string, probability: number, kind: '' | 'won' | 'lost' = ''): Stage => ({ id: sid(n), name, probability, won: kind === 'won', lost: kind === 'lost' });
const STAGES: Stage[] = [stage(1, 'Επαφή', 10), stage(2, 'Προσφορά', 50), stage(3, 'Κερδήθηκε', 100, 'won'), stage(4, 'Χάθηκε', 0, 'lost')];
const PIPELINE: Pipeline = { id: sid(90), name: 'Πωλήσεις', is_default: true, stages: STAGES, created_at: '2026-12-01T10:00:00Z', updated_at: '2026-12-01T10:00:00Z', version: 1 };

let n = 0;
function lead(p: Partial<Lead>): Lead {
  n += 1;
  return {
    id: `00000000-0000-4000-8000-1000000000${String(n).padStart(2, '0')}`, title: `Καμπάνα ${n}`, source: 'phone', currency: 'EUR', pipeline_id: PIPELINE.id,
    stage_id: sid(1), status: 'open', tags: [], lines: [], created_at: '2026-12-01T10:00:00Z', updated_at: '2026-12-01T10:00:00Z', version: 1, ...p,
  };
}

function server(answer: (method: string, url: string, body: unknown) => { status: number; body?: unknown }) {
  const calls: { method: string; url: string; body: unknown; ifMatch: string | null }[] = [];
  globalThis.fetch = vi.fn(async (url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, url, body, ifMatch: (init?.headers as Record<string, string> | undefined)?.['If-Match'] ?? null });
    const a = answer(method, url, body);
    return new Response(a.body === undefined ? null : JSON.stringify(a.body), { status: a.status, headers: { 'Content-Type': 'application/json' } });
  }) as unknown as typeof fetch;
  return calls;
}
const settle = () => act(async () => { for (let i = 0; i < 6; i++) await new Promise((r) => setTimeout(r, 0)); });
function drag(type: string, target: Element): Event {
  const e = new Event(type, { bubbles: true, cancelable: true });
  act(() => { target.dispatchEvent(e); });
  return e;
}
function setValue(e: HTMLTextAreaElement | HTMLInputElement, v: string) {
  const proto = e instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  act(() => {
    Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(e, v);
    e.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
const col = (name: string) => container.querySelector(`[data-testid="stage-${name}"]`) as HTMLElement;

describe('money on the board', () => {
  it('sums values exactly, where floating point would not', () => {
    expect(unitsToDecimal(toUnits('0.10') + toUnits(0.2))).toBe('0.30');
    expect(unitsToDecimal(toUnits('1000.10') + toUnits(2000))).toBe('3000.10');
    expect(toUnits(null)).toBe(0n);
    expect(toUnits('abc')).toBe(0n);
  });

  it('weights a value by the stage probability and rounds only for display, halves away from zero', () => {
    expect(weighted('1234.57', 25)).toBe(3086425n); // 308.6425 €
    expect(unitsToDecimal(weighted('1234.57', 25))).toBe('308.64');
    expect(unitsToDecimal(weighted('0.10', 50))).toBe('0.05');
    expect(unitsToDecimal(toUnits('0.005'))).toBe('0.01');
    expect(unitsToDecimal(-toUnits('0.005'))).toBe('-0.01');
  });

  it('gives each stage its count, sum and weighted sum, empty stages included', () => {
    const cols = columns(STAGES, [
      lead({ stage_id: sid(2), estimated_value: '1000.10' }),
      lead({ stage_id: sid(2), estimated_value: 2000 }),
      lead({ stage_id: sid(1), estimated_value: '400' }),
      lead({ stage_id: sid(1) }),
      lead({ stage_id: sid(3), status: 'won', estimated_value: '5000' }),
    ]);
    expect(cols.map((c) => [c.stage.name, c.count, unitsToDecimal(c.value), unitsToDecimal(c.weighted)])).toEqual([
      ['Επαφή', 2, '400.00', '40.00'],
      ['Προσφορά', 2, '3000.10', '1500.05'],
      ['Κερδήθηκε', 1, '5000.00', '5000.00'],
      ['Χάθηκε', 0, '0.00', '0.00'],
    ]);
    const open = openTotals(cols);
    expect([unitsToDecimal(open.value), unitsToDecimal(open.weighted)]).toEqual(['3400.10', '1540.05']);
  });
});

describe('dropping a card on a stage', () => {
  it('is allowed on every other stage of the lead\'s own pipeline only', () => {
    const l = lead({ stage_id: sid(2) });
    expect(STAGES.map((s) => dropAllowed(l, s, PIPELINE))).toEqual([true, false, true, true]);
    expect(dropAllowed({ ...l, pipeline_id: sid(91) }, STAGES[0] as Stage, PIPELINE)).toBe(false);
    expect(dropAllowed(l, stage(50, 'Ξένο', 10), PIPELINE)).toBe(false);
  });

  it('asks why only when the lead becomes lost without a reason', () => {
    const lost = STAGES[3] as Stage;
    expect(asksLostReason(lead({}), lost)).toBe(true);
    expect(asksLostReason(lead({ status: 'lost', lost_reason: 'Ακριβό' }), lost)).toBe(false);
    expect(asksLostReason(lead({}), STAGES[2] as Stage)).toBe(false);
    expect(moveBody(lost, '  ', true)).toBeNull();
    expect(moveBody(lost, ' Ακριβό ', true)).toEqual({ stage_id: lost.id, lost_reason: 'Ακριβό' });
    expect(moveBody(STAGES[1] as Stage, 'ignored', false)).toEqual({ stage_id: sid(2) });
  });

  it('puts a refusal into words: 412 and 409', () => {
    const l = lead({ title: 'Καμπάνα Αγ. Νικολάου' });
    expect(refusalText(new ApiError(412, 'stale_version', '', undefined, '/api/crm/leads/x/stage'), l, el)).toBe(
      'Κάποιος άλλος άλλαξε την «Καμπάνα Αγ. Νικολάου» στο μεταξύ· ο πίνακας ανανεώθηκε, δοκιμάστε ξανά.',
    );
    expect(refusalText(new ApiError(409, 'conflict', 'the lead is lost', undefined, '/api/crm/leads/x/stage'), l, salesText('en'))).toBe(
      'The server refused to move “Καμπάνα Αγ. Νικολάου”: the lead is lost. The board was reloaded.',
    );
  });

  it('drags on the columns: the lead\'s own stage refuses the drop, another takes it', () => {
    const l = lead({ stage_id: sid(1), estimated_value: '100' });
    const onDrop = vi.fn();
    render(<SalesColumns pipeline={PIPELINE} leads={[l]} onDrop={onDrop} />);
    expect(col('Επαφή').querySelector('[data-testid=count]')?.textContent).toBe('1');
    expect(col('Επαφή').querySelector('[data-testid=weighted]')?.getAttribute('data-value')).toBe('10.00');
    const card = container.querySelector('[data-testid=lead-card]') as HTMLElement;
    expect(card.getAttribute('draggable')).toBe('true');
    drag('dragstart', card);
    expect(col('Επαφή').dataset.drop).toBe('no');
    expect(col('Προσφορά').dataset.drop).toBe('allowed');
    expect(drag('dragover', col('Επαφή')).defaultPrevented).toBe(false);
    expect(drag('dragover', col('Προσφορά')).defaultPrevented).toBe(true);
    drag('drop', col('Επαφή'));
    expect(onDrop).not.toHaveBeenCalled();
    drag('dragstart', card);
    drag('drop', col('Χάθηκε'));
    expect(onDrop).toHaveBeenCalledWith(l, STAGES[3]);
  });

  it('gives a viewer cards that do not drag', () => {
    render(<SalesColumns pipeline={PIPELINE} leads={[lead({})]} />, ['crm:view']);
    expect(container.querySelector('[data-testid=lead-card]')?.getAttribute('draggable')).toBe('false');
  });

  it('refuses an empty lost reason and passes on a given one', () => {
    const onConfirm = vi.fn();
    render(<LostReasonDialog lead={{ title: 'Καμπάνα' }} stage={{ name: 'Χάθηκε' }} onConfirm={onConfirm} onCancel={() => {}} />);
    const form = container.querySelector('[data-testid=lost-reason]') as HTMLFormElement;
    act(() => { form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true })); });
    expect(onConfirm).not.toHaveBeenCalled();
    expect(form.querySelector('[role=alert]')?.textContent).toBe('Γράψτε τον λόγο απώλειας.');
    setValue(form.querySelector('textarea') as HTMLTextAreaElement, ' Πήγαν σε άλλον ');
    act(() => { form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true })); });
    expect(onConfirm).toHaveBeenCalledWith('Πήγαν σε άλλον');
  });

  it('sends a drop on a lost stage with the reason and the card\'s version; a 412 is said and the board reloads', async () => {
    const l = lead({ stage_id: sid(1), version: 3 });
    let gets = 0;
    const calls = server((method, url) => {
      if (method === 'GET' && url === '/api/crm/pipelines') return { status: 200, body: [PIPELINE] };
      if (method === 'GET' && url.startsWith('/api/crm/leads?')) {
        gets += 1;
        return { status: 200, body: { leads: [gets === 1 ? l : { ...l, version: 4 }], total: 1 } };
      }
      if (method === 'GET' && url.endsWith('/view')) return { status: 200, body: { pipeline_id: PIPELINE.id, stages: [], owners: [] } };
      if (method === 'POST') return { status: 412, body: { error: { code: 'stale_version', message: 'changed' } } };
      return { status: 404, body: { error: { code: 'not_found', message: '' } } };
    });
    window.history.pushState(null, '', '/sales');
    render(<SalesBoard />);
    await settle();
    drag('dragstart', container.querySelector('[data-testid=lead-card]') as HTMLElement);
    drag('drop', col('Χάθηκε'));
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    const dialog = container.querySelector('[data-testid=lost-reason]') as HTMLFormElement;
    setValue(dialog.querySelector('textarea') as HTMLTextAreaElement, 'Ακριβό');
    act(() => { dialog.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true })); });
    await settle();
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.url).toBe(`/api/crm/leads/${l.id}/stage`);
    expect(post?.body).toEqual({ stage_id: sid(4), lost_reason: 'Ακριβό' });
    expect(post?.ifMatch).toBe('"3"');
    expect(container.querySelector('[data-testid=move-refused]')?.textContent).toContain('Κάποιος άλλος άλλαξε');
    expect(gets).toBe(2);
  });
});

describe('the lead forms', () => {
  const form = (p: Partial<LeadForm>): LeadForm => ({ title: 'Καμπάνα', source: 'fair', value: '', close: '', owner: '', tags: '', lines: [EMPTY_LINE], ...p });
  const prospect = { name: 'π. Γεώργιος', organization: '', phone: '691 234 5678', email: '' };

  it('builds a new lead for a prospect, leaving empty line rows out', () => {
    const b = newLeadBody(form({ value: '1.250,50'.replace('.', ''), lines: [{ product_id: '', description: 'Τοποθέτηση', quantity: '1', unit_price: '450,50' }, EMPTY_LINE] }), prospect);
    expect(b).toEqual({
      ok: true,
      body: {
        title: 'Καμπάνα', source: 'fair', estimated_value: '1250.50', expected_close: null, owner: null, tags: [],
        lines: [{ description: 'Τοποθέτηση', quantity: '1', unit_price: '450.50' }],
        prospect: { name: 'π. Γεώργιος', organization: null, contacts: [{ kind: 'mobile', value: '691 234 5678', normalized: '' }] },
      },
    });
  });

  it('names what is missing or wrong at the field\'s path', () => {
    const err = (b: ReturnType<typeof newLeadBody>) => (b.ok ? null : b.error);
    expect(err(newLeadBody(form({ title: ' ' }), prospect))).toEqual({ field: 'title', problem: 'missing' });
    expect(err(newLeadBody(form({}), { ...prospect, name: '' }))).toEqual({ field: 'prospect.name', problem: 'missing' });
    expect(err(newLeadBody(form({}), { ...prospect, phone: '' }))).toEqual({ field: 'prospect.contacts', problem: 'missing' });
    expect(err(newLeadBody(form({ value: 'πολλά' }), prospect))).toEqual({ field: 'estimated_value', problem: 'amount' });
    const bad = err(newLeadBody(form({ lines: [{ product_id: '', description: 'Σχοινί', quantity: '0', unit_price: '5' }] }), prospect));
    expect(bad).toEqual({ field: 'lines[0].quantity', problem: 'amount' });
    expect(problemText(bad as NonNullable<typeof bad>, el)).toBe('Γράψτε ποσό όπως 1250,50: Γραμμές προσφοράς, γραμμή 1: Ποσότητα.');
  });

  it('sends only what changed of a stored lead, null to clear', () => {
    const l = lead({ estimated_value: 1500.5, owner: 'maria', tags: ['Έκθεση'], lines: [{ description: 'Καμπάνα', quantity: 1, unit_price: 3800 }] });
    expect(leadPatch(l, leadForm(l))).toEqual({ ok: true, body: {} });
    expect(leadPatch(l, { ...leadForm(l), value: '1500.50' })).toEqual({ ok: true, body: {} });
    expect(leadPatch(l, { ...leadForm(l), owner: '', value: '2000' })).toEqual({ ok: true, body: { owner: null, estimated_value: '2000' } });
    const lines = leadPatch(l, { ...leadForm(l), lines: [{ product_id: '', description: 'Καμπάνα', quantity: '2', unit_price: '3800' }] });
    expect(lines).toEqual({ ok: true, body: { lines: [{ description: 'Καμπάνα', quantity: '2', unit_price: '3800' }] } });
  });
});

describe('the lead page', () => {
  it('saves only what changed with If-Match of the lead read; a 412 says so and reads it again', async () => {
    const l = lead({ title: 'Καμπάνα', version: 5, owner: 'maria', status: 'won', stage_id: sid(3), lines: [{ description: 'Καμπάνα', quantity: 1, unit_price: 3800 }] });
    let gets = 0;
    const calls = server((method, url) => {
      if (method === 'GET' && url === `/api/crm/leads/${l.id}`) {
        gets += 1;
        return { status: 200, body: gets === 1 ? l : { ...l, owner: 'nikos', version: 6 } };
      }
      if (method === 'GET' && url === `/api/crm/pipelines/${PIPELINE.id}`) return { status: 200, body: PIPELINE };
      if (method === 'GET' && url.endsWith('/history')) return { status: 200, body: { stage_moves: [{ from_stage_id: null, to_stage_id: sid(1), actor: 'maria', at: '2026-12-01T10:00:00Z' }], assignments: [] } };
      if (method === 'GET' && url.includes('/comms')) return { status: 200, body: { entries: [], customer_id: null } };
      if (method === 'PUT') return { status: 412, body: { error: { code: 'stale_version', message: 'changed' } } };
      return { status: 404, body: { error: { code: 'not_found', message: '' } } };
    });
    render(<LeadPage id={l.id} />);
    await settle();
    expect(container.querySelector('[data-testid=stage-history]')?.textContent).toContain('Επαφή');
    // a won lead offers the conversion, with the draft order ticked as it has quoted lines
    expect((container.querySelector('input[name=create_draft_order]') as HTMLInputElement).checked).toBe(true);
    setValue(container.querySelector('input[name=title]') as HTMLInputElement, 'Καμπάνα 120 kg');
    const form = container.querySelector('[data-testid=lead-form]') as HTMLFormElement;
    act(() => { form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true })); });
    await settle();
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.url).toBe(`/api/crm/leads/${l.id}`);
    expect(put?.body).toEqual({ title: 'Καμπάνα 120 kg' });
    expect(put?.ifMatch).toBe('"5"');
    expect(gets).toBe(2);
    expect((container.querySelector('input[name=owner]') as HTMLInputElement).value).toBe('nikos');
    expect(container.querySelector('[data-testid=lead-stale]')?.textContent).toBe(el.stale);
  });
});
