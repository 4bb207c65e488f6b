// A new lead (`/sales/leads/new`): a prospect (name, organisation, a phone or an e-mail), the
// lead's fields and its quoted lines; checked before sending, the server's refusal named at
// its field. Created, it opens the lead's page.
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { errorSentence } from '../errors';
import { usePermissions } from '../permissions';
import { Link, navigate } from '../router';
import { Field } from '../ui';
import { tk } from '../tickets/api';
import { LeadFields } from './fields';
import { EMPTY_LINE, newLeadBody, type Lead, type LeadForm, type ProspectForm } from './logic';
import { problemText, useSalesText } from './strings';

export const EMPTY_LEAD: LeadForm = { title: '', source: 'phone', value: '', close: '', owner: '', tags: '', lines: [EMPTY_LINE] };
export const EMPTY_PROSPECT: ProspectForm = { name: '', organization: '', phone: '', email: '' };

export default function NewLeadPage() {
  const w = useSalesText();
  const { canEdit, me } = usePermissions();
  const [f, setF] = useState<LeadForm>(() => ({ ...EMPTY_LEAD, owner: me?.username ?? '' }));
  const [p, setP] = useState<ProspectForm>(EMPTY_PROSPECT);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const b = newLeadBody(f, p);
    if (!b.ok) return setProblem(problemText(b.error, w));
    setProblem(null);
    setBusy(true);
    try {
      const created = await tk<Lead>('POST', '/leads', b.body);
      navigate(`/sales/leads/${created.data.id}`);
    } catch (err) {
      setProblem(err instanceof ApiError ? errorSentence(err, w.lang) : String(err));
    } finally {
      setBusy(false);
    }
  }
  if (!canEdit) return <p className="muted">{w.viewer}</p>;
  const sp = (x: Partial<ProspectForm>) => setP((v) => ({ ...v, ...x }));
  return (
    <form className="card" data-testid="new-lead-form" onSubmit={submit}>
      <div className="toolbar"><h1>{w.newLead}</h1><Link to="/sales">{w.back}</Link></div>
      <fieldset className="grid" disabled={busy}>
        <legend>{w.prospect}</legend>
        <Field label={w.name}><input name="prospect_name" value={p.name} onChange={(e) => sp({ name: e.target.value })} /></Field>
        <Field label={w.organization}><input name="prospect_organization" value={p.organization} onChange={(e) => sp({ organization: e.target.value })} /></Field>
        <Field label={w.phone}><input name="prospect_phone" type="tel" value={p.phone} onChange={(e) => sp({ phone: e.target.value })} /></Field>
        <Field label={w.email}><input name="prospect_email" type="email" value={p.email} onChange={(e) => sp({ email: e.target.value })} /></Field>
      </fieldset>
      <LeadFields f={f} set={(x) => setF((v) => ({ ...v, ...x }))} disabled={busy} />
      {problem && <div className="error" role="alert">{problem}</div>}
      <div className="actions"><button type="submit" className="primary" disabled={busy}>{w.create}</button></div>
    </form>
  );
}
