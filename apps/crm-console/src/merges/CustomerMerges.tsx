// On the customer page: «Συγχώνευση με…» (editors pick another customer by search and open the
// merge dialog, this customer staying by default) and the merge history — who merged which
// customer in, when, and what moved — when there is any.
import { useEffect, useState } from 'react';
import { api, call, type Customer } from '../api/client';
import { formatDateTime } from '../i18n';
import { usePermissions } from '../permissions';
import { navigate } from '../router';
import { ErrorBox, useLoad } from '../ui';
import { movedText } from './logic';
import MergeDialog from './MergeDialog';
import { useMergeText } from './strings';

export default function CustomerMerges({ c, onMerged }: { c: Customer; onMerged: (kept: Customer) => void }) {
  const w = useMergeText();
  const { canEdit } = usePermissions();
  const [picking, setPicking] = useState(false);
  const [other, setOther] = useState<string | null>(null);
  const history = useLoad((signal) => call(api.GET('/api/crm/customers/{id}/merges', { params: { path: { id: c.id } }, signal })).then((a) => a.data), [c.id, c.version]);
  return (
    <div data-testid="customer-merges">
      {canEdit && !picking && !other && (
        <div className="actions"><button type="button" data-testid="merge-with" onClick={() => setPicking(true)}>{w.mergeWith}</button></div>
      )}
      {canEdit && picking && <CustomerPicker exclude={c.id} onPick={(id) => { setPicking(false); setOther(id); }} onClose={() => setPicking(false)} />}
      {canEdit && other && (
        <MergeDialog
          key={other}
          kept={c.id}
          duplicate={other}
          onClose={() => setOther(null)}
          onMerged={(kept) => {
            setOther(null);
            if (kept.id === c.id) onMerged(kept);
            else navigate(`/customers/${kept.id}`);
          }}
        />
      )}
      <ErrorBox error={history.error} />
      {history.data && history.data.length > 0 && (
        <div data-testid="merge-history">
          <h3>{w.history}</h3>
          <ul>
            {history.data.map((r) => (
              <li key={r.id} data-testid="merge-history-line">{w.historyLine(r.merged_by, formatDateTime(r.merged_at), r.duplicate.name, movedText(r.moved, w.lang))}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** A search box over the customers (name, phone, e-mail); picks one other than `exclude`. */
function CustomerPicker({ exclude, onPick, onClose }: { exclude: string; onPick: (id: string) => void; onClose: () => void }) {
  const w = useMergeText();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Customer[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const text = q.trim();
    if (!text) { setFound(null); return; }
    const ctl = new AbortController();
    const h = setTimeout(() => {
      call(api.GET('/api/crm/customers', { params: { query: { search: text, limit: 20 } }, signal: ctl.signal })).then(
        (a) => { setFound(a.data.customers.filter((x) => x.id !== exclude)); setError(null); },
        (e: unknown) => { if (!ctl.signal.aborted) setError(e); },
      );
    }, 150);
    return () => { clearTimeout(h); ctl.abort(); };
  }, [q, exclude]);
  return (
    <div className="card" data-testid="merge-picker">
      <label className="field wide">
        <span>{w.findOther}</span>
        <input type="search" name="merge-search" placeholder={w.findHint} value={q} autoFocus onChange={(e) => setQ(e.target.value)} />
      </label>
      <ErrorBox error={error} />
      {found && found.length === 0 && <p className="muted">{w.noneFound}</p>}
      {found && found.length > 0 && (
        <ul>
          {found.map((x) => (
            <li key={x.id}>
              <button type="button" className="link" data-testid="merge-candidate" data-id={x.id} onClick={() => onPick(x.id)}>
                {x.name}{x.organization ? ` — ${x.organization}` : ''}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="actions"><button type="button" onClick={onClose}>{w.cancel}</button></div>
    </div>
  );
}
