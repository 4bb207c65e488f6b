import { useEffect, useState, type FormEvent } from 'react';
import { api, call, type Customer, type Schemas } from '../api/client';
import { useI18n } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import { ErrorBox, Field, LanguageSelect, Pager, splitList, useAuth, useLoad } from '../ui';
import { mergeText } from '../merges/strings';

const LIMIT = 50;
/** Wait this long after the last keystroke before asking the server (requests in flight are aborted). */
export const SEARCH_DEBOUNCE_MS = 60;

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, ms]);
  return v;
}

export function primaryContact(c: Customer, types: Schemas['ContactType'][]): string {
  const list = c.contacts.filter((x) => types.includes(x.type));
  return (list.find((x) => x.primary) ?? list[0])?.value ?? '';
}

export function CustomerList() {
  const { t } = useI18n();
  const { canEdit } = useAuth();
  const { query } = useLocation();
  const [search, setSearch] = useState(query.get('search') ?? '');
  const [tag, setTag] = useState(query.get('tag') ?? '');
  const [offset, setOffset] = useState(0);
  const q = useDebounced(search.trim(), SEARCH_DEBOUNCE_MS);
  const tagQ = useDebounced(tag.trim(), SEARCH_DEBOUNCE_MS);
  const list = useLoad(
    (signal) =>
      call(
        api.GET('/api/crm/customers', {
          params: { query: { limit: LIMIT, offset, ...(q ? { search: q } : {}), ...(tagQ ? { tag: tagQ } : {}) } },
          signal,
        }),
      ).then((a) => ({ ...a.data, q })),
    [q, tagQ, offset],
  );
  return (
    <section>
      <div className="toolbar">
        <h1>{t.customers}</h1>
        <input
          type="search"
          className="grow"
          placeholder={t.searchCustomers}
          aria-label={t.search}
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setOffset(0);
          }}
          autoFocus
        />
        <input type="search" placeholder={t.tag} aria-label={t.tag} value={tag} onChange={(e) => { setTag(e.target.value); setOffset(0); }} />
        <Link to="/customers/duplicates" className="button" data-testid="nav-duplicates">{mergeText(t.langCode).duplicates}</Link>
        {canEdit && <Link to="/customers/new" className="button primary">+ {t.newCustomer}</Link>}
      </div>
      <ErrorBox error={list.error} />
      {list.data && (
        <>
          <table className="list customers" data-query={list.data.q} aria-busy={list.loading}>
            <thead>
              <tr><th>{t.name}</th><th>{t.organization}</th><th>{t.phone}</th><th>E-mail</th><th>{t.city}</th><th>{t.tags}</th></tr>
            </thead>
            <tbody>
              {list.data.customers.map((c) => (
                <tr key={c.id}>
                  <td><Link to={`/customers/${c.id}`}>{c.name}</Link></td>
                  <td>{c.organization}</td>
                  <td>{primaryContact(c, ['phone', 'whatsapp'])}</td>
                  <td>{primaryContact(c, ['email'])}</td>
                  <td>{c.location.city}</td>
                  <td>{c.tags.map((x) => <span key={x} className="tag" onClick={() => setTag(x)}>{x}</span>)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data.customers.length === 0 && <p className="muted">{t.none}</p>}
          <Pager offset={offset} limit={LIMIT} total={list.data.total} onChange={setOffset} />
        </>
      )}
    </section>
  );
}

/** `05_Customers/ΙΕΡΟΣ_ΝΑΟΣ_…`: the name in capitals without accents, as BellSystems names folders. */
export function suggestFolder(name: string): string {
  const base = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLocaleUpperCase('el')
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
  return base ? `05_Customers/${base}` : '';
}

export function CustomerNew() {
  const { t } = useI18n();
  const [f, setF] = useState({ name: '', organization: '', phone: '', email: '', city: '', region: '', country: 'GR', tags: '', folder: '', language: 'el' });
  const [folderTouched, setFolderTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f, v: string) => setF((x) => ({ ...x, [k]: v }));
  const folder = folderTouched ? f.folder : suggestFolder(f.name);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const contacts: Schemas['ContactInput'][] = [];
    if (f.phone.trim()) contacts.push({ type: 'phone', value: f.phone.trim(), primary: true });
    if (f.email.trim()) contacts.push({ type: 'email', value: f.email.trim(), primary: true });
    try {
      const a = await call(
        api.POST('/api/crm/customers', {
          body: {
            name: f.name.trim(),
            organization: f.organization.trim() || null,
            contacts,
            location: { city: f.city.trim() || null, region: f.region.trim() || null, country: f.country.trim() || null },
            language: f.language,
            tags: splitList(f.tags),
            nextcloud_folder: folder.trim() || null,
          },
        }),
      );
      navigate(`/customers/${a.data.id}`, true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <div className="toolbar">
        <Link to="/customers">‹ {t.customers}</Link>
        <h1>{t.newCustomer}</h1>
      </div>
      <form className="card form" onSubmit={submit}>
        <fieldset disabled={busy}>
          <div className="grid">
            <Field label={t.name} wide><input name="name" value={f.name} onChange={(e) => set('name', e.target.value)} required /></Field>
            <Field label={t.organization}><input name="organization" value={f.organization} onChange={(e) => set('organization', e.target.value)} /></Field>
            <Field label={t.phone}><input name="phone" type="tel" value={f.phone} onChange={(e) => set('phone', e.target.value)} /></Field>
            <Field label="E-mail"><input name="email" type="email" value={f.email} onChange={(e) => set('email', e.target.value)} /></Field>
            <Field label={t.city}><input name="city" value={f.city} onChange={(e) => set('city', e.target.value)} /></Field>
            <Field label={t.region}><input name="region" value={f.region} onChange={(e) => set('region', e.target.value)} /></Field>
            <Field label={t.country}><input name="country" value={f.country} onChange={(e) => set('country', e.target.value)} /></Field>
            <Field label={t.language}><LanguageSelect value={f.language} onChange={(v) => set('language', v)} /></Field>
            <Field label={`${t.tags} (${t.tagsHint})`}><input name="tags" value={f.tags} onChange={(e) => set('tags', e.target.value)} /></Field>
            <Field label={t.nextcloud_folder} wide>
              <input name="nextcloud_folder" value={folder} onChange={(e) => { setFolderTouched(true); set('folder', e.target.value); }} />
            </Field>
          </div>
        </fieldset>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>{t.save}</button>
        </div>
      </form>
    </section>
  );
}
