// The sales board (`/sales`): a pipeline's stages as columns, each with its count, the sum of
// its leads' values and the weighted sum (exact, see logic.ts), a card per lead. Editors drag a
// card to another stage: the move is sent with If-Match of the card's version; a lost stage
// first asks why; a refusal (412: someone else changed it, 409) is said in words and the board
// is read again either way. Below, the open leads per owner as the server sums them.
import { useState, type FormEvent } from 'react';
import { formatMoney } from '../i18n';
import { usePermissions } from '../permissions';
import { Link, navigate, useLocation } from '../router';
import { ErrorBox, Notice, useLoad } from '../ui';
import { etagOf, tk } from '../tickets/api';
import { errorSentence } from '../errors';
import { ApiError } from '../api/client';
import { asksLostReason, columns, dropAllowed, moveBody, moveRefusal, openTotals, unitsToDecimal, type Lead, type LeadList, type Pipeline, type PipelineView, type Stage } from './logic';
import { useSalesText, type SalesText } from './strings';

const LIMIT = 500;

/** The board's data: the pipelines, the chosen one's leads and its server-side view. */
interface BoardData { pipelines: Pipeline[]; pipeline: Pipeline | null; leads: LeadList; view: PipelineView | null }

export default function SalesBoard() {
  const w = useSalesText();
  const { query, path } = useLocation();
  const { canEdit } = usePermissions();
  const chosen = query.get('pipeline');
  const [tick, setTick] = useState(0);
  const [moving, setMoving] = useState(false);
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const [asking, setAsking] = useState<{ lead: Lead; stage: Stage } | null>(null);
  const data = useLoad<BoardData>(async (signal) => {
    const pipelines = (await tk<Pipeline[]>('GET', '/pipelines', undefined, { signal })).data;
    const pipeline = pipelines.find((p) => p.id === chosen) ?? pipelines[0] ?? null;
    if (!pipeline) return { pipelines, pipeline: null, leads: { leads: [], total: 0 }, view: null };
    const [leads, view] = await Promise.all([
      tk<LeadList>('GET', `/leads?pipeline_id=${pipeline.id}&limit=${LIMIT}`, undefined, { signal }),
      tk<PipelineView>('GET', `/pipelines/${pipeline.id}/view`, undefined, { signal }),
    ]);
    return { pipelines, pipeline, leads: leads.data, view: view.data };
  }, [chosen, tick]);

  /** Sends the move (with a lost reason when the stage is a lost one); the board is read again either way. */
  async function send(lead: Lead, stage: Stage, reason: string | null) {
    const body = moveBody(stage, reason, asksLostReason(lead, stage));
    if (!body) return;
    setMoving(true);
    setSaid(null);
    try {
      await tk<Lead>('POST', `/leads/${lead.id}/stage`, body, { ifMatch: etagOf(lead) });
      setSaid({ ok: true, text: w.moved(lead.title, stage.name) });
    } catch (e) {
      setSaid({ ok: false, text: refusalText(e, lead, w) });
    } finally {
      setMoving(false);
      setTick((x) => x + 1);
    }
  }
  function drop(lead: Lead, stage: Stage) {
    if (asksLostReason(lead, stage)) setAsking({ lead, stage });
    else void send(lead, stage, null);
  }

  const d = data.data;
  return (
    <section data-testid="sales-board">
      <div className="toolbar">
        <h1>{w.board}</h1>
        {d && d.pipelines.length > 1 && (
          <label className="field"><span>{w.pipeline}</span>
            <select name="pipeline" value={d.pipeline?.id ?? ''} onChange={(e) => navigate(`${path}?pipeline=${e.target.value}`, true)}>
              {d.pipelines.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            </select>
          </label>
        )}
        {canEdit && <Link to="/sales/leads/new" className="button primary" data-testid="new-lead">{w.newLead}</Link>}
      </div>
      <ErrorBox error={data.error} />
      {said && (said.ok ? <Notice>{said.text}</Notice> : <div className="error" role="alert" data-testid="move-refused">{said.text}</div>)}
      {asking && (
        <LostReasonDialog
          lead={asking.lead}
          stage={asking.stage}
          onCancel={() => setAsking(null)}
          onConfirm={(reason) => { const a = asking; setAsking(null); void send(a.lead, a.stage, reason); }}
        />
      )}
      {d?.pipeline && (
        <>
          <SalesColumns pipeline={d.pipeline} leads={d.leads.leads} busy={moving} {...(canEdit ? { onDrop: drop } : {})} />
          {d.leads.total > d.leads.leads.length && <p className="muted">{w.showing(d.leads.leads.length, d.leads.total)}</p>}
          {d.view && d.view.owners.length > 0 && (
            <table className="list" data-testid="per-owner">
              <caption>{w.perOwner}</caption>
              <thead><tr><th>{w.owner}</th><th>#</th><th>{w.value}</th><th>{w.weighted}</th></tr></thead>
              <tbody>
                {d.view.owners.map((o) => (
                  <tr key={o.owner ?? ''}><td>{o.owner ?? w.nobody}</td><td>{o.count}</td><td>{formatMoney(o.value)}</td><td>{formatMoney(o.weighted_value)}</td></tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

/** Why a move was not made, in words (412, 409, a field, else the error's sentence). */
export function refusalText(e: unknown, lead: Pick<Lead, 'title'>, w: SalesText): string {
  const r = moveRefusal(e);
  if (r.kind === 'stale') return w.staleMove(lead.title);
  if (r.kind === 'conflict') return w.conflictMove(lead.title, r.message.endsWith('.') ? r.message : `${r.message}.`);
  if (r.kind === 'field' && r.field === 'lost_reason') return `${w.reasonNeeded} ${w.reloaded}`;
  return `${e instanceof ApiError ? errorSentence(e, w.lang) : e instanceof Error ? e.message : ''} ${w.reloaded}`.trim();
}

/**
 * The columns: a stage each, headed by its name, count, sum and weighted sum. With `onDrop`
 * (editors) a card can be dragged (HTML5 drag and drop) onto another stage; while it is dragged
 * the stage it is in is dimmed.
 */
export function SalesColumns({ pipeline, leads, onDrop, busy }: { pipeline: Pipeline; leads: readonly Lead[]; onDrop?: (l: Lead, s: Stage) => void; busy?: boolean }) {
  const w = useSalesText();
  const [dragged, setDragged] = useState<Lead | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const movable = !!onDrop && !busy;
  const cols = columns(pipeline.stages, leads);
  const total = openTotals(cols);
  const end = () => { setDragged(null); setOver(null); };
  return (
    <>
      <p className="muted" data-testid="open-total">
        {w.openTotal}: {formatMoney(unitsToDecimal(total.value))} · {w.weighted} {formatMoney(unitsToDecimal(total.weighted))}
      </p>
      <div className="tk-board sales-board" data-testid="board" data-dragging={dragged ? dragged.id : undefined} title={movable ? w.dragHint : undefined}>
        {cols.map((c) => {
          const allowed = !!dragged && dropAllowed(dragged, c.stage, pipeline);
          const dim = !!dragged && !allowed;
          return (
            <section
              key={c.stage.id}
              className={`tk-col${dim ? ' dim' : ''}`}
              data-testid={`stage-${c.stage.name}`}
              data-stage={c.stage.id}
              data-drop={dragged ? (allowed ? 'allowed' : 'no') : undefined}
              aria-label={c.stage.name}
              style={dim ? { opacity: 0.35 } : over === c.stage.id && allowed ? { outline: '2px dashed #3a6fd8', outlineOffset: '-2px' } : undefined}
              onDragOver={(e) => {
                if (!allowed) return;
                e.preventDefault();
                if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
                if (over !== c.stage.id) setOver(c.stage.id);
              }}
              onDragLeave={() => { if (over === c.stage.id) setOver(null); }}
              onDrop={(e) => {
                e.preventDefault();
                const l = dragged;
                end();
                if (l && allowed && onDrop) onDrop(l, c.stage);
              }}
            >
              <h3>{c.stage.name} <span className="muted" data-testid="count">{c.count}</span></h3>
              <small className="muted sums">
                <span data-testid="sum" data-value={unitsToDecimal(c.value)}>{formatMoney(unitsToDecimal(c.value))}</span>
                {' · '}{w.weighted} <span data-testid="weighted" data-value={unitsToDecimal(c.weighted)}>{formatMoney(unitsToDecimal(c.weighted))}</span>
                {' · '}{c.stage.probability}%
              </small>
              {c.leads.map((l) => (
                <Link
                  key={l.id}
                  to={`/sales/leads/${l.id}`}
                  className="tk-card"
                  data-testid="lead-card"
                  data-id={l.id}
                  data-title={l.title}
                  draggable={movable}
                  onDragStart={(e) => {
                    if (!movable) return e.preventDefault();
                    e.dataTransfer?.setData('text/plain', l.title);
                    if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
                    setDragged(l);
                  }}
                  onDragEnd={end}
                >
                  <strong>{l.title}</strong>
                  {l.prospect && <span className="tk-subject">{l.prospect.organization ?? l.prospect.name}</span>}
                  <small className="muted">
                    {l.estimated_value != null ? formatMoney(l.estimated_value) : ''}{l.owner ? ` · ${l.owner}` : ''}
                  </small>
                  {l.status === 'lost' && l.lost_reason && <em className="badge">{l.lost_reason}</em>}
                </Link>
              ))}
            </section>
          );
        })}
      </div>
    </>
  );
}

/** Asks why a lead was lost before it moves to a lost stage; refuses an empty reason. */
export function LostReasonDialog({ lead, stage, onConfirm, onCancel }: { lead: Pick<Lead, 'title'>; stage: Pick<Stage, 'name'>; onConfirm: (reason: string) => void; onCancel: () => void }) {
  const w = useSalesText();
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState(false);
  function submit(e: FormEvent) {
    e.preventDefault();
    if (!reason.trim()) return setProblem(true);
    onConfirm(reason.trim());
  }
  return (
    <form className="card" role="dialog" aria-label={w.lostReason} data-testid="lost-reason" onSubmit={submit}>
      <label className="field wide"><span>{w.askReason(lead.title, stage.name)}</span>
        <textarea name="lost_reason" value={reason} autoFocus onChange={(e) => { setReason(e.target.value); setProblem(false); }} />
      </label>
      {problem && <div className="error" role="alert">{w.reasonNeeded}</div>}
      <div className="actions">
        <button type="submit" className="primary">{w.confirmMove}</button>
        <button type="button" onClick={onCancel}>{w.cancel}</button>
      </div>
    </form>
  );
}
