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
import { allowedMoves, completionBody, filterQuery, groupByStatus, isOverdue, NO_FILTERS, STATUSES, type Status, type Ticket } from './logic';
import { ticketText } from './strings';

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
