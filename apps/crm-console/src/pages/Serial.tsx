// A device's history (`/serials/:serial`): the order that sold it, its owner and warranty,
// and every ticket about it with its visits (`GET /api/crm/serials/{serial}`).
import type { Customer, Order, Schemas } from '../api/client';
import { formatDateTime } from '../i18n';
import { Link } from '../router';
import { tk } from '../tickets/api';
import { PriorityBadge } from '../tickets/components';
import type { Ticket, Visit } from '../tickets/logic';
import { useTicketText } from '../tickets/strings';
import { ErrorBox, useLoad } from '../ui';
import { OrderTable } from './Orders';

export interface SerialHistory {
  serial: string;
  orders: Order[];
  owner?: Customer | null;
  owned_item?: Schemas['OwnedItem'] | null;
  warranty: 'active' | 'expired' | 'unknown';
  tickets: { ticket: Ticket; visits: Visit[] }[];
}

export default function Serial({ serial }: { serial: string }) {
  const w = useTicketText();
  const h = useLoad((signal) => tk<SerialHistory>('GET', `/serials/${encodeURIComponent(serial)}`, undefined, { signal }).then((a) => a.data), [serial]);
  if (!h.data) return h.error ? <ErrorBox error={h.error} /> : <p className="muted">…</p>;
  const d = h.data;
  const item = d.owned_item;
  return (
    <section data-testid="serial-page">
      <div className="toolbar">
        <h1>{w.serialHistory}: <span data-testid="serial">{d.serial}</span></h1>
        <span className={`tk-warranty w-${d.warranty}`} data-testid="warranty">{w.warranty}: {w[`w_${d.warranty}`]}</span>
      </div>
      <div className="card grid">
        <div className="field"><span>{w.owner}</span>{d.owner ? <Link to={`/customers/${d.owner.id}?tab=owned`}>{d.owner.name}</Link> : '—'}</div>
        {item?.product_name && <div className="field"><span>{w.product}</span>{item.product_name}</div>}
        {item?.purchased_at && <div className="field"><span>{w.purchased}</span>{formatDateTime(item.purchased_at)}</div>}
        {item?.warranty_until && <div className="field"><span>{w.warrantyUntil}</span>{formatDateTime(item.warranty_until)}</div>}
      </div>
      <div className="card">
        <h2>{w.orders}</h2>
        {d.orders.length ? <OrderTable orders={d.orders} showCustomer /> : <p className="muted">{w.none}</p>}
      </div>
      <div className="card">
        <h2>{w.tickets}</h2>
        {d.tickets.length === 0 && <p className="muted">{w.none}</p>}
        <ol className="tk-history" data-testid="serial-tickets">
          {d.tickets.map(({ ticket: t, visits }) => (
            <li key={t.id} data-testid="serial-ticket">
              <Link to={`/tickets/${t.id}`}>{t.number}</Link> · {t.subject} · <span className={`tk-status s-${t.status}`}>{w.st(t.status)}</span> <PriorityBadge p={t.priority} />
              <small className="muted"> {formatDateTime(t.created_at)}</small>
              {visits.length > 0 && (
                <ul>
                  {visits.map((v) => (
                    <li key={v.id} data-testid="serial-visit" data-status={v.status}>
                      {formatDateTime(v.starts_at)} · {v.technician} · {w.vs(v.status)}{v.outcome ? ` — ${v.outcome}` : ''}
                      {v.parts.length > 0 && <span className="muted"> ({w.parts}: {v.parts.reduce((n, p) => n + p.quantity, 0)})</span>}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}
