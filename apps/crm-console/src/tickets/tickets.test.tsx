import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The console's `api` client captures fetch when its module loads: stub it first.
vi.hoisted(() => {
  globalThis.fetch = vi.fn(async () => new Response('{}', { status: 404 })) as unknown as typeof fetch;
});

import { ApiError } from '../api/client';
import { errorSentence } from '../errors';
import { I18nProvider } from '../i18n';
import { AuthContext } from '../ui';
import { Board, StatusControl, VisitCompletionForm } from './components';
import { NewTicketFromEntry } from './entry';
import {
  allowedMoves, completionBody, dropTargets, EMPTY_MACRO, filterQuery, groupByStatus, isOverdue, macroBody, macroForm, moveRefusal, NEXT, NO_FILTERS, STATUSES,
  type Macro, type MacroForm, type NewMacro, type Status, type Ticket,
} from './logic';
import MacroManager, { MacroEditor, saveMacro } from './Macros';
import Queue, { refusalText } from './Queue';
import { SerialLinks, serialPath } from './serials';
import { macroProblem, ticketText } from './strings';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const el = ticketText('el');
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

let n = 0;
function ticket(p: Partial<Ticket>): Ticket {
  n += 1;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, number: `TCK-2026-${String(n).padStart(4, '0')}`, customer_id: '00000000-0000-4000-8000-0000000000cc',
    subject: `Καμπάνα ${n}`, status: 'new', priority: 'normal', kind: 'repair', tags: [], linked_entry_ids: [],
    created_at: '2026-12-01T10:00:00Z', updated_at: '2026-12-01T10:00:00Z', version: 1, ...p,
  };
}

