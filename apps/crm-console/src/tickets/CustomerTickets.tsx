// A customer's tickets (the «Εργασίες» tab of the customer page): every ticket, newest first,
// and a form to open one, optionally about one of the customer's devices (by serial).
import { useState, type FormEvent } from 'react';
import type { Customer } from '../api/client';
import { formatDateTime } from '../i18n';
import { usePermissions } from '../permissions';
import { Link, navigate } from '../router';
import { ErrorBox, useLoad } from '../ui';
import { tk } from './api';
import { PriorityBadge } from './components';
import { KINDS, PRIORITIES, type Kind, type Priority, type Ticket, type TicketList } from './logic';
import { useTicketText } from './strings';

/** Every serial number the customer's owned items carry. */
export function serialsOf(c: Pick<Customer, 'owned_items'>): string[] {
  return c.owned_items.flatMap((o) => [...(o.serial_numbers ?? []), ...(o.serial_number ? [o.serial_number] : [])]);
}

export default function CustomerTickets({ c }: { c: Customer }) {
  const w = useTicketText();
  const { canEdit } = usePermissions();
  const list = useLoad((signal) => tk<TicketList>('GET', `/customers/${c.id}/tickets?limit=200`, undefined, { signal }).then((a) => a.data), [c.id]);
  const [open, setOpen] = useState(false);
  return (
    <div data-testid="customer-tickets">
      {canEdit && !open && <div className="actions"><button type="button" className="primary" data-testid="new-customer-ticket" onClick={() => setOpen(true)}>+ {w.newTicket}</button></div>}
      {canEdit && open && <NewTicketForm c={c} onClose={() => setOpen(false)} />}
      <ErrorBox error={list.error} />
      {list.data && list.data.tickets.length > 0 && (
        <table className="list">
          <thead><tr><th>{w.number}</th><th>{w.subject}</th><th>{w.status}</th><th>{w.priority}</th><th>{w.kind}</th><th>{w.assignee}</th><th>{w.created}</th></tr></thead>
          <tbody>
            {list.data.tickets.map((t) => (
              <tr key={t.id} data-testid="ticket-row">
                <td><Link to={`/tickets/${t.id}`}>{t.number}</Link></td>
                <td>{t.subject}</td>
                <td><span className={`tk-status s-${t.status}`}>{w.st(t.status)}</span></td>
                <td><PriorityBadge p={t.priority} /></td>
                <td>{w.kd(t.kind)}</td>
                <td>{t.assignee ?? ''}</td>
                <td>{formatDateTime(t.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data?.tickets.length === 0 && <p className="muted">{w.none}</p>}
    </div>
  );
}

function NewTicketForm({ c, onClose }: { c: Customer; onClose: () => void }) {
  const w = useTicketText();
  const [f, setF] = useState<{ subject: string; description: string; kind: Kind; priority: Priority; serial: string }>({ subject: '', description: '', kind: 'repair', priority: 'normal', serial: '' });
  const [error, setError] = useState<unknown>(null);
  const serials = serialsOf(c);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const a = await tk<Ticket>('POST', '/tickets', {
        customer_id: c.id, subject: f.subject.trim(), description: f.description.trim() || null, kind: f.kind, priority: f.priority,
        ...(f.serial ? { owned_item_serial: f.serial } : {}),
      });
      navigate(`/tickets/${a.data.id}`);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form className="form card" data-testid="new-ticket-form" onSubmit={submit}>
      <h3>{w.newFor}</h3>
      <div className="grid">
        <label className="field wide"><span>{w.subject}</span><input name="subject" value={f.subject} onChange={(e) => setF((x) => ({ ...x, subject: e.target.value }))} required /></label>
        <label className="field"><span>{w.kind}</span>
          <select name="kind" value={f.kind} onChange={(e) => setF((x) => ({ ...x, kind: e.target.value as Kind }))}>{KINDS.map((k) => <option key={k} value={k}>{w.kd(k)}</option>)}</select>
        </label>
        <label className="field"><span>{w.priority}</span>
          <select name="priority" value={f.priority} onChange={(e) => setF((x) => ({ ...x, priority: e.target.value as Priority }))}>{PRIORITIES.map((p) => <option key={p} value={p}>{w.pr(p)}</option>)}</select>
        </label>
        {serials.length > 0 && (
          <label className="field"><span>{w.serial}</span>
            <select name="serial" value={f.serial} onChange={(e) => setF((x) => ({ ...x, serial: e.target.value }))}>
              <option value="">—</option>
              {serials.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
        )}
        <label className="field wide"><span>{w.description}</span><textarea name="description" value={f.description} onChange={(e) => setF((x) => ({ ...x, description: e.target.value }))} /></label>
      </div>
      <ErrorBox error={error} />
      <div className="actions">
        <button type="submit" className="primary">{w.create}</button>
        <button type="button" onClick={onClose}>{w.cancel}</button>
      </div>
    </form>
  );
}
