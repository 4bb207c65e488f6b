import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The console's `api` client captures fetch when its module loads: stub it first.
vi.hoisted(() => {
  globalThis.fetch = vi.fn(async () => new Response('{}', { status: 404 })) as unknown as typeof fetch;
});

import { I18nProvider } from '../i18n';
import { AuthContext } from '../ui';
import WorkflowEditor from './Editor';
import {
  AUTO, definitionOf, groupedKinds, describeTrigger, EMPTY_TRIGGER, END, fieldTarget, moveStep, newKey, resolveNext, runActions, sampleInput, stepsOf, triggerForm, triggerOf,
  type StepForm, type Workflow,
} from './logic';
import { problemText, workflowText } from './strings';
import { CATALOGUE } from './catalogue.fixture';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const step = (key: string, kind = 'set', p: Partial<StepForm> = {}): StepForm => ({ key, kind, config: {}, next: AUTO, branches: {}, on_error: '', ...p });

describe('where a refused field is shown', () => {
  it.each([
    ['nodes[2].config.condition', { at: 'node', index: 2, field: 'config.condition' }],
    ['definition.nodes[0].kind', { at: 'node', index: 0, field: 'kind' }],
    ['nodes[11].branches.then', { at: 'node', index: 11, field: 'branches.then' }],
    ['trigger.cron', { at: 'trigger', field: 'cron' }],
    ['definition.trigger.name', { at: 'trigger', field: 'name' }],
    ['trigger', { at: 'trigger', field: 'kind' }],
    ['name', { at: 'workflow', field: 'name' }],
    ['nodes', { at: 'workflow', field: 'nodes' }],
  ])('%s', (path, want) => {
    expect(fieldTarget(path)).toEqual(want);
  });

  it('names the field as the form labels it, in Greek', () => {
    const w = workflowText('el');
    expect(problemText({ field: 'nodes[2].config.condition', reason: '' }, w)).toBe('Το πεδίο «Συνθήκη» δεν είναι έγκυρο.');
    expect(problemText({ field: 'trigger.cron', reason: 'missing' }, w)).toBe('Συμπληρώστε: Cron.');
    expect(problemText({ field: 'nodes[0].config.headers', reason: 'json' }, w)).toBe('Γράψτε έγκυρο JSON: Κεφαλίδες (JSON).');
  });
});

describe('a trigger in Greek words', () => {
  it.each([
    [{ kind: 'event', name: 'call.missed' }, 'Αναπάντητη κλήση'],
    [{ kind: 'event', name: 'order.delivered' }, 'Παράδοση παραγγελίας'],
    [{ kind: 'manual' }, 'Χειροκίνητα'],
    [{ kind: 'schedule', cron: '0 9 * * 1' }, 'Κάθε Δευτέρα 09:00'],
    [{ kind: 'schedule', cron: '30 8 * * 1-5', timezone: 'Europe/Athens' }, 'Δευτέρα–Παρασκευή 08:30'],
    [{ kind: 'schedule', cron: '0 7 * * *' }, 'Κάθε μέρα 07:00'],
    [{ kind: 'schedule', cron: '0 10 1 * *' }, 'Στις 1 κάθε μήνα 10:00'],
    [{ kind: 'schedule', cron: '*/5 9-17 * * *', timezone: 'Europe/London' }, 'cron */5 9-17 * * * (Europe/London)'],
    [{ kind: 'schedule', every_minutes: 1 }, 'Κάθε λεπτό'],
    [{ kind: 'schedule', every_minutes: 15 }, 'Κάθε 15 λεπτά'],
    [{ kind: 'schedule', every_minutes: 120 }, 'Κάθε 2 ώρες'],
    [{ kind: 'schedule', every_minutes: 1440 }, 'Κάθε μέρα'],
  ] as const)('%j', (t, want) => {
    expect(describeTrigger(t as never, 'el')).toBe(want);
  });

  it('an event the console does not know reads as the catalogue describes it', () => {
    const c = { ...CATALOGUE, events: [{ name: 'visit.done', description: 'Ολοκληρώθηκε επίσκεψη', data: [] }] };
    expect(describeTrigger({ kind: 'event', name: 'visit.done' }, 'el', c)).toBe('Ολοκληρώθηκε επίσκεψη');
    expect(describeTrigger({ kind: 'schedule', cron: '0 9 * * 1' } as never, 'en')).toBe('Every Monday 09:00');
  });

  it('the trigger form and back', () => {
    expect(triggerOf(triggerForm({ kind: 'schedule', cron: '0 9 * * 1', timezone: 'Europe/Athens' } as never))).toEqual({ kind: 'schedule', cron: '0 9 * * 1', timezone: 'Europe/Athens' });
    expect(triggerOf(triggerForm({ kind: 'schedule', every_minutes: 30 }))).toEqual({ kind: 'schedule', every_minutes: 30 });
    expect(triggerOf({ ...EMPTY_TRIGGER, mode: 'every', every: '0' })).toEqual({ field: 'trigger.every_minutes', reason: 'number' });
    expect(triggerOf({ ...EMPTY_TRIGGER, mode: 'event', event: '' })).toEqual({ field: 'trigger.name', reason: 'missing' });
  });
});