/** Sets a form control's value the way a user does (React listens to `input`/`change`). */
function setValue(e: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, v: string) {
  const proto = e instanceof HTMLSelectElement ? HTMLSelectElement.prototype : e instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  act(() => {
    Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(e, v);
    e.dispatchEvent(new Event(e instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
}

describe('the board by status', () => {
  it('has a column per status in the workflow order, most urgent first, then soonest due', () => {
    const a = ticket({ status: 'open', priority: 'normal', due_at: '2026-12-10T10:00:00Z' });
    const b = ticket({ status: 'open', priority: 'urgent' });
    const c = ticket({ status: 'open', priority: 'normal', due_at: '2026-12-03T10:00:00Z' });
    const d = ticket({ status: 'open', priority: 'normal' });
    const e = ticket({ status: 'closed', priority: 'low' });
    const cols = groupByStatus([a, b, c, d, e]);
    expect(cols.map((x) => x.status)).toEqual(['new', 'open', 'scheduled', 'in_progress', 'waiting_customer', 'resolved', 'closed']);
    expect(cols.find((x) => x.status === 'open')?.tickets.map((t) => t.id)).toEqual([b.id, c.id, a.id, d.id]);
    expect(cols.find((x) => x.status === 'closed')?.tickets).toEqual([e]);
    expect(cols.find((x) => x.status === 'new')?.tickets).toEqual([]);
  });

  it('shows the columns with their counts and the cards linking to the tickets, overdue marked', () => {
    const late = ticket({ status: 'in_progress', due_at: '2026-12-01T08:00:00Z', subject: 'Χτυπά λάθος ώρα' });
    const done = ticket({ status: 'resolved', due_at: '2026-12-01T08:00:00Z' });
    render(<Board tickets={[late, done]} now={new Date('2026-12-06T10:00:00Z')} />);
    const cols = [...container.querySelectorAll('[data-testid^=col-]')];
    expect(cols.map((c) => c.querySelector('h3')?.textContent)).toEqual(['Νέα 0', 'Ανοιχτή 0', 'Προγραμματισμένη 0', 'Σε εξέλιξη 1', 'Αναμονή πελάτη 0', 'Επιλύθηκε 1', 'Κλειστή 0']);
    const card = container.querySelector('[data-testid=col-in_progress] a') as HTMLAnchorElement;
    expect(card.getAttribute('href')).toBe(`/tickets/${late.id}`);
    expect(card.textContent).toContain('Χτυπά λάθος ώρα');
    expect(card.textContent).toContain('εκπρόθεσμη');
    expect(container.querySelector('[data-testid=col-resolved] a')?.textContent).not.toContain('εκπρόθεσμη');
    expect(isOverdue(done, new Date('2026-12-06T10:00:00Z'))).toBe(false);
  });

  it('asks the server for the chosen statuses comma-separated, with the other filters', () => {
    expect(filterQuery({ ...NO_FILTERS, status: ['new', 'open'], overdue: true, priority: 'urgent', assignee: ' nikos ' }, 100, 0)).toBe('status=new%2Copen&assignee=nikos&priority=urgent&overdue=true&limit=100');
    expect(filterQuery({ ...NO_FILTERS, sort: 'due', tag: 'Εγγύηση' }, 50, 50)).toBe(`tag=${encodeURIComponent('Εγγύηση')}&sort=due&limit=50&offset=50`);
  });
});

describe('the status control', () => {
  // crm-tickets' Status::next, as its documentation table states it.
  const TABLE: Record<Status, Status[]> = {
    new: ['open', 'closed'],
    open: ['scheduled', 'in_progress', 'resolved', 'closed'],
    scheduled: ['open', 'in_progress', 'closed'],
    in_progress: ['scheduled', 'waiting_customer', 'resolved', 'closed'],
    waiting_customer: ['in_progress', 'resolved', 'closed'],
    resolved: ['open', 'closed'],
    closed: ['open'],
  };

  it('offers exactly the moves the workflow allows from each status', () => {
    for (const s of STATUSES) {
      expect([...allowedMoves(s)].sort(), s).toEqual([...TABLE[s]].sort());
      render(<StatusControl status={s} canEdit onMove={() => {}} />);
      const offered = [...container.querySelectorAll('[data-testid^=move-]')].map((b) => b.getAttribute('data-testid')?.slice(5));
      expect(offered.sort(), s).toEqual([...TABLE[s]].sort());
      expect(container.querySelector('[data-testid=ticket-status]')?.textContent).toBe(el.st(s));
    }
  });

  it('any status but closed can be closed; closed can only be reopened', () => {
    for (const s of STATUSES) if (s !== 'closed') expect(allowedMoves(s)).toContain('closed');
    expect(allowedMoves('closed')).toEqual(['open']);
  });

  it('sends the chosen move, and shows a viewer the status without buttons', () => {
    const onMove = vi.fn();
    render(<StatusControl status="open" canEdit onMove={onMove} />);
    const b = container.querySelector('[data-testid=move-scheduled]') as HTMLButtonElement;
    expect(b.textContent).toBe('Προγραμματισμένη');
    act(() => b.click());
    expect(onMove).toHaveBeenCalledWith('scheduled');
    render(<StatusControl status="open" canEdit={false} onMove={onMove} />, ['crm:view']);
    expect(container.querySelectorAll('button')).toHaveLength(0);
    expect(container.textContent).toContain('Ανοιχτή');
  });
});

describe('the visit completion form', () => {
  const ROPE = { id: '00000000-0000-4000-8000-0000000000a1', name: 'Σχοινί καμπάνας', sku: 'ROPE', stock: { on_hand: 5, reserved: 1, available: 4 } };
  const HAMMER = { id: '00000000-0000-4000-8000-0000000000a2', name: 'Σφυρί κρούσης', sku: 'HMR', stock: { on_hand: 2, reserved: 0, available: 2 } };

  it('drops empty lines, sums the same product, and names the line of a bad quantity or missing product', () => {
    expect(completionBody(' Αλλαγή σχοινιού ', [{ product_id: ROPE.id, quantity: '1' }, { product_id: '', quantity: '' }, { product_id: ROPE.id, quantity: '2' }])).toEqual({
      ok: true, body: { status: 'completed', outcome: 'Αλλαγή σχοινιού', parts: [{ product_id: ROPE.id, quantity: 3 }] },
    });
    expect(completionBody('', [])).toEqual({ ok: true, body: { status: 'completed', outcome: null, parts: [] } });
    expect(completionBody('', [{ product_id: ROPE.id, quantity: '1.200' }])).toMatchObject({ ok: true, body: { parts: [{ quantity: 1200 }] } });
    expect(completionBody('', [{ product_id: ROPE.id, quantity: '1' }, { product_id: HAMMER.id, quantity: '0' }])).toEqual({ ok: false, line: 2, problem: 'quantity' });
    expect(completionBody('', [{ product_id: ROPE.id, quantity: '-1' }])).toEqual({ ok: false, line: 1, problem: 'quantity' });
    expect(completionBody('', [{ product_id: '', quantity: '2' }])).toEqual({ ok: false, line: 1, problem: 'product' });
  });

  it('picks parts from the products with quantities and sends the completion', () => {
    const onSubmit = vi.fn();
    render(<VisitCompletionForm products={[ROPE, HAMMER]} onSubmit={onSubmit} onCancel={() => {}} />);
    const form = container.querySelector('[data-testid=visit-complete]') as HTMLFormElement;
    setValue(form.querySelector('textarea[name=outcome]') as HTMLTextAreaElement, 'Αντικαταστάθηκε το σφυρί');
    const options = [...(form.querySelector('select[name=product]') as HTMLSelectElement).options].map((o) => o.textContent);
    expect(options).toEqual(['— επιλέξτε προϊόν —', 'Σχοινί καμπάνας (ROPE)', 'Σφυρί κρούσης (HMR)']);
    setValue(form.querySelector('select[name=product]') as HTMLSelectElement, HAMMER.id);
    expect(form.textContent).toContain('διαθέσιμα: 2');
    act(() => ([...form.querySelectorAll('button')].find((b) => b.textContent === '+ Ανταλλακτικό') as HTMLButtonElement).click());
    const rows = form.querySelectorAll('[data-testid=part-row]');
    expect(rows).toHaveLength(2);
    setValue(rows[1]?.querySelector('select') as HTMLSelectElement, ROPE.id);
    setValue(rows[1]?.querySelector('input[name=quantity]') as HTMLInputElement, '2');
    act(() => form.requestSubmit());
    expect(onSubmit).toHaveBeenCalledWith({ status: 'completed', outcome: 'Αντικαταστάθηκε το σφυρί', parts: [{ product_id: HAMMER.id, quantity: 1 }, { product_id: ROPE.id, quantity: 2 }] });
  });

  it('does not send a line without a product, and says which line', () => {
    const onSubmit = vi.fn();
    render(<VisitCompletionForm products={[ROPE]} onSubmit={onSubmit} onCancel={() => {}} />);
    const form = container.querySelector('[data-testid=visit-complete]') as HTMLFormElement;
    setValue(form.querySelector('input[name=quantity]') as HTMLInputElement, '3');
    act(() => form.requestSubmit());
    expect(onSubmit).not.toHaveBeenCalled();
    expect(form.querySelector('[role=alert]')?.textContent).toBe('Επιλέξτε προϊόν στη γραμμή 1.');
    setValue(form.querySelector('select[name=product]') as HTMLSelectElement, ROPE.id);
    setValue(form.querySelector('input[name=quantity]') as HTMLInputElement, 'δύο');
    act(() => form.requestSubmit());
    expect(onSubmit).not.toHaveBeenCalled();
    expect(form.querySelector('[role=alert]')?.textContent).toBe('Η ποσότητα στη γραμμή 1 πρέπει να είναι θετικός ακέραιος.');
  });
});

describe('the service desk words', () => {
  it('has every status, priority and kind in Greek and English', () => {
    const en = ticketText('en');
    expect(STATUSES.map((s) => en.st(s))).toEqual(['New', 'Open', 'Scheduled', 'In progress', 'Waiting for customer', 'Resolved', 'Closed']);
    expect(el.tickets).toBe('Εργασίες');
    expect(el.createFromEntry).toBe('Νέα εργασία');
  });
});

describe('the service desk errors in words', () => {
  const err = (status: number, code: string, message: string, url: string, details?: unknown) => new ApiError(status, code, message, details, url);

  it('names the part short of stock, a move not allowed, a closed ticket and a visit already done', () => {
    expect(errorSentence(err(409, 'conflict', 'not enough of product Σχοινί καμπάνας (00000000-0000-4000-8000-0000000000a1) in stock: 1 free (1 on hand, 0 reserved), 2 used', '/api/crm/visits/x'), 'el')).toBe(
      'Δεν υπάρχει αρκετό απόθεμα από «Σχοινί καμπάνας»· η επίσκεψη δεν ολοκληρώθηκε.',
    );
    expect(errorSentence(err(409, 'conflict', 'the ticket is closed: it cannot become resolved (allowed: open)', '/api/crm/tickets/x'), 'el')).toBe('Αυτή η αλλαγή κατάστασης δεν επιτρέπεται.');
    expect(errorSentence(err(409, 'conflict', 'the ticket TCK-2026-0001 is closed: reopen it to schedule a visit', '/api/crm/tickets/x/visits'), 'en')).toBe('The ticket is closed; reopen it to schedule a visit.');
    expect(errorSentence(err(409, 'conflict', 'the visit is completed', '/api/crm/visits/x'), 'el')).toBe('Η επίσκεψη δεν είναι πια προγραμματισμένη (ολοκληρώθηκε ή ακυρώθηκε).');
  });

  it('names the visit fields a 422 refuses', () => {
    expect(errorSentence(err(422, 'invalid_field', '', '/api/crm/tickets/x/visits', { field: 'ends_at', reason: 'must be after starts_at' }), 'el')).toBe('Η λήξη της επίσκεψης πρέπει να είναι μετά την έναρξη.');
    expect(errorSentence(err(422, 'invalid_field', '', '/api/crm/visits/x', { field: 'parts[1].quantity', reason: '' }), 'en')).toBe('The quantity of a part must be a positive whole number.');
    expect(errorSentence(err(404, 'not_found', '', '/api/crm/serials/VSP-1'), 'el')).toBe('Δεν βρέθηκε (η εργασία, η επίσκεψη ή ο σειριακός αριθμός).');
  });
});

// --- issue 19's last pieces: drag and drop on the board, macros, serial links, linking entries

/** A fetch stand-in answering by method and path; records every call. */
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
const settle = () => act(async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); });
function drag(type: string, target: Element): Event {
  const e = new Event(type, { bubbles: true, cancelable: true });
  act(() => { target.dispatchEvent(e); });
  return e;
}
const col = (s: Status) => container.querySelector(`[data-testid=col-${s}]`) as HTMLElement;

describe('dragging a card between the columns of the board', () => {
  it('allows as drop targets exactly the moves from the card\'s status, never its own column', () => {
    for (const s of STATUSES) {
      expect([...dropTargets(s)].sort(), s).toEqual([...NEXT[s]].sort());
      expect(dropTargets(s).has(s), s).toBe(false);
    }
    expect([...dropTargets('closed')]).toEqual(['open']);
    expect([...dropTargets('new')].sort()).toEqual(['closed', 'open']);
  });

  it('dims the columns a new ticket may not move to, refuses a drop there and moves it on an allowed one', () => {
    const t = ticket({ status: 'new' });
    const onMove = vi.fn();
    render(<Board tickets={[t]} onMove={onMove} />);
    const card = container.querySelector('[data-testid=ticket-card]') as HTMLElement;
    expect(card.getAttribute('draggable')).toBe('true');
    drag('dragstart', card);
    for (const s of STATUSES) {
      const allowed = s === 'open' || s === 'closed';
      expect(col(s).dataset.drop, s).toBe(allowed ? 'allowed' : 'no');
      expect(col(s).style.opacity, s).toBe(allowed || s === 'new' ? '' : '0.35');
    }
    expect(drag('dragover', col('resolved')).defaultPrevented).toBe(false);
    expect(drag('dragover', col('open')).defaultPrevented).toBe(true);
    drag('drop', col('resolved'));
    expect(onMove).not.toHaveBeenCalled();
    drag('dragstart', card);
    drag('drop', col('open'));
    expect(onMove).toHaveBeenCalledWith(t, 'open');
    expect(col('resolved').dataset.drop).toBeUndefined();
  });

  it('gives a viewer cards that do not drag', () => {
    render(<Board tickets={[ticket({ status: 'open' })]} />, ['crm:view']);
    expect(container.querySelector('[data-testid=ticket-card]')?.getAttribute('draggable')).toBe('false');
  });

  it('reads the refused move from the server\'s 409 and says it in words', () => {
    expect(moveRefusal('the ticket is closed: it cannot become resolved (allowed: open)')).toEqual({ current: 'closed', to: 'resolved', allowed: ['open'] });
    expect(moveRefusal('not enough of product X')).toBeNull();
    const t = ticket({ status: 'new', number: 'TCK-2026-0042' });
    expect(refusalText(new ApiError(409, 'conflict', 'the ticket is closed: it cannot become resolved (allowed: open)', undefined, '/api/crm/tickets/x'), t, el)).toBe(
      'Ο διακομιστής δεν δέχτηκε την αλλαγή: η TCK-2026-0042 είναι «Κλειστή» και δεν μπορεί να γίνει «Επιλύθηκε»· από εκεί επιτρέπεται: «Ανοιχτή». Ο πίνακας ανανεώθηκε.',
    );
    expect(refusalText(new ApiError(412, 'stale_version', '', undefined, '/api/crm/tickets/x'), t, ticketText('en'))).toBe('Someone else changed TCK-2026-0042 meanwhile; the board was reloaded, try again.');
  });

  it('sends the drop as a status change with the card\'s version; a refusal shows the server\'s reason and reloads the board', async () => {
    const t = ticket({ status: 'new', version: 3 });
    let gets = 0;
    const calls = server((method, url) => {
      if (method === 'GET' && url.startsWith('/api/crm/tickets?')) {
        gets += 1;
        // the second read: someone closed it meanwhile
        return { status: 200, body: { tickets: [gets === 1 ? t : { ...t, status: 'closed', version: 4 }], total: 1 } };
      }
      if (method === 'PUT') return { status: 409, body: { error: { code: 'conflict', message: 'the ticket is closed: it cannot become open (allowed: open)' } } };
      return { status: 404, body: { error: { code: 'not_found', message: '' } } };
    });
    window.history.pushState(null, '', '/tickets');
    render(<Queue />);
    await settle();
    drag('dragstart', container.querySelector('[data-testid=ticket-card]') as HTMLElement);
    drag('drop', col('open'));
    await settle();
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.url).toBe(`/api/crm/tickets/${t.id}`);
    expect(put?.body).toEqual({ status: 'open' });
    expect(put?.ifMatch).toBe('"3"');
    expect(container.querySelector('[data-testid=move-refused]')?.textContent).toContain('είναι «Κλειστή»');
    expect(gets).toBe(2);
    expect(col('closed').querySelector('[data-testid=ticket-card]')).not.toBeNull();
  });
});

describe('the macro form', () => {
  const form = (p: Partial<MacroForm>): MacroForm => ({ ...EMPTY_MACRO, ...p });

  it('builds the steps in order: status, priority, assignee, tags, the note', () => {
    expect(macroBody(form({ name: ' Αναμονή ', status: 'waiting_customer', priority: 'high', assignee: 'set', assigneeName: ' nikos ', tags: 'Εγγύηση, εγγύηση, ανταλλακτικό', note: 'Αγαπητοί {customer}, για την {ticket}…', visibility: 'customer' }))).toEqual({
      ok: true,
      body: {
        name: 'Αναμονή',
        actions: [
          { action: 'set_status', status: 'waiting_customer' },
          { action: 'set_priority', priority: 'high' },
          { action: 'set_assignee', assignee: 'nikos' },
          { action: 'add_tag', tag: 'Εγγύηση' },
          { action: 'add_tag', tag: 'ανταλλακτικό' },
          { action: 'add_note', template: 'Αγαπητοί {customer}, για την {ticket}…', visibility: 'customer' },
        ],
      },
    });
    expect(macroBody(form({ name: 'x', assignee: 'clear' }))).toEqual({ ok: true, body: { name: 'x', actions: [{ action: 'set_assignee', assignee: null }] } });
  });

  it('names what is wrong before sending', () => {
    const problem = (p: Partial<MacroForm>) => {
      const r = macroBody(form(p));
      return r.ok ? null : macroProblem(r.error, el);
    };
    expect(problem({ status: 'open' })).toBe('Δώστε όνομα στη μακροεντολή.');
    expect(problem({ name: 'α'.repeat(101), status: 'open' })).toBe('Το όνομα έχει έως 100 χαρακτήρες.');
    expect(problem({ name: 'Κενή' })).toBe('Επιλέξτε τουλάχιστον μία ενέργεια.');
    expect(problem({ name: 'x', assignee: 'set', assigneeName: ' ' })).toBe('Γράψτε σε ποιον χρήστη ανατίθεται.');
    expect(problem({ name: 'x', tags: `ok, ${'β'.repeat(51)}` })).toBe(`Η ετικέτα «${'β'.repeat(51)}» έχει πάνω από 50 χαρακτήρες.`);
    expect(problem({ name: 'x', note: 'Αγαπητέ {πελάτη}' })).toBe('Το {πελάτη} δεν συμπληρώνεται· η σημείωση δέχεται μόνο {customer} και {ticket}.');
    expect(problem({ name: 'α'.repeat(100), status: 'open' })).toBeNull();
  });

  it('edits a saved macro without losing the steps it has no field for', () => {
    const m = { name: 'Κλείσιμο', actions: [{ action: 'remove_tag', tag: 'Αναμονή' }, { action: 'set_status', status: 'resolved' }, { action: 'add_tag', tag: 'Α' }, { action: 'add_tag', tag: 'Β' }] } as Macro;
    const f = macroForm(m);
    expect(f).toMatchObject({ name: 'Κλείσιμο', status: 'resolved', tags: 'Α, Β', rest: [{ action: 'remove_tag', tag: 'Αναμονή' }] });
    const r = macroBody(f);
    expect(r.ok && r.body.actions).toEqual([{ action: 'set_status', status: 'resolved' }, { action: 'add_tag', tag: 'Α' }, { action: 'add_tag', tag: 'Β' }, { action: 'remove_tag', tag: 'Αναμονή' }]);
  });

  it('is filled in and sent by a user, a wrong placeholder shown and nothing sent', async () => {
    const onSave = vi.fn(async () => {});
    render(<MacroEditor initial={EMPTY_MACRO} onSave={onSave} onCancel={() => {}} />);
    const q = <T extends Element>(s: string) => container.querySelector(s) as unknown as T;
    setValue(q<HTMLInputElement>('input[name=name]'), 'Αναμονή ανταλλακτικού');
    setValue(q<HTMLSelectElement>('select[name=status]'), 'waiting_customer');
    setValue(q<HTMLInputElement>('input[name=tags]'), 'Εγγύηση');
    setValue(q<HTMLTextAreaElement>('textarea[name=template]'), 'Για {ticket}: {customr}');
    await act(async () => q<HTMLButtonElement>('button[type=submit]').click());
    expect(q('[data-testid=macro-problem]').textContent).toContain('{customr}');
    expect(onSave).not.toHaveBeenCalled();
    setValue(q<HTMLTextAreaElement>('textarea[name=template]'), 'Αγαπητοί {customer}');
    act(() => q<HTMLInputElement>('input[name=visibility][value=customer]').click());
    await act(async () => q<HTMLButtonElement>('button[type=submit]').click());
    expect(onSave).toHaveBeenCalledWith({
      name: 'Αναμονή ανταλλακτικού',
      actions: [{ action: 'set_status', status: 'waiting_customer' }, { action: 'add_tag', tag: 'Εγγύηση' }, { action: 'add_note', template: 'Αγαπητοί {customer}', visibility: 'customer' }],
    });
  });

  it('saves a new macro with a POST and an edit in place with a PUT at the macro\'s version', async () => {
    const old = { id: 'm1', name: 'Α', actions: [{ action: 'set_status', status: 'open' }], version: 3 } as Macro;
    const body: NewMacro = { name: 'Β', actions: [{ action: 'set_status', status: 'closed' }] };
    let calls = server((method) => ({ status: method === 'POST' ? 201 : 200, body: { ...old, ...body, version: method === 'POST' ? 1 : 4 } }));
    await saveMacro(body, null);
    const saved = await saveMacro(body, old);
    expect(calls.map((c) => `${c.method} ${c.url} ${c.ifMatch}`)).toEqual(['POST /api/crm/macros null', 'PUT /api/crm/macros/m1 "3"']);
    expect(calls[1]?.body).toEqual(body);
    expect(saved).toMatchObject({ id: 'm1', name: 'Β', version: 4 });
    // no delete and no second create: a refusal reaches the form and nothing else is sent
    calls = server(() => ({ status: 409, body: { error: { code: 'conflict', message: 'a macro named Β exists already' } } }));
    await expect(saveMacro(body, old)).rejects.toBeInstanceOf(ApiError);
    expect(calls.map((c) => c.method)).toEqual(['PUT']);
  });

  it('closes the form on a 412, reloads the list and says someone else changed the macro', async () => {
    const m = { id: 'm1', name: 'Αναμονή', actions: [{ action: 'set_status', status: 'waiting_customer' }], version: 1 } as Macro;
    const fresh = { ...m, name: 'Αναμονή πελάτη', version: 2 };
    let gets = 0;
    const calls = server((method) => {
      if (method === 'GET') return { status: 200, body: [gets++ === 0 ? m : fresh] };
      return { status: 412, body: { error: { code: 'stale_version', message: 'stale' } } };
    });
    render(<MacroManager />);
    await settle();
    act(() => (container.querySelector('[data-testid=edit-macro]') as HTMLButtonElement).click());
    setValue(container.querySelector('input[name=name]') as HTMLInputElement, 'Αναμονή ανταλλακτικού');
    await act(async () => (container.querySelector('button[type=submit]') as HTMLButtonElement).click());
    await settle();
    expect(calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.url} ${c.ifMatch}`)).toEqual(['PUT /api/crm/macros/m1 "1"']);
    expect(container.querySelector('[data-testid=macro-form]')).toBeNull();
    expect(container.querySelector('[role=alert]')?.textContent).toBe(el.macroStale('Αναμονή'));
    expect(container.querySelector('[data-testid=macro-row]')?.getAttribute('data-name')).toBe('Αναμονή πελάτη');
  });

  it('lists the macros in words; a viewer gets no create, edit or delete', async () => {
    server(() => ({ status: 200, body: [{ id: 'm1', name: 'Αναμονή', actions: [{ action: 'set_status', status: 'waiting_customer' }, { action: 'add_note', template: '{customer}', visibility: 'customer' }], version: 1 }] }));
    render(<MacroManager />);
    await settle();
    expect(container.querySelector('[data-testid=macro-row]')?.textContent).toContain('Κατάσταση → Αναμονή πελάτη · Σημείωση (Προς τον πελάτη)');
    expect(container.querySelector('[data-testid=new-macro]')).not.toBeNull();
    render(<MacroManager />, ['crm:view']);
    await settle();
    expect(container.querySelector('[data-testid=macro-row]')).not.toBeNull();
    expect(container.querySelectorAll('button')).toHaveLength(0);
  });
});

describe('serial numbers of order lines', () => {
  it('link to each device\'s history, the serial escaped as one path segment', () => {
    expect(serialPath('VSP-2026-001')).toBe('/serials/VSP-2026-001');
    expect(serialPath('AB/12 3')).toBe('/serials/AB%2F12%203');
    render(<SerialLinks serials={['VSP-1', 'AB/12']} />);
    const links = [...container.querySelectorAll('[data-testid=order-serial]')] as HTMLAnchorElement[];
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([['VSP-1', '/serials/VSP-1'], ['AB/12', '/serials/AB%2F12']]);
    expect(links[0]?.title).toBe('Ιστορικό συσκευής');
    render(<SerialLinks serials={[]} />);
    expect(container.innerHTML).toBe('');
  });
});

describe('linking a timeline entry to an open ticket', () => {
  const cid = '00000000-0000-4000-8000-0000000000cc';
  it('offers the customer\'s open tickets, links the entry to the chosen one, then says so', async () => {
    const a = ticket({ status: 'open', subject: 'Χτυπά λάθος', linked_entry_ids: ['e-old'] });
    const b = ticket({ status: 'scheduled', subject: 'Συντήρηση' });
    const calls = server((method, url, body) => {
      if (method === 'GET' && url === `/api/crm/customers/${cid}/tickets?open=true`) return { status: 200, body: { tickets: [a, b], total: 2 } };
      if (method === 'POST' && url === `/api/crm/tickets/${b.id}/entries`) {
        b.linked_entry_ids = [(body as { entry_id: string }).entry_id];
        return { status: 200, body: b };
      }
      return { status: 404, body: { error: { code: 'not_found', message: '' } } };
    });
    window.history.pushState(null, '', `/customers/${cid}?tab=comms`);
    render(<><NewTicketFromEntry entryId="e-new" /><hr /><NewTicketFromEntry entryId="e-old" /></>);
    await settle();
    expect(calls.filter((c) => c.method === 'GET')).toHaveLength(1);
    expect(container.querySelectorAll('[data-testid=entry-linked]')).toHaveLength(1);
    expect(container.querySelector('[data-testid=entry-linked]')?.textContent).toBe(`Συνδέεται με ${a.number}`);
    act(() => (container.querySelector('[data-testid=link-ticket]') as HTMLButtonElement).click());
    const select = container.querySelector('select[name=link_ticket]') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['— επιλέξτε εργασία —', `${a.number} · Χτυπά λάθος`, `${b.number} · Συντήρηση`]);
    setValue(select, b.id);
    await act(async () => [...container.querySelectorAll('[data-testid=link-ticket-form] button')].find((x) => x.textContent === 'Σύνδεση')?.dispatchEvent(new MouseEvent('click', { bubbles: true })));
    await settle();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ entry_id: 'e-new' });
    expect(container.querySelectorAll('[data-testid=entry-linked]')[0]?.textContent).toBe(`Συνδέεται με ${b.number}`);
  });

  it('offers nothing to link without open tickets, and nothing at all to a viewer', async () => {
    server(() => ({ status: 200, body: { tickets: [], total: 0 } }));
    window.history.pushState(null, '', '/customers/00000000-0000-4000-8000-0000000000dd');
    render(<NewTicketFromEntry entryId="e-x" />);
    await settle();
    expect(container.querySelector('[data-testid=new-ticket]')).not.toBeNull();
    expect(container.querySelector('[data-testid=link-ticket]')).toBeNull();
    render(<NewTicketFromEntry entryId="e-x" />, ['crm:view']);
    expect(container.innerHTML).toBe('');
  });
});
