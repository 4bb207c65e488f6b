// Pieces of the service desk pages: the status control (only the allowed moves), badges, the
// board by status, the visit completion form (parts from the products with quantities).
import { useState, type FormEvent } from 'react';
import { formatDateTime } from '../i18n';
import { Link } from '../router';
import { ErrorBox } from '../ui';
import { allowedMoves, completionBody, dropTargets, groupByStatus, isOverdue, type Completion, type PartRow, type Status, type Ticket } from './logic';
import { useTicketText } from './strings';

/** The ticket's status and a button for each move the workflow allows (none for a viewer). */
export function StatusControl({ status, canEdit, busy, onMove }: { status: Status; canEdit: boolean; busy?: boolean; onMove: (to: Status) => void }) {
  const w = useTicketText();
  return (
    <div className="status-control" data-testid="status-control">
      <span className={`tk-status s-${status}`} data-testid="ticket-status">{w.st(status)}</span>
      {canEdit && (
        <span className="moves">
          <span className="muted">{w.moveTo}:</span>
          {allowedMoves(status).map((to) => (
            <button key={to} type="button" data-testid={`move-${to}`} disabled={busy} onClick={() => onMove(to)}>{w.st(to)}</button>
          ))}
        </span>
      )}
    </div>
  );
}

export function PriorityBadge({ p }: { p: Ticket['priority'] }) {
  const w = useTicketText();
  return <span className={`tk-prio p-${p}`}>{w.pr(p)}</span>;
}

/**
 * The queue as a board: a column per status, a card per ticket. With `onMove` (editors) a card
 * can be dragged (HTML5 drag and drop) to another column: while it is dragged the columns its
 * status may not become are dimmed and refuse the drop; a drop on an allowed one calls
 * `onMove`, which sends the change.
 */
export function Board({ tickets, now = new Date(), onMove, busy }: { tickets: readonly Ticket[]; now?: Date; onMove?: (t: Ticket, to: Status) => void; busy?: boolean }) {
  const w = useTicketText();
  const [dragged, setDragged] = useState<Ticket | null>(null);
  const [over, setOver] = useState<Status | null>(null);
  const targets = dragged ? dropTargets(dragged.status) : null;
  const movable = !!onMove && !busy;
  const end = () => { setDragged(null); setOver(null); };
  return (
    <div className="tk-board" data-testid="board" data-dragging={dragged ? dragged.number : undefined} title={movable ? w.dragHint : undefined}>
      {groupByStatus(tickets).map((col) => {
        const allowed = !!targets?.has(col.status);
        const dim = !!targets && !allowed && col.status !== dragged?.status;
        return (
          <section
            key={col.status}
            className={`tk-col${dim ? ' dim' : ''}`}
            data-testid={`col-${col.status}`}
            data-drop={targets ? (allowed ? 'allowed' : 'no') : undefined}
            aria-label={w.st(col.status)}
            style={dim ? { opacity: 0.35 } : over === col.status && allowed ? { outline: '2px dashed #3a6fd8', outlineOffset: '-2px' } : undefined}
            onDragOver={(e) => {
              if (!allowed) return;
              e.preventDefault();
              if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
              if (over !== col.status) setOver(col.status);
            }}
            onDragLeave={() => { if (over === col.status) setOver(null); }}
            onDrop={(e) => {
              e.preventDefault();
              const t = dragged;
              end();
              if (t && allowed && onMove) onMove(t, col.status);
            }}
          >
            <h3>{w.st(col.status)} <span className="muted">{col.tickets.length}</span></h3>
            {col.tickets.map((t) => (
              <Link
                key={t.id}
                to={`/tickets/${t.id}`}
                className="tk-card"
                data-testid="ticket-card"
                data-id={t.id}
                draggable={movable}
                onDragStart={(e) => {
                  if (!movable) return e.preventDefault();
                  e.dataTransfer?.setData('text/plain', t.number);
                  if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
                  setDragged(t);
                }}
                onDragEnd={end}
              >
                <strong>{t.number}</strong> <PriorityBadge p={t.priority} />
                <span className="tk-subject">{t.subject}</span>
                <small className="muted">
                  {w.kd(t.kind)}{t.assignee ? ` · ${t.assignee}` : ''}{t.due_at ? ` · ${formatDateTime(t.due_at)}` : ''}
                </small>
                {isOverdue(t, now) && <em className="badge">{w.overdueBadge}</em>}
              </Link>
            ))}
          </section>
        );
      })}
    </div>
  );
}

export interface ProductChoice { id: string; name: string; sku: string; stock?: { on_hand: number; reserved: number; available?: number } | null }

/**
 * Completing a visit: what was done and the parts used, each a product picked from the list
 * and a quantity. Checked before sending (a line names its problem); `onSubmit` gets the body
 * of `PUT /visits/{id}`.
 */
export function VisitCompletionForm({ products, onSubmit, onCancel, error }: { products: readonly ProductChoice[]; onSubmit: (body: Extract<Completion, { ok: true }>['body']) => void; onCancel: () => void; error?: unknown }) {
  const w = useTicketText();
  const [outcome, setOutcome] = useState('');
  const [rows, setRows] = useState<PartRow[]>([{ product_id: '', quantity: '1' }]);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (i: number, p: Partial<PartRow>) => setRows((r) => r.map((x, j) => (j === i ? { ...x, ...p } : x)));
  function submit(e: FormEvent) {
    e.preventDefault();
    const c = completionBody(outcome, rows);
    if (!c.ok) {
      setProblem(c.problem === 'product' ? w.vProduct(c.line) : w.vQuantity(c.line));
      return;
    }
    setProblem(null);
    onSubmit(c.body);
  }
  return (
    <form className="visit-complete" data-testid="visit-complete" onSubmit={submit}>
      <label className="field wide"><span>{w.outcome}</span><textarea name="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)} /></label>
      <h4>{w.parts}</h4>
      {rows.map((r, i) => {
        const p = products.find((x) => x.id === r.product_id);
        return (
          <div key={i} className="part-row" data-testid="part-row">
            <select name="product" aria-label={w.product} value={r.product_id} onChange={(e) => set(i, { product_id: e.target.value })}>
              <option value="">{w.chooseProduct}</option>
              {products.map((x) => <option key={x.id} value={x.id}>{x.name} ({x.sku})</option>)}
            </select>
            <input name="quantity" aria-label={w.quantity} inputMode="numeric" value={r.quantity} onChange={(e) => set(i, { quantity: e.target.value })} />
            {p?.stock && <small className="muted">{w.inStock(p.stock.available ?? p.stock.on_hand - p.stock.reserved)}</small>}
            <button type="button" onClick={() => setRows((x) => x.filter((_, j) => j !== i))}>{w.remove}</button>
          </div>
        );
      })}
      <button type="button" onClick={() => setRows((x) => [...x, { product_id: '', quantity: '1' }])}>{w.addPart}</button>
      {problem && <div className="error" role="alert">{problem}</div>}
      <ErrorBox error={error} />
      <div className="actions">
        <button type="submit" className="primary">{w.completeVisit}</button>
        <button type="button" onClick={onCancel}>{w.cancel}</button>
      </div>
    </form>
  );
}