describe('next: the following step unless chosen', () => {
  it('AUTO chains to the following step; the last and a stop end; END ends; a key is kept', () => {
    const steps = [step('a'), step('b', 'set', { next: END }), step('c', 'set', { next: 'a' }), step('d', 'stop'), step('e')];
    expect(steps.map((_, i) => resolveNext(steps, i))).toEqual(['b', undefined, 'a', undefined, undefined]);
  });

  it('reordering changes what AUTO means', () => {
    const steps = moveStep([step('a'), step('b'), step('c')], 2, -1);
    expect(steps.map((s) => s.key)).toEqual(['a', 'c', 'b']);
    expect(steps.map((_, i) => resolveNext(steps, i))).toEqual(['c', 'b', undefined]);
    expect(moveStep(steps, 0, -1).map((s) => s.key)).toEqual(['a', 'c', 'b']);
  });

  it('a stored definition reads back as the form it was saved from', () => {
    const steps = [step('check', 'if', { config: { condition: 'trigger.customer_id == ()' }, branches: { then: 'lead', else: 'done' } }), step('lead', 'create_lead', { config: { title: 'Από {{ trigger.sender }}' }, next: END }), step('done', 'stop')];
    const d = definitionOf({ ...EMPTY_TRIGGER, mode: 'event', event: 'whatsapp.received' }, steps, CATALOGUE);
    if (!d.ok) throw new Error('not ok');
    expect(d.definition.nodes.map((n) => n.next)).toEqual(['lead', undefined, undefined]);
    expect(d.definition.trigger).toEqual({ kind: 'event', name: 'whatsapp.received' });
    expect(stepsOf(d.definition.nodes)).toEqual(steps);
  });

  it('numbers and objects are typed by the catalogue; what does not read is named', () => {
    const d = definitionOf(EMPTY_TRIGGER, [step('w', 'wait', { config: { amount: '4', unit: 'hours' } }), step('h', 'http_request', { config: { url: 'https://x', headers: '{"a":"b"}', body: ' ' } })], CATALOGUE);
    if (!d.ok) throw new Error('not ok');
    expect(d.definition.nodes[0]?.config).toEqual({ amount: 4, unit: 'hours' });
    expect(d.definition.nodes[1]?.config).toEqual({ url: 'https://x', headers: { a: 'b' } });
    const bad = definitionOf(EMPTY_TRIGGER, [step('w', 'wait', { config: { amount: 'four' } })], CATALOGUE);
    expect(bad).toEqual({ ok: false, error: { field: 'nodes[0].config.amount', reason: 'number' } });
  });

  it('a new step gets the first free key of its kind', () => {
    expect(newKey('send_email', [step('send_email_1'), step('x')])).toBe('send_email_2');
  });
});

