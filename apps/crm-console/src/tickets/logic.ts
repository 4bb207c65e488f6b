// The service desk's pure parts: the wire shapes of crm-tickets (model.rs), the status moves
// (the crate's `Status::next` table, mirrored), the board's grouping and the visit completion
// form's checks. No React, no fetch: tested in tickets.test.tsx.

export const STATUSES = ['new', 'open', 'scheduled', 'in_progress', 'waiting_customer', 'resolved', 'closed'] as const;
export type Status = (typeof STATUSES)[number];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const KINDS = ['repair', 'installation', 'maintenance', 'question', 'complaint'] as const;
export type Kind = (typeof KINDS)[number];
export type Visibility = 'internal' | 'customer';
export type VisitStatus = 'scheduled' | 'completed' | 'cancelled';
export type ActivityKindName =
  | 'created' | 'status_changed' | 'assigned' | 'priority_changed' | 'visit_scheduled' | 'visit_completed'
  | 'visit_cancelled' | 'comment_added' | 'entry_linked' | 'tag_added' | 'tag_removed' | 'macro_applied';

export interface Ticket {
  id: string;
  number: string;
  customer_id: string;
  subject: string;
  description?: string | null;
  status: Status;
  priority: Priority;
  kind: Kind;
  assignee?: string | null;
  due_at?: string | null;
  owned_item_serial?: string | null;
  order_id?: string | null;
  tags: string[];
  linked_entry_ids: string[];
  created_at: string;
  updated_at: string;
  version: number;
}

export interface Activity {
  seq: number;
  ticket_id: string;
  actor: string;
  at: string;
  kind: ActivityKindName;
  from?: string | null;
  to?: string | null;
  visit_id?: string;
  note_id?: string;
  visibility?: Visibility;
  entry_id?: string;
  tag?: string;
  macro_id?: string;
  name?: string;
}

export interface Note { id: string; ticket_id: string; visibility: Visibility; author: string; text: string; at: string }
export interface Part { product_id: string; quantity: number }
export interface Visit {
  id: string;
  ticket_id: string;
  starts_at: string;
  ends_at: string;
  technician: string;
  address?: string | null;
  status: VisitStatus;
  outcome?: string | null;
  parts: Part[];
  created_at: string;
  updated_at: string;
  version: number;
}
export interface Macro { id: string; name: string; actions: { action: string }[]; version: number }
export interface TicketList { tickets: Ticket[]; total: number }
/** A ticket's line on a customer's timeline (`ticket_created`, `ticket_status`, `visit`). */
export interface TicketEvent { seq: number; at: string; ticket_id: string; number: string; subject: string; actor: string; kind: ActivityKindName; from?: string | null; to?: string | null }

/** The statuses a ticket may move to: crm-tickets' `Status::next`, the same table. */
export const NEXT: Record<Status, readonly Status[]> = {
  new: ['open', 'closed'],
  open: ['scheduled', 'in_progress', 'resolved', 'closed'],
  scheduled: ['in_progress', 'open', 'closed'],
  in_progress: ['waiting_customer', 'scheduled', 'resolved', 'closed'],
  waiting_customer: ['in_progress', 'resolved', 'closed'],
  resolved: ['closed', 'open'],
  closed: ['open'],
};

/** The moves offered for a ticket in `s`, in the workflow's order. */
export function allowedMoves(s: Status): Status[] {
  return STATUSES.filter((x) => NEXT[s].includes(x));
}

export function isDone(s: Status): boolean {
  return s === 'resolved' || s === 'closed';
}

/** Past its due date and neither resolved nor closed (the server's `overdue`). */
export function isOverdue(t: Pick<Ticket, 'due_at' | 'status'>, now: Date): boolean {
  return !!t.due_at && !isDone(t.status) && new Date(t.due_at).getTime() < now.getTime();
}

const RANK: Record<Priority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/**
 * The board: one column per status in the workflow's order (every column present, empty or
 * not); inside a column, the most urgent first, then the soonest due (no due date last), then
 * the oldest number.
 */
export function groupByStatus(tickets: readonly Ticket[]): { status: Status; tickets: Ticket[] }[] {
  const cols = STATUSES.map((status) => ({ status, tickets: [] as Ticket[] }));
  for (const t of tickets) cols[STATUSES.indexOf(t.status)]?.tickets.push(t);
  const due = (t: Ticket) => (t.due_at ? new Date(t.due_at).getTime() : Infinity);
  for (const c of cols) {
    c.tickets.sort((a, b) => RANK[a.priority] - RANK[b.priority] || due(a) - due(b) || a.number.localeCompare(b.number, 'en', { numeric: true }));
  }
  return cols;
}

/** A part line of the visit completion form as typed. */
export interface PartRow { product_id: string; quantity: string }

export type Completion =
  | { ok: true; body: { status: 'completed'; outcome: string | null; parts: Part[] } }
  | { ok: false; line: number; problem: 'product' | 'quantity' };

/**
 * The completion form's body: empty lines (no product, no quantity) dropped; each other line
 * needs a product and a positive whole quantity (the Greek way: «1.200» is 1200); the same
 * product twice is one part with the sum. A problem names its line (1-based).
 */
export function completionBody(outcome: string, rows: readonly PartRow[]): Completion {
  const parts: Part[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as PartRow;
    const q = r.quantity.trim().replace(/\./g, '');
    if (!r.product_id && !q) continue;
    if (!r.product_id) return { ok: false, line: i + 1, problem: 'product' };
    if (!/^\d+$/.test(q) || Number(q) <= 0 || !Number.isSafeInteger(Number(q))) return { ok: false, line: i + 1, problem: 'quantity' };
    const have = parts.find((p) => p.product_id === r.product_id);
    if (have) have.quantity += Number(q);
    else parts.push({ product_id: r.product_id, quantity: Number(q) });
  }
  return { ok: true, body: { status: 'completed', outcome: outcome.trim() || null, parts } };
}

/** The query string of the queue's filters (`status` comma-separated, as the gateway reads it). */
export interface Filters { status: Status[]; assignee: string; priority: Priority | ''; tag: string; overdue: boolean; sort: 'newest' | 'due' }
export const NO_FILTERS: Filters = { status: [], assignee: '', priority: '', tag: '', overdue: false, sort: 'newest' };

export function filterQuery(f: Filters, limit: number, offset: number): string {
  const q = new URLSearchParams();
  if (f.status.length) q.set('status', f.status.join(','));
  if (f.assignee.trim()) q.set('assignee', f.assignee.trim());
  if (f.priority) q.set('priority', f.priority);
  if (f.tag.trim()) q.set('tag', f.tag.trim());
  if (f.overdue) q.set('overdue', 'true');
  if (f.sort !== 'newest') q.set('sort', f.sort);
  q.set('limit', String(limit));
  if (offset) q.set('offset', String(offset));
  return q.toString();
}
