// The small, always-loaded comms actions: click-to-call, the buttons beside each contact
// (call, e-mail, WhatsApp), and the edit/delete of an entry logged by hand.
import { useState, type FormEvent } from 'react';
import { api, ApiError, call, ifMatch, type Entry } from '../api/client';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { ConfirmButton, describeError, ErrorBox, Field, useAuth } from '../ui';
import { useMe } from './me';
import { useCommsText } from './text';

/** Whether an originate failed because the caller has no extension. */
export function isNoExtension(e: unknown): boolean {
  return e instanceof ApiError && e.status === 422 && e.field === 'extension';
}

/** ☎ — rings the user's own extension, then dials `number` from it. */
export function CallButton({ number, label }: { number: string; label?: string }) {
  const c = useCommsText();
  const { t } = useI18n();
  const me = useMe();
  const [state, setState] = useState<{ busy: boolean; msg: string | null; error: boolean }>({ busy: false, msg: null, error: false });
  async function dial() {
    setState({ busy: true, msg: null, error: false });
    try {
      await call(api.POST('/api/crm/calls/originate', { body: { number } }));
      setState({ busy: false, msg: me?.extension ? c.callPlaced(me.extension) : c.callPlacedNoExt, error: false });
    } catch (e) {
      setState({ busy: false, msg: isNoExtension(e) ? c.noExtension : describeError(e, t), error: true });
    }
  }
  return (
    <span className="call-action">
      <button type="button" className="icon" data-testid="call" data-number={number} disabled={state.busy} onClick={() => void dial()} title={`${c.call} ${number}`}>
        ☎ {label ?? (state.busy ? c.calling : c.call)}
      </button>
      {state.msg && <span className={state.error ? 'error inline' : 'notice inline'} role={state.error ? 'alert' : 'status'}>{state.msg}</span>}
    </span>
  );
}

/** The actions beside a contact: call a phone, write an e-mail, write on WhatsApp. */
export function ContactActions({ customerId, type, value }: { customerId: string; type: string; value: string }) {
  const c = useCommsText();
  const { canEdit } = useAuth();
  if (!canEdit || !value) return null;
  const compose = (kind: 'email' | 'whatsapp') => navigate(`/customers/${customerId}?tab=comms&compose=${kind}${kind === 'email' ? `&to=${encodeURIComponent(value)}` : ''}`);
  return (
    <span className="contact-actions" data-testid="contact-actions">
      {(type === 'phone' || type === 'whatsapp') && <CallButton number={value} />}
      {type === 'email' && <button type="button" className="icon" data-testid="write-email" onClick={() => compose('email')}>✉ {c.email}</button>}
      {(type === 'whatsapp' || type === 'phone') && <button type="button" className="icon" data-testid="write-whatsapp" onClick={() => compose('whatsapp')}>◉ {c.whatsapp}</button>}
    </span>
  );
}

/** Edit (subject, text) and delete of an entry logged by hand, with its version as If-Match. */
export function ManualEntryControls({ e, onChanged }: { e: Entry; onChanged: () => void }) {
  const c = useCommsText();
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [f, setF] = useState({ subject: e.subject ?? '', body: e.body ?? '' });
  const [error, setError] = useState<unknown>(null);
  const stale = (err: unknown) => (err instanceof ApiError && err.isStale ? new Error(c.changedMeanwhile) : err);

  async function save(ev: FormEvent) {
    ev.preventDefault();
    setError(null);
    try {
      await call(api.PUT('/api/crm/comms/{id}', { params: { path: { id: e.id }, header: { 'If-Match': ifMatch(e) } }, body: { subject: f.subject.trim() || null, body: f.body.trim() || null } }));
      setEditing(false);
      onChanged();
    } catch (err) {
      setError(stale(err));
      if (err instanceof ApiError && err.isStale) onChanged();
    }
  }
  async function remove() {
    setError(null);
    try {
      await call(api.DELETE('/api/crm/comms/{id}', { params: { path: { id: e.id }, header: { 'If-Match': ifMatch(e) } } }));
      onChanged();
    } catch (err) {
      setError(stale(err));
      if (err instanceof ApiError && err.isStale) onChanged();
    }
  }
  if (editing) {
    return (
      <form className="entry-edit" onSubmit={save} data-testid="entry-edit">
        <Field label={t.subject}><input name="edit-subject" value={f.subject} onChange={(x) => setF((y) => ({ ...y, subject: x.target.value }))} /></Field>
        <Field label={t.body} wide><textarea name="edit-body" value={f.body} onChange={(x) => setF((y) => ({ ...y, body: x.target.value }))} /></Field>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="submit" className="primary">{t.save}</button>
          <button type="button" onClick={() => setEditing(false)}>{t.cancel}</button>
        </div>
      </form>
    );
  }
  return (
    <span className="entry-controls">
      <button type="button" className="icon" data-testid="entry-edit-button" onClick={() => { setF({ subject: e.subject ?? '', body: e.body ?? '' }); setEditing(true); }}>✎ {c.edit}</button>
      <ConfirmButton label={t.delete} onConfirm={() => void remove()} className="icon danger" />
      <ErrorBox error={error} />
    </span>
  );
}