describe('test run and run buttons', () => {
  it('the sample data has the event fields, a schedule its time', () => {
    expect(sampleInput({ ...EMPTY_TRIGGER, mode: 'event', event: 'order.delivered' }, CATALOGUE, new Date(0))).toEqual({ order_id: '', number: 1, customer_id: null });
    expect(sampleInput({ ...EMPTY_TRIGGER, mode: 'every' }, CATALOGUE, new Date(0))).toEqual({ scheduled_at: '1970-01-01T00:00:00.000Z' });
    const c = { ...CATALOGUE, events: [{ name: 'x.y', description: '', data: { a: 'text', sender: 'phone' } }] };
    expect(sampleInput({ ...EMPTY_TRIGGER, mode: 'event', event: 'x.y' }, c, new Date(0))).toEqual({ a: '', sender: '+306900000000' });
  });

  it('retry only a failed run, cancel only one that has not ended', () => {
    expect(runActions('failed')).toEqual({ retry: true, cancel: false });
    expect(runActions('waiting')).toEqual({ retry: false, cancel: true });
    expect(runActions('running')).toEqual({ retry: false, cancel: true });
    expect(runActions('succeeded')).toEqual({ retry: false, cancel: false });
    expect(runActions('cancelled')).toEqual({ retry: false, cancel: false });
  });
});

describe('the step palette', () => {
  it('groups the kinds as the catalogue does', () => {
    const groups = groupedKinds(CATALOGUE);
    expect(groups.map(([g]) => g)).toEqual(['logic', 'output', 'utility', 'ai']);
    expect(groups[0]?.[1].map((n) => n.kind)).toEqual(['if', 'switch', 'wait', 'loop', 'stop']);
  });
});

