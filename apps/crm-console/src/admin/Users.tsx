// The Users page (crm:admin): list, create, change permissions and profile, disable or enable,
// reset a password, delete. Every refusal of the server is a sentence (errors.ts).
import { useState, type FormEvent } from 'react';
import { api, call, type Schemas } from '../api/client';
import { formatDateTime, useI18n } from '../i18n';
import { ADMIN, EDIT, VIEW, usePermissions } from '../permissions';
import { ConfirmButton, ErrorBox, Field, Notice, useLoad } from '../ui';
import { useAdminText, type AdminDict } from './strings';

export type AdminUser = Schemas['AdminUser'];

const PERMS = [
  [VIEW, 'permView'],
  [EDIT, 'permEdit'],
  [ADMIN, 'permAdmin'],
] as const;

export interface UserForm {
  username: string;
  display_name: string;
  password: string;
  permissions: string[];
  extension: string;
  signature: string;
}

/** What is wrong with a form before it is sent (the server checks again): sentences, or none. */
export function validateUser(f: UserForm, w: AdminDict, creating: boolean): string[] {
  const out: string[] = [];
  if (creating && !/^\S{1,64}$/.test(f.username)) out.push(w.vUsername);
  if (creating && f.password.length < 8) out.push(w.vPassword);
  if (f.permissions.length === 0) out.push(w.vPermissions);
  if (f.extension.trim() && !/^\d{2,10}$/.test(f.extension.trim())) out.push(w.vExtension);
  if (f.display_name.length > 100 || /[\r\n]/.test(f.display_name)) out.push(w.vDisplayName);
  if (f.signature.length > 2000) out.push(w.vSignature);
  return out;
}

const orNull = (v: string) => (v.trim() ? v.trim() : null);

function PermissionBoxes({ value, onChange }: { value: string[]; onChange: (v: string[]) => void }) {
  const w = useAdminText();
  return (
    <fieldset className="perms">
      <legend>{w.permissions}</legend>
      {PERMS.map(([p, key]) => (
        <label key={p} className="check">
          <input
            type="checkbox"
            name={p}
            checked={value.includes(p)}
            onChange={(e) => onChange(e.target.checked ? [...value, p] : value.filter((x) => x !== p))}
          />{' '}
          {w[key]}
        </label>
      ))}
    </fieldset>
  );
}

function permLabels(perms: string[], w: AdminDict): string {
  return PERMS.filter(([p]) => perms.includes(p)).map(([, k]) => w[k]).join(', ');
}

function NewUser({ onDone }: { onDone: (u: AdminUser) => void }) {
  const w = useAdminText();
  const [f, setF] = useState<UserForm>({ username: '', display_name: '', password: '', permissions: [VIEW], extension: '', signature: '' });
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const p = validateUser(f, w, true);
    setProblems(p);
    if (p.length) return;
    setBusy(true);
    try {
      const a = await call(api.POST('/api/admin/users', {
        body: {
          username: f.username,
          password: f.password,
          permissions: f.permissions,
          display_name: orNull(f.display_name),
          extension: orNull(f.extension),
          signature: orNull(f.signature),
        },
      }));
      onDone(a.data);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="card user-form" data-testid="new-user" onSubmit={submit} noValidate>
      <h2>{w.newUser}</h2>
      <Field label={w.username}><input name="username" value={f.username} onChange={(e) => setF({ ...f, username: e.target.value })} autoComplete="off" /></Field>
      <Field label={w.displayName}><input name="display_name" value={f.display_name} onChange={(e) => setF({ ...f, display_name: e.target.value })} /></Field>
      <Field label={w.password}><input name="password" type="password" value={f.password} onChange={(e) => setF({ ...f, password: e.target.value })} autoComplete="new-password" /></Field>
      <Field label={w.extension}><input name="extension" inputMode="numeric" value={f.extension} onChange={(e) => setF({ ...f, extension: e.target.value })} /></Field>
      <PermissionBoxes value={f.permissions} onChange={(permissions) => setF({ ...f, permissions })} />
      <Field label={w.signature} wide><textarea name="signature" rows={3} value={f.signature} onChange={(e) => setF({ ...f, signature: e.target.value })} /></Field>
      {problems.length > 0 && (
        <ul className="error" role="alert">{problems.map((p) => <li key={p}>{p}</li>)}</ul>
      )}
      <ErrorBox error={error} />
      <button type="submit" className="primary" disabled={busy}>{w.create}</button>
    </form>
  );
}

