// «Πιθανά διπλότυπα»: the pairs of customers the server thinks are one (a shared phone or
// e-mail, a nearly identical name), the older first, each with its reasons in words. Editors
// open the merge dialog from a pair (the older stays by default); viewers only see the list.
import { useState } from 'react';
import { api, call } from '../api/client';
import { formatDateTime, useI18n } from '../i18n';
import { usePermissions } from '../permissions';
import { Link, navigate } from '../router';
import { ErrorBox, useLoad } from '../ui';
import { reasonText, type DuplicatePair } from './logic';
import MergeDialog from './MergeDialog';
import { useMergeText } from './strings';

export default function Duplicates() {
  const w = useMergeText();
  const { t } = useI18n();
  const { canEdit } = usePermissions();
  const pairs = useLoad((signal) => call(api.GET('/api/crm/customers/duplicates', { params: { query: { limit: 200 } }, signal })).then((a) => a.data), []);
  const [open, setOpen] = useState<DuplicatePair | null>(null);
  return (
    <section data-testid="duplicates-page">
      <div className="toolbar">
        <Link to="/customers">‹ {t.customers}</Link>
        <h1>{w.duplicates}</h1>
      </div>
      <p className="muted">{w.duplicatesHint}</p>
      <ErrorBox error={pairs.error} />
      {open && (
        <MergeDialog
          key={`${open.a.id}:${open.b.id}`}
          kept={open.a.id}
          duplicate={open.b.id}
          onClose={() => setOpen(null)}
          onMerged={(kept) => navigate(`/customers/${kept.id}`)}
        />
      )}
      {pairs.data && pairs.data.length === 0 && <p data-testid="no-duplicates">{w.noDuplicates}</p>}
      {pairs.data && pairs.data.length > 0 && (
        <table className="list">
          <thead><tr><th>{w.customer}</th><th>{w.customer}</th><th>{w.reasons}</th><th /></tr></thead>
          <tbody>
            {pairs.data.map((p) => (
              <tr key={`${p.a.id}:${p.b.id}`} data-testid="duplicate-pair" data-a={p.a.id} data-b={p.b.id}>
                <td><Link to={`/customers/${p.a.id}`}>{p.a.name}</Link> <span className="muted">({w.older}, {formatDateTime(p.a.created_at)})</span></td>
                <td><Link to={`/customers/${p.b.id}`}>{p.b.name}</Link></td>
                <td data-testid="pair-reasons">{p.reasons.map((r) => reasonText(r, w.lang)).join('; ')}</td>
                <td>{canEdit && <button type="button" data-testid="merge-pair" onClick={() => setOpen(p)}>{w.merge}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
