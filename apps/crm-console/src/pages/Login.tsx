import { useState, type FormEvent } from 'react';
import { api, ApiError, call, session } from '../api/client';
import { useI18n } from '../i18n';
import { ErrorBox } from '../ui';

export function Login() {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { data } = await call(api.POST('/api/auth/login', { body: { username, password } }));
      session.set(data.access_token);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? new Error(t.loginFailed) : err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card login" onSubmit={submit}>
      <h1>{t.appName}</h1>
      <label className="field">
        <span>{t.username}</span>
        <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
      </label>
      <label className="field">
        <span>{t.password}</span>
        <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </label>
      <ErrorBox error={error} />
      <button type="submit" className="primary" disabled={busy}>{t.login}</button>
    </form>
  );
}