function EditUser({ user, self, onSaved, onDeleted }: { user: AdminUser; self: boolean; onSaved: (u: AdminUser, note: string) => void; onDeleted: () => void }) {
  const w = useAdminText();
  const [f, setF] = useState<UserForm>({
    username: user.username,
    display_name: user.display_name ?? '',
    password: '',
    permissions: [...user.permissions],
    extension: user.extension ?? '',
    signature: user.signature ?? '',
  });
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [password, setPassword] = useState('');
  const path = { params: { path: { username: user.username } } };

  async function save(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const p = validateUser(f, w, false);
    setProblems(p);
    if (p.length) return;
    try {
      const a = await call(api.PUT('/api/admin/users/{username}', {
        ...path,
        body: { permissions: f.permissions, display_name: orNull(f.display_name), extension: orNull(f.extension), signature: orNull(f.signature) },
      }));
      onSaved(a.data, w.saved);
    } catch (err) {
      setError(err);
    }
  }
  async function toggle() {
    setError(null);
    try {
      const a = await call(api.PUT('/api/admin/users/{username}', { ...path, body: { disabled: !user.disabled } }));
      onSaved(a.data, w.saved);
    } catch (err) {
      setError(err);
    }
  }
  async function reset(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (password.length < 8) {
      setProblems([w.vPassword]);
      return;
    }
    setProblems([]);
    try {
      await call(api.POST('/api/admin/users/{username}/password', { ...path, body: { password } }));
      setPassword('');
      onSaved(user, w.passwordChanged);
    } catch (err) {
      setError(err);
    }
  }
  async function remove() {
    setError(null);
    try {
      await call(api.DELETE('/api/admin/users/{username}', path));
      onDeleted();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <div className="card user-edit" data-testid={`edit-${user.username}`}>
      <h2>{user.username} {self && <small className="muted">{w.you}</small>}</h2>
      <form onSubmit={save} noValidate>
        <Field label={w.displayName}><input name="display_name" value={f.display_name} onChange={(e) => setF({ ...f, display_name: e.target.value })} /></Field>
        <Field label={w.extension}><input name="extension" inputMode="numeric" value={f.extension} onChange={(e) => setF({ ...f, extension: e.target.value })} /></Field>
        <PermissionBoxes value={f.permissions} onChange={(permissions) => setF({ ...f, permissions })} />
        <Field label={w.signature} wide><textarea name="signature" rows={3} value={f.signature} onChange={(e) => setF({ ...f, signature: e.target.value })} /></Field>
        <button type="submit" className="primary">{w.save}</button>{' '}
        <button type="button" onClick={() => void toggle()}>{user.disabled ? w.enable : w.disable}</button>
      </form>
      <form className="reset" onSubmit={reset} noValidate>
        <Field label={w.newPassword}><input name="new_password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" /></Field>
        <button type="submit">{w.resetPassword}</button>
      </form>
      {problems.length > 0 && <ul className="error" role="alert">{problems.map((p) => <li key={p}>{p}</li>)}</ul>}
      <ErrorBox error={error} />
      <ConfirmButton label={w.delete} onConfirm={() => void remove()} />
    </div>
  );
}

export function Users() {
  const w = useAdminText();
  const { t } = useI18n();
  const { me } = usePermissions();
  const list = useLoad((signal) => call(api.GET('/api/admin/users', { signal })).then((a) => a.data.users), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <section className="admin-users">
      <div className="toolbar">
        <h1>{w.users}</h1>
        <button type="button" className="primary" onClick={() => { setCreating(!creating); setEditing(null); setNotice(null); }}>{w.newUser}</button>
      </div>
      {notice && <Notice>{notice}</Notice>}
      {creating && (
        <NewUser onDone={(u) => { setCreating(false); setNotice(`${w.created} (${u.username})`); list.reload(); }} />
      )}
      <ErrorBox error={list.error} />
      {list.loading && !list.data && <p className="muted">{t.loading}</p>}
      {list.data && (
        <table className="list users">
          <thead>
            <tr><th>{w.username}</th><th>{w.displayName}</th><th>{w.permissions}</th><th>{w.extension}</th><th>{w.state}</th><th>{w.createdAt}</th><th /></tr>
          </thead>
          <tbody>
            {list.data.map((u) => (
              <tr key={u.username} data-user={u.username} className={u.disabled ? 'disabled' : ''}>
                <td>{u.username}</td>
                <td>{u.display_name}</td>
                <td>{permLabels(u.permissions, w)}</td>
                <td>{u.extension}</td>
                <td>{u.disabled ? w.disabled : w.enabledState}</td>
                <td>{formatDateTime(u.created_at)}</td>
                <td><button type="button" onClick={() => { setEditing(editing === u.username ? null : u.username); setCreating(false); setNotice(null); }}>{w.edit}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && list.data?.find((u) => u.username === editing) && (
        <EditUser
          key={editing}
          user={list.data.find((u) => u.username === editing) as AdminUser}
          self={me?.username === editing}
          onSaved={(u, note) => { setNotice(`${note} (${u.username})`); list.setData((list.data ?? []).map((x) => (x.username === u.username ? u : x))); }}
          onDeleted={() => { setNotice(w.deleted); setEditing(null); list.reload(); }}
        />
      )}
    </section>
  );
}

export default Users;
