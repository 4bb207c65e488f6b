// The macros (the queue's «Μακροεντολές» tab): every saved macro with its steps in words and,
// for editors, a form to create one, edit it or delete it. The form has a field per kind of
// step (status, priority, assignee, tags, a note template with {customer} and {ticket}) and is
// checked before sending (`macroBody`). Applying a macro is on the ticket page.
//
// An edit is a `PUT /macros/{id}` under the If-Match of the version the form was opened on: the
// macro keeps its id. A 412 means someone else changed it meanwhile: the form closes, the list
// is reloaded and says so.
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { usePermissions } from '../permissions';
import { ConfirmButton, ConflictError, ErrorBox, Notice, useLoad } from '../ui';
import { etagOf, tk } from './api';
import { EMPTY_MACRO, macroBody, macroForm, PRIORITIES, STATUSES, type Macro, type MacroForm, type NewMacro, type Priority, type Status, type Visibility } from './logic';
import { macroProblem, macroStep, useTicketText } from './strings';

/** Saves `body` as a new macro, or as the new form of `old` (in place, at `old`'s version). */
export async function saveMacro(body: NewMacro, old: Macro | null): Promise<Macro> {
  const a = old
    ? await tk<Macro>('PUT', `/macros/${old.id}`, body, { ifMatch: etagOf(old) })
    : await tk<Macro>('POST', '/macros', body);
  return a.data;
}

export default function MacroManager() {
  const w = useTicketText();
  const { canEdit } = usePermissions();
  const [tick, setTick] = useState(0);
  const list = useLoad((signal) => tk<Macro[]>('GET', '/macros', undefined, { signal }).then((a) => a.data), [tick]);
  const [editing, setEditing] = useState<{ old: Macro | null } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = () => setTick((x) => x + 1);

  async function remove(m: Macro) {
    setError(null);
    setNotice(null);
    try {
      await tk<null>('DELETE', `/macros/${m.id}`, undefined, { ifMatch: etagOf(m) });
      setNotice(w.macroDeleted);
    } catch (e) {
      setError(e);
    }
    reload();
  }

  return (
    <div data-testid="macro-manager">
      {canEdit && !editing && (
        <div className="actions">
          <button type="button" className="primary" data-testid="new-macro" onClick={() => { setNotice(null); setError(null); setEditing({ old: null }); }}>+ {w.newMacro}</button>
        </div>
      )}
      {editing && (
        <MacroEditor
          key={editing.old?.id ?? 'new'}
          initial={editing.old ? macroForm(editing.old) : EMPTY_MACRO}
          onCancel={() => setEditing(null)}
          onSave={async (body) => {
            try {
              await saveMacro(body, editing.old);
            } catch (e) {
              if (!(e instanceof ApiError && e.isStale)) throw e;
              setEditing(null);
              setError(new ConflictError(w.macroStale(editing.old?.name ?? body.name)));
              reload();
              return;
            }
            setEditing(null);
            setNotice(w.macroSaved);
            reload();
          }}
        />
      )}
      {notice && <Notice>{notice}</Notice>}
      <ErrorBox error={error ?? list.error} />
      {list.data?.length === 0 && <p className="muted">{w.noMacros}</p>}
      {!!list.data?.length && (
        <table className="list" data-testid="macro-list">
          <thead><tr><th>{w.macroName}</th><th>{w.steps}</th>{canEdit && <th />}</tr></thead>
          <tbody>
            {list.data.map((m) => (
              <tr key={m.id} data-testid="macro-row" data-name={m.name}>
                <td><strong>{m.name}</strong></td>
                <td>{m.actions.map((a) => macroStep(a, w)).join(' · ')}</td>
                {canEdit && (
                  <td className="actions">
                    <button type="button" data-testid="edit-macro" disabled={!!editing} onClick={() => { setNotice(null); setError(null); setEditing({ old: m }); }}>{w.editMacro}</button>{' '}
                    <ConfirmButton label={w.deleteMacro} onConfirm={() => void remove(m)} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The macro form: checked with `macroBody` before `onSave` gets the body. */
export function MacroEditor({ initial, onSave, onCancel }: { initial: MacroForm; onSave: (body: NewMacro) => Promise<void>; onCancel: () => void }) {
  const w = useTicketText();
  const [f, setF] = useState<MacroForm>(initial);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (p: Partial<MacroForm>) => setF((x) => ({ ...x, ...p }));
  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = macroBody(f);
    setError(null);
    if (!r.ok) return setProblem(macroProblem(r.error, w));
    setProblem(null);
    setBusy(true);
    try {
      await onSave(r.body);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="form card" data-testid="macro-form" onSubmit={(e) => void submit(e)} noValidate>
      <h3>{initial.name ? `${w.editMacro}: ${initial.name}` : w.newMacro}</h3>
      <div className="grid">
        <label className="field wide"><span>{w.macroName}</span><input name="name" value={f.name} onChange={(e) => set({ name: e.target.value })} /></label>
        <label className="field"><span>{w.setStatus}</span>
          <select name="status" value={f.status} onChange={(e) => set({ status: e.target.value as Status | '' })}>
            <option value="">{w.keep}</option>
            {STATUSES.map((s) => <option key={s} value={s}>{w.st(s)}</option>)}
          </select>
        </label>
        <label className="field"><span>{w.setPriority}</span>
          <select name="priority" value={f.priority} onChange={(e) => set({ priority: e.target.value as Priority | '' })}>
            <option value="">{w.keep}</option>
            {PRIORITIES.map((p) => <option key={p} value={p}>{w.pr(p)}</option>)}
          </select>
        </label>
        <label className="field"><span>{w.assignee}</span>
          <select name="assignee" value={f.assignee} onChange={(e) => set({ assignee: e.target.value as MacroForm['assignee'] })}>
            <option value="">{w.keep}</option>
            <option value="set">{w.assignTo}…</option>
            <option value="clear">{w.unassign}</option>
          </select>
        </label>
        {f.assignee === 'set' && <label className="field"><span>{w.username}</span><input name="assignee_name" value={f.assigneeName} onChange={(e) => set({ assigneeName: e.target.value })} /></label>}
        <label className="field wide"><span>{w.addTags}</span><input name="tags" value={f.tags} onChange={(e) => set({ tags: e.target.value })} /></label>
        <label className="field wide"><span>{w.noteTemplate} ({w.noteHint})</span><textarea name="template" value={f.note} onChange={(e) => set({ note: e.target.value })} /></label>
        {f.note.trim() && (
          <div className="chips" role="radiogroup" aria-label={w.noteTemplate}>
            {(['internal', 'customer'] as Visibility[]).map((v) => (
              <label key={v} className={f.visibility === v ? 'chip on' : 'chip'} title={v === 'internal' ? w.internalHint : w.customerHint}>
                <input type="radio" name="visibility" value={v} checked={f.visibility === v} onChange={() => set({ visibility: v })} /> {w.vis(v)}
              </label>
            ))}
          </div>
        )}
        {f.rest.length > 0 && <p className="muted wide">{w.kept(f.rest.length)}: {f.rest.map((a) => macroStep(a, w)).join(' · ')}</p>}
      </div>
      {problem && <div className="error" role="alert" data-testid="macro-problem">{problem}</div>}
      <ErrorBox error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>{w.save}</button>
        <button type="button" onClick={onCancel}>{w.cancel}</button>
      </div>
    </form>
  );
}