describe('the editor', () => {
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

  function setValue(e: HTMLInputElement | HTMLSelectElement, v: string) {
    const proto = e instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
    act(() => {
      Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(e, v);
      e.dispatchEvent(new Event(e instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
    });
  }
  function renderEditor(id: string | null) {
    return act(async () => {
      root.render(
        <I18nProvider initial="el">
          <AuthContext.Provider value={{ claims: { sub: 'maria', permissions: ['crm:view', 'crm:edit'] }, canEdit: true, me: { username: 'maria', permissions: ['crm:view', 'crm:edit'] } as never }}>
            <WorkflowEditor id={id} />
          </AuthContext.Provider>
        </I18nProvider>,
      );
    });
  }

  it('a new workflow: a refused trigger field is shown on the trigger, a bad number before sending', async () => {
    const posts: unknown[] = [];
    globalThis.fetch = vi.fn(async (url: string, init?: RequestInit) => {
      if (init?.method === 'POST' && url === '/api/crm/workflows') {
        posts.push(JSON.parse(String(init.body)));
        return new Response(JSON.stringify({ error: { code: 'invalid_field', message: 'x', details: { field: 'definition.trigger.cron', reason: 'expected 5 fields' } } }), { status: 422 });
      }
      if (url === '/api/crm/workflows/catalogue') return new Response(JSON.stringify(CATALOGUE), { status: 200 });
      return new Response('{}', { status: 404 });
    }) as unknown as typeof fetch;
    await renderEditor(null);
    const q = <T extends Element>(sel: string) => container.querySelector(sel) as T;
    setValue(q<HTMLInputElement>('input[name=workflow_name]'), 'Κάθε Δευτέρα');
    setValue(q<HTMLSelectElement>('select[name=trigger_mode]'), 'every');
    setValue(q<HTMLInputElement>('input[name=trigger_every]'), '0');
    await act(async () => q<HTMLButtonElement>('[data-testid=save-workflow]').click());
    expect(posts).toEqual([]);
    expect(q('[data-testid=trigger] [data-testid=field-error]')?.textContent).toBe('Γράψτε αριθμό: Λεπτά.');
    setValue(q<HTMLSelectElement>('select[name=trigger_mode]'), 'cron');
    setValue(q<HTMLInputElement>('input[name=trigger_cron]'), '0 9 *');
    await act(async () => q<HTMLButtonElement>('[data-testid=save-workflow]').click());
    expect(posts).toEqual([{ name: 'Κάθε Δευτέρα', definition: { trigger: { kind: 'schedule', cron: '0 9 *', timezone: 'Europe/Athens' }, nodes: [] } }]);
    expect(q('[data-testid=trigger] [data-testid=field-error]')?.textContent).toContain('Το πεδίο «Cron» δεν είναι έγκυρο.');
    expect(q<HTMLInputElement>('input[name=trigger_cron]').style.outline).toContain('solid');
  });

  it('builds the palette from the server\'s catalogue; a kind it cannot run is offered disabled', async () => {
    const served = { ...CATALOGUE, unavailable: { ai_agent: 'AI nodes need CRM_LLM_URL and CRM_LLM_MODEL' } };
    globalThis.fetch = vi.fn(async (url: string) => (url === '/api/crm/workflows/catalogue' ? new Response(JSON.stringify(served), { status: 200 }) : new Response('{}', { status: 404 }))) as unknown as typeof fetch;
    await renderEditor(null);
    const agent = container.querySelector('[data-testid=add-step] option[value=ai_agent]') as HTMLOptionElement;
    expect(agent.disabled).toBe(true);
    expect(agent.title).toBe('AI nodes need CRM_LLM_URL and CRM_LLM_MODEL');
    expect(agent.textContent).toContain('μη διαθέσιμο');
    expect((container.querySelector('[data-testid=add-step] option[value=ai_intent]') as HTMLOptionElement).disabled).toBe(false);
    expect(container.querySelector('[data-testid=add-step] optgroup[label="Τεχνητή νοημοσύνη"]')).not.toBeNull();
  });

  it('shows a 422 on the named step field, highlighted', async () => {
    const wf: Workflow = {
      id: 'w1', name: 'Δοκιμή', enabled: false, version: 1, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
      definition: { trigger: { kind: 'manual' }, nodes: [{ key: 'a', kind: 'set', config: { name: 'x', value: '1' } as never, next: 'b' }, { key: 'b', kind: 'if', config: { condition: 'vars.x == 1' } as never }] },
    };
    const calls: { method: string; url: string; body: unknown }[] = [];
    globalThis.fetch = vi.fn(async (url: string, init?: RequestInit) => {
      calls.push({ method: init?.method ?? 'GET', url, body: init?.body ? JSON.parse(String(init.body)) : null });
      if (init?.method === 'PUT') return new Response(JSON.stringify({ error: { code: 'invalid_field', message: 'x', details: { field: 'nodes[1].config.condition', reason: 'unexpected end' } } }), { status: 422 });
      if (url === '/api/crm/workflows/w1') return new Response(JSON.stringify(wf), { status: 200 });
      if (url.endsWith('/runs')) return new Response(JSON.stringify({ runs: [] }), { status: 200 });
      if (url === '/api/crm/workflows/catalogue') return new Response(JSON.stringify(CATALOGUE), { status: 200 });
      return new Response('{}', { status: 404 });
    }) as unknown as typeof fetch;
    await renderEditor('w1');
    const save = container.querySelector('[data-testid=save-workflow]') as HTMLButtonElement;
    await act(async () => save.click());
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.body).toEqual({ trigger: { kind: 'manual' }, nodes: [{ key: 'a', kind: 'set', config: { name: 'x', value: '1' }, next: 'b' }, { key: 'b', kind: 'if', config: { condition: 'vars.x == 1' } }] });
    const steps = container.querySelectorAll('[data-testid=step]');
    const err = steps[1]?.querySelector('[data-testid=field-error]');
    expect(err?.textContent).toContain('Το πεδίο «Συνθήκη» δεν είναι έγκυρο.');
    expect(err?.closest('label')?.querySelector('input[name="config.condition"]')).not.toBeNull();
    expect((steps[1]?.querySelector('input[name="config.condition"]') as HTMLInputElement).style.outline).toContain('solid');
    expect(steps[0]?.querySelector('[data-testid=field-error]')).toBeNull();
  });
});
