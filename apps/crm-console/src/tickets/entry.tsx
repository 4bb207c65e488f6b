// The service desk's pieces on the customer timeline (part of the first page, so small):
// «Νέα εργασία» on a comms entry, «Σύνδεση με εργασία» (link it to one of the customer's open
// tickets; an entry already linked to one says so), and a ticket's or visit's line among the
// entries.
import { useEffect, useState } from 'react';
import { formatDateTime } from '../i18n';
import { Link, match, navigate, useLocation } from '../router';
import { describeError, useAuth } from '../ui';
import { useI18n } from '../i18n';
import { tk } from './api';
import type { Status, Ticket, TicketEvent, TicketList } from './logic';
import { useTicketText } from './strings';

/**
 * A customer's open tickets (`GET /customers/{id}/tickets?open=true`), asked once for all the
 * entries of a timeline: an answer is shared while it is in flight and for a few seconds after,
 * and `forget` (after a link) makes every entry ask again.
 */
const open = new Map<string, { at: number; p: Promise<Ticket[]> }>();
const listeners = new Set<() => void>();
const SHARED_MS = 3000;
function openTickets(customerId: string): Promise<Ticket[]> {
  const have = open.get(customerId);
  if (have && Date.now() - have.at < SHARED_MS) return have.p;
  const p = tk<TicketList>('GET', `/customers/${customerId}/tickets?open=true`).then((a) => a.data.tickets);
  open.set(customerId, { at: Date.now(), p });
  const mine = () => open.get(customerId)?.p === p;
  p.then(() => mine() && open.set(customerId, { at: Date.now(), p }), () => mine() && open.delete(customerId));
  return p;
}
function forget(customerId: string) {
  open.delete(customerId);
  for (const l of listeners) l();
}
function useOpenTickets(customerId: string | null): Ticket[] | null {
  const [gen, setGen] = useState(0);
  const [list, setList] = useState<Ticket[] | null>(null);
  useEffect(() => {
    const l = () => setGen((g) => g + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  useEffect(() => {
    if (!customerId) return;
    let live = true;
    openTickets(customerId).then((x) => live && setList(x), () => live && setList(null));
    return () => void (live = false);
  }, [customerId, gen]);
  return customerId ? list : null;
}

/**
 * The entry's ticket actions (editors only): `POST /comms/{id}/ticket`, then the new ticket's
 * page; and, on a customer's timeline with open tickets, linking the entry to one of them
 * (`POST /tickets/{id}/entries`). `customerId` defaults to the customer page's.
 */
export function NewTicketFromEntry({ entryId, customerId }: { entryId: string; customerId?: string | null }) {
  const w = useTicketText();
  const { t } = useI18n();
  const { canEdit } = useAuth();
  const { path } = useLocation();
  const cid = customerId ?? match('/customers/:id', path)?.id ?? null;
  const tickets = useOpenTickets(canEdit ? cid : null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [choice, setChoice] = useState<string | null>(null);
  if (!canEdit) return null;
  async function create() {
    setBusy(true);
    setError(null);
    try {
      const a = await tk<Ticket>('POST', `/comms/${entryId}/ticket`, {});
      navigate(`/tickets/${a.data.id}`);
    } catch (e) {
      setError(describeError(e, t));
      setBusy(false);
    }
  }
  async function link(ticketId: string) {
    setBusy(true);
    setError(null);
    try {
      await tk<Ticket>('POST', `/tickets/${ticketId}/entries`, { entry_id: entryId });
      setChoice(null);
      if (cid) forget(cid);
    } catch (e) {
      setError(describeError(e, t));
    }
    setBusy(false);
  }
  const linked = (tickets ?? []).filter((x) => x.linked_entry_ids.includes(entryId));
  const offered = (tickets ?? []).filter((x) => !x.linked_entry_ids.includes(entryId));
  return (
    <>
      <button type="button" className="icon" data-testid="new-ticket" disabled={busy} onClick={() => void create()}>⚑ {busy ? w.creating : w.createFromEntry}</button>
      {linked.length > 0 && (
        <span className="muted" data-testid="entry-linked">
          {w.linkedTo} {linked.map((x, i) => <span key={x.id}>{i ? ', ' : ''}<Link to={`/tickets/${x.id}`}>{x.number}</Link></span>)}
        </span>
      )}
      {offered.length > 0 && choice === null && (
        <button type="button" className="icon" data-testid="link-ticket" disabled={busy} onClick={() => setChoice('')}>⚭ {w.linkToTicket}</button>
      )}
      {offered.length > 0 && choice !== null && (
        <span className="inline" data-testid="link-ticket-form">
          <select name="link_ticket" aria-label={w.linkToTicket} value={choice} onChange={(e) => setChoice(e.target.value)}>
            <option value="">{w.chooseTicket}</option>
            {offered.map((x) => <option key={x.id} value={x.id}>{x.number} · {x.subject}</option>)}
          </select>
          <button type="button" disabled={busy || !choice} onClick={() => void link(choice)}>{w.linkEntry}</button>
          <button type="button" onClick={() => setChoice(null)}>{w.cancel}</button>
        </span>
      )}
      {error && <span className="error" role="alert">{error}</span>}
    </>
  );
}

/** A timeline item of kind `ticket_created`, `ticket_status` or `visit`, else null. */
export function TicketTimelineRow({ item }: { item: { kind: string; at: string; ticket?: TicketEvent } }) {
  const w = useTicketText();
  const ev = item.ticket;
  if (!ev || !['ticket_created', 'ticket_status', 'visit'].includes(item.kind)) return null;
  const label = item.kind === 'ticket_created' ? w.tl_created : item.kind === 'visit' ? w.tl_visit : w.tl_status;
  let what = '';
  if (ev.kind === 'status_changed' && ev.from && ev.to) what = `${w.st(ev.from as Status)} → ${w.st(ev.to as Status)}`;
  else if (item.kind === 'visit') what = w.act(ev.kind);
  return (
    <div className="entry" data-testid="timeline-ticket" data-kind={item.kind}>
      <div className="entry-head">
        <span className="kind">⚑ {label}</span>
        <span className="muted right">{formatDateTime(item.at)} · {ev.actor}</span>
      </div>
      <Link to={`/tickets/${ev.ticket_id}`}>{ev.number}</Link> {ev.subject}{what ? ` — ${what}` : ''}
    </div>
  );
}
