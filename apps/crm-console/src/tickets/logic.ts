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
export type Macro = MacroRecord;
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

/**
 * Where a card of a ticket in `from` may be dropped on the board: the columns of the moves the
 * workflow allows (its own column is no move). The others are dimmed while it is dragged.
 */
export function dropTargets(from: Status): Set<Status> {
  return new Set(NEXT[from]);
}

/** What the server said refusing a move (`the ticket is closed: it cannot become resolved (allowed: open)`). */
export interface MoveRefusal { current: Status; to: Status; allowed: Status[] }

const isStatus = (s: string): s is Status => (STATUSES as readonly string[]).includes(s);

/** The refused move in the 409's message, or null for any other message. */
export function moveRefusal(message: string): MoveRefusal | null {
  const m = /the ticket is (\w+): it cannot become (\w+) \(allowed: ([\w, ]*)\)/.exec(message);
  if (!m || !isStatus(m[1] as string) || !isStatus(m[2] as string)) return null;
  const allowed = (m[3] as string).split(',').map((s) => s.trim()).filter(isStatus);
  return { current: m[1] as Status, to: m[2] as Status, allowed };
}

// --- macros ---------------------------------------------------------------------------------

/** One step of a macro, as the gateway takes it (`MacroAction`). */
export type MacroAction =
  | { action: 'set_status'; status: Status }
  | { action: 'set_priority'; priority: Priority }
  | { action: 'set_assignee'; assignee?: string | null }
  | { action: 'add_tag'; tag: string }
  | { action: 'remove_tag'; tag: string }
  | { action: 'add_note'; template: string; visibility?: Visibility };
export interface MacroRecord { id: string; name: string; actions: MacroAction[]; created_at?: string; updated_at?: string; version: number }
export interface NewMacro { name: string; actions: MacroAction[] }

/** The macro form as typed. `assignee`: '' leaves it, 'set' gives it to `assigneeName`, 'clear' unassigns. */
export interface MacroForm {
  name: string;
  status: Status | '';
  priority: Priority | '';
  assignee: '' | 'set' | 'clear';
  assigneeName: string;
  tags: string;
  note: string;
  visibility: Visibility;
  /** Steps the form has no field for (`remove_tag`, a second note): kept as they are. */
  rest: MacroAction[];
}
export const EMPTY_MACRO: MacroForm = { name: '', status: '', priority: '', assignee: '', assigneeName: '', tags: '', note: '', visibility: 'internal', rest: [] };

/** The crate's limits (crm-tickets `MACRO_NAME_MAX`, `USERNAME_MAX`, `TAG_MAX`, `NOTE_MAX`, `MACRO_ACTIONS_MAX`). */
export const MACRO_LIMITS = { name: 100, assignee: 100, tag: 50, note: 20_000, actions: 50 } as const;
/** The placeholders a note template may use: the customer's name and the ticket's number. */
export const PLACEHOLDERS = ['{customer}', '{ticket}'] as const;

export type MacroProblem =
  | { field: 'name'; problem: 'missing' | 'long' | 'line' }
  | { field: 'assignee'; problem: 'missing' | 'long' | 'line' }
  | { field: 'tags'; problem: 'long' | 'line'; tag: string }
  | { field: 'note'; problem: 'long' | 'placeholder'; placeholder?: string }
  | { field: 'actions'; problem: 'none' | 'many' };

const chars = (s: string) => [...s].length;
const oneLine = (s: string) => !/[\r\n]/.test(s);

/** The tags typed comma-separated, trimmed, each once (whatever its case). */
export function splitTags(s: string): string[] {
  const out: string[] = [];
  for (const t of s.split(',').map((x) => x.trim()).filter(Boolean)) if (!out.some((o) => o.toLowerCase() === t.toLowerCase())) out.push(t);
  return out;
}

/**
 * The body of `POST /macros` from the form, checked the way the server checks it (so a refusal
 * names the field before anything is sent): a name (one line, at most 100 characters), at least
 * one step, an assignee when one is to be set, tags of one line up to 50 characters, a note
 * template whose only placeholders are `{customer}` and `{ticket}`. The steps run in the order
 * status, priority, assignee, tags, note, then the kept ones.
 */
export function macroBody(f: MacroForm): { ok: true; body: NewMacro } | { ok: false; error: MacroProblem } {
  const name = f.name.trim();
  if (!name) return { ok: false, error: { field: 'name', problem: 'missing' } };
  if (!oneLine(name)) return { ok: false, error: { field: 'name', problem: 'line' } };
  if (chars(name) > MACRO_LIMITS.name) return { ok: false, error: { field: 'name', problem: 'long' } };
  const actions: MacroAction[] = [];
  if (f.status) actions.push({ action: 'set_status', status: f.status });
  if (f.priority) actions.push({ action: 'set_priority', priority: f.priority });
  if (f.assignee === 'clear') actions.push({ action: 'set_assignee', assignee: null });
  if (f.assignee === 'set') {
    const a = f.assigneeName.trim();
    if (!a) return { ok: false, error: { field: 'assignee', problem: 'missing' } };
    if (!oneLine(a)) return { ok: false, error: { field: 'assignee', problem: 'line' } };
    if (chars(a) > MACRO_LIMITS.assignee) return { ok: false, error: { field: 'assignee', problem: 'long' } };
    actions.push({ action: 'set_assignee', assignee: a });
  }
  for (const tag of splitTags(f.tags)) {
    if (!oneLine(tag)) return { ok: false, error: { field: 'tags', problem: 'line', tag } };
    if (chars(tag) > MACRO_LIMITS.tag) return { ok: false, error: { field: 'tags', problem: 'long', tag } };
    actions.push({ action: 'add_tag', tag });
  }
  const note = f.note.trim();
  if (note) {
    if (chars(note) > MACRO_LIMITS.note) return { ok: false, error: { field: 'note', problem: 'long' } };
    const unknown = (note.match(/\{[^{}\s]*\}/g) ?? []).find((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
    if (unknown) return { ok: false, error: { field: 'note', problem: 'placeholder', placeholder: unknown } };
    actions.push({ action: 'add_note', template: note, visibility: f.visibility });
  }
  actions.push(...f.rest);
  if (actions.length === 0) return { ok: false, error: { field: 'actions', problem: 'none' } };
  if (actions.length > MACRO_LIMITS.actions) return { ok: false, error: { field: 'actions', problem: 'many' } };
  return { ok: true, body: { name, actions } };
}

/** The form of a saved macro (to edit it): the first step of each kind in its field, the rest kept. */
export function macroForm(m: Pick<MacroRecord, 'name' | 'actions'>): MacroForm {
  const f: MacroForm = { ...EMPTY_MACRO, name: m.name, rest: [] };
  const tags: string[] = [];
  let noted = false;
  for (const a of m.actions) {
    if (a.action === 'set_status' && !f.status) f.status = a.status;
    else if (a.action === 'set_priority' && !f.priority) f.priority = a.priority;
    else if (a.action === 'set_assignee' && !f.assignee) {
      f.assignee = a.assignee ? 'set' : 'clear';
      f.assigneeName = a.assignee ?? '';
    } else if (a.action === 'add_tag') tags.push(a.tag);
    else if (a.action === 'add_note' && !noted) {
      noted = true;
      f.note = a.template;
      f.visibility = a.visibility ?? 'internal';
    } else f.rest.push(a);
  }
  f.tags = tags.join(', ');
  return f;
}
