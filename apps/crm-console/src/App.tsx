import { useEffect, useSyncExternalStore, type ReactNode } from 'react';
import { afterLogin, canEdit, decodeToken, loginUrl, session } from './api/client';
import { useI18n } from './i18n';
import { Link, match, navigate, useLocation } from './router';
import { AuthContext } from './ui';
import { Login } from './pages/Login';
import { ProductEditor, ProductList } from './pages/Products';
import { CustomerList, CustomerNew } from './pages/Customers';
import { CustomerDetail } from './pages/CustomerDetail';
import { OrderEditor, OrderList } from './pages/Orders';
import { Inbox, useInboxCount } from './pages/Inbox';
import { formatNumber } from './i18n';

function useToken(): string | null {
  return useSyncExternalStore(session.subscribe, session.token, session.token);
}

/** Logging out on purpose leads to a plain login page (other tabs remember their page). */
function logout() {
  session.clear();
  navigate('/login', true);
}

function route(path: string): ReactNode {
  let m: Record<string, string> | null;
  if (path === '/products') return <ProductList />;
  if ((m = match('/products/:id', path))) return <ProductEditor key={m.id} id={m.id === 'new' ? null : (m.id as string)} />;
  if (path === '/customers') return <CustomerList />;
  if (path === '/customers/new') return <CustomerNew />;
  if ((m = match('/customers/:id', path))) return <CustomerDetail key={m.id} id={m.id as string} />;
  if (path === '/orders') return <OrderList />;
  if ((m = match('/orders/:id', path))) return <OrderEditor key={m.id} id={m.id === 'new' ? null : (m.id as string)} />;
  if (path === '/inbox') return <Inbox />;
  return null;
}

export function App() {
  const token = useToken();
  const { path, query } = useLocation();
  const { lang, setLang } = useI18n();
  const claims = token ? decodeToken(token) : null;

  const search = query.toString();
  useEffect(() => {
    // Logged out: the login page, remembering the page asked for; logged in: that page.
    if (!token && path !== '/login') navigate(loginUrl(path + (search ? `?${search}` : '')), true);
    else if (token && path === '/login') navigate(afterLogin(new URLSearchParams(search).get('next')), true);
    else if (token && path === '/') navigate('/customers', true);
  }, [token, path, search]);

  // The token's expiry logs out by itself (the server would answer 401 from then on anyway).
  const exp = claims?.exp;
  useEffect(() => {
    const left = exp === undefined ? Infinity : exp * 1000 - Date.now();
    if (left > 2 ** 31 - 1) return; // beyond what setTimeout can wait
    const h = setTimeout(() => session.clear(), Math.max(0, left));
    return () => clearTimeout(h);
  }, [exp]);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const langSwitch = (
    <span className="lang">
      <button type="button" className={lang === 'el' ? 'on' : ''} onClick={() => setLang('el')}>ΕΛ</button>
      <button type="button" className={lang === 'en' ? 'on' : ''} onClick={() => setLang('en')}>EN</button>
    </span>
  );

  if (!token) {
    return (
      <div className="login-page">
        {langSwitch}
        <Login />
      </div>
    );
  }
  const section = path.split('/')[1] ?? '';
  return <Shell path={path} section={section} claims={claims} langSwitch={langSwitch} />;
}

function Shell({ path, section, claims, langSwitch }: { path: string; section: string; claims: ReturnType<typeof decodeToken>; langSwitch: ReactNode }) {
  const { t } = useI18n();
  const waiting = useInboxCount(path);
  const page = route(path) ?? <p>{t.err_not_found}</p>;
  return (
    <AuthContext.Provider value={{ claims, canEdit: canEdit(claims) }}>
      <header className="top">
        <strong className="brand">{t.appName}</strong>
        <nav>
          {(['customers', 'orders', 'products', 'inbox'] as const).map((s) => (
            <Link key={s} to={`/${s}`} className={section === s ? 'active' : ''}>
              {t[s]}
              {s === 'inbox' && !!waiting && (
                <span className="count" data-testid="inbox-count" aria-label={t.waiting(waiting)} title={t.waiting(waiting)}>{formatNumber(waiting)}</span>
              )}
            </Link>
          ))}
        </nav>
        <span className="user">
          {claims?.sub}
          {!canEdit(claims) && <em className="badge">{t.readOnly}</em>}
        </span>
        {langSwitch}
        <button type="button" onClick={logout}>{t.logout}</button>
      </header>
      <main>{page}</main>
    </AuthContext.Provider>
  );
}
