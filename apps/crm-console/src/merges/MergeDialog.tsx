// The side-by-side merge dialog: both customers' fields in two columns, a side to keep for each
// field they fill differently (default: the customer that stays), a swap of which customer
// stays, and the server's dry run (what would move) before the user confirms. Confirming
// sends the merge with If-Match of the kept customer's version; a 412 means someone changed
// a customer meanwhile, so both are read again and the preview redone. Editors only.
import { useEffect, useState } from 'react';
import { api, ApiError, call, type Customer } from '../api/client';
import { usePermissions } from '../permissions';
import { ConflictError, ErrorBox, useLoad } from '../ui';
import {
  conflictingFields, fieldText, FIELDS, KEPT_CHOICES, mergeBody, movedText, resolvedSide,
  type Choices, type MergeField, type MergeOutcome, type Side,
} from './logic';
import { useMergeText } from './strings';

interface Fresh {
  c: Customer;
  etag: string;
}

async function readCustomer(id: string, signal?: AbortSignal): Promise<Fresh> {
  const a = await call(api.GET('/api/crm/customers/{id}', { params: { path: { id } }, ...(signal ? { signal } : {}) }));
  return { c: a.data, etag: a.etag ?? `"${a.data.version}"` };
}

/** Sends the merge of `dup` into `kept` (a dry run, or the real one) with the kept one's ETag. */
export async function sendMerge(kept: Fresh, dup: Customer, choices: Choices, dryRun: boolean, signal?: AbortSignal): Promise<MergeOutcome> {
  const a = await call(
    api.POST('/api/crm/customers/{id}/merge', {
      params: { path: { id: kept.c.id }, header: { 'If-Match': kept.etag } },
      body: mergeBody(kept.c, dup, choices, dryRun),
      ...(signal ? { signal } : {}),
    }),
  );
  return a.data;
}

export default function MergeDialog({ kept: keptId, duplicate: dupId, onClose, onMerged }: {
  /** The customer that stays at first (the swap button changes it). */
  kept: string;
  duplicate: string;
  onClose: () => void;
  /** After the merge, with the kept customer as it is now. */
  onMerged: (kept: Customer) => void;
}) {
  const w = useMergeText();
  const { canEdit } = usePermissions();
  const [swapped, setSwapped] = useState(false);
  const [choices, setChoices] = useState<Choices>(KEPT_CHOICES);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const pair = useLoad(async (signal) => Promise.all([readCustomer(keptId, signal), readCustomer(dupId, signal)]), [keptId, dupId]);
  const [first, second] = pair.data ?? [];
  const kept = swapped ? second : first;
  const dup = swapped ? first : second;

  // The dry run, redone whenever the customers, the side that stays or a choice change.
  const [preview, setPreview] = useState<{ outcome: MergeOutcome | null; error: unknown }>({ outcome: null, error: null });
  useEffect(() => {
    if (!kept || !dup || !canEdit) return;
    const ctl = new AbortController();
    setPreview({ outcome: null, error: null });
    sendMerge(kept, dup.c, choices, true, ctl.signal).then(
      (outcome) => { if (!ctl.signal.aborted) setPreview({ outcome, error: null }); },
      (e: unknown) => { if (!ctl.signal.aborted) setPreview({ outcome: null, error: e }); },
    );
    return () => ctl.abort();
  }, [kept, dup, choices, canEdit]);

  if (!canEdit) return null;
  if (!kept || !dup) {
    return (
      <section className="card" role="dialog" aria-label={w.dialogTitle} data-testid="merge-dialog">
        <ErrorBox error={pair.error} />
        {!pair.error && <p className="muted">{w.previewing}</p>}
        <div className="actions"><button type="button" onClick={onClose}>{w.cancel}</button></div>
      </section>
    );
  }

  const conflicting = conflictingFields(kept.c, dup.c);
  const choose = (f: MergeField, s: Side) => setChoices((x) => ({ ...x, [f]: s }));

  async function confirm() {
    if (!kept || !dup) return;
    setBusy(true);
    setError(null);
    try {
      const outcome = await sendMerge(kept, dup.c, choices, false);
      onMerged(outcome.customer);
    } catch (e) {
      if (e instanceof ApiError && e.isStale) {
        setError(new ConflictError(w.stale));
        pair.reload();
      } else {
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  }

  const cell = (c: Customer, f: MergeField, side: Side) => {
    const text = fieldText(c, f) || w.empty;
    if (!conflicting.includes(f)) return <td data-testid={`value-${f}-${side}`}>{text}</td>;
    return (
      <td data-testid={`value-${f}-${side}`}>
        <label>
          <input type="radio" name={`choice-${f}`} value={side} data-testid={`choice-${f}-${side}`} checked={choices[f] === side} onChange={() => choose(f, side)} />{' '}
          {text}
        </label>
      </td>
    );
  };
  const list = (c: Customer, what: 'contacts' | 'tags') =>
    what === 'contacts' ? c.contacts.map((x) => x.value).join(', ') || w.empty : c.tags.join(', ') || w.empty;

  return (
    <section className="card" role="dialog" aria-label={w.dialogTitle} data-testid="merge-dialog">
      <h2>{w.dialogTitle}</h2>
      <table className="list">
        <thead>
          <tr>
            <th>{w.field}</th>
            <th data-testid="merge-kept">{w.stays}: {kept.c.name}</th>
            <th data-testid="merge-duplicate">{w.goes}: {dup.c.name}</th>
            <th>{w.result}</th>
          </tr>
        </thead>
        <tbody>
          {FIELDS.map((f) => (
            <tr key={f} className={conflicting.includes(f) ? 'conflict' : ''}>
              <th scope="row">{w.fields[f]}</th>
              {cell(kept.c, f, 'kept')}
              {cell(dup.c, f, 'duplicate')}
              <td data-testid={`result-${f}`}>{fieldText(resolvedSide(kept.c, dup.c, f, choices[f]) === 'kept' ? kept.c : dup.c, f) || w.empty}</td>
            </tr>
          ))}
          {(['contacts', 'tags'] as const).map((what) => (
            <tr key={what}>
              <th scope="row">{w[what]}</th>
              <td>{list(kept.c, what)}</td>
              <td>{list(dup.c, what)}</td>
              <td />
            </tr>
          ))}
        </tbody>
      </table>
      {conflicting.length === 0 && <p className="muted">{w.noConflicts}</p>}
      <div className="actions">
        <button type="button" data-testid="merge-swap" onClick={() => { setSwapped((s) => !s); setChoices(KEPT_CHOICES); setError(null); }}>{w.swap}</button>
      </div>
      <h3>{w.preview}</h3>
      <ErrorBox error={preview.error} />
      <p data-testid="merge-preview">{preview.outcome ? movedText(preview.outcome.record.moved, w.lang) : preview.error ? '' : w.previewing}</p>
      <ErrorBox error={error} />
      <div className="actions">
        <button type="button" className="primary" data-testid="merge-confirm" disabled={busy || !preview.outcome} onClick={() => void confirm()}>{busy ? w.merging : w.confirm}</button>
        <button type="button" onClick={onClose}>{w.cancel}</button>
      </div>
    </section>
  );
}
