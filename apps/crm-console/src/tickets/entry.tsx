// The service desk's pieces on the customer timeline (part of the first page, so small):
// «Νέα εργασία» on a comms entry, and a ticket's or visit's line among the entries.
import { useState } from 'react';
import { formatDateTime } from '../i18n';
import { Link, navigate } from '../router';
import { describeError, useAuth } from '../ui';
import { useI18n } from '../i18n';
import { tk } from './api';
import type { Status, Ticket, TicketEvent } from './logic';
import { useTicketText } from './strings';

/** `POST /comms/{id}/ticket`, then the new ticket's page (editors only). */
export function NewTicketFromEntry({ entryId }: { entryId: string }) {
  const w = useTicketText();
  const { t } = useI18n();
  const { canEdit } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
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
  return (
    <>
      <button type="button" className="icon" data-testid="new-ticket" disabled={busy} onClick={() => void create()}>⚑ {busy ? w.creating : w.createFromEntry}</button>
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
