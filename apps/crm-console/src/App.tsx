import { useEffect, useSyncExternalStore, type ReactNode } from 'react';
import { canEdit, decodeToken, session } from './api/client';
import { useI18n } from './i18n';
import { Link, match, navigate, useLocation } from './router';
import { AuthContext } from './ui';
import { Login } from './pages/Login';
import { ProductEditor, ProductList } from './pages/Products';
import { CustomerList, CustomerNew } from './pages/Customers';
import { CustomerDetail } from './pages/CustomerDetail';
import { OrderEditor, OrderList } from './pages/Orders';
import { Inbox } from './pages/Inbox';

function useToken(): string | null {
  return useSyncExternalStore(session.subscribe, session.token, session.token);
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
  const { path } = useLocation();
  const { t, lang, setLang } = useI18n();
  const claims = token ? decodeToken(token) : null;

  useEffect(() => {
    if (!token && path !== '/login') navigate('/login', true);
    else if (token && (path === '/login' || path === '/')) navigate('/customers', true);
  }, [token, path]);

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
  const page = route(path) ?? <p>{t.err_not_found}</p>;
  return (
    <AuthContext.Provider value={{ claims, canEdit: canEdit(claims) }}>
      <header className="top">
        <strong className="brand">{t.appName}</strong>
        <nav>
          {(['customers', 'orders', 'products', 'inbox'] as const).map((s) => (
            <Link key={s} to={`/${s}`} className={section === s ? 'active' : ''}>
              {t[s]}
            </Link>
          ))}
        </nav>
        <span className="user">
          {claims?.sub}
          {!canEdit(claims) && <em className="badge">{t.readOnly}</em>}
        </span>
        {langSwitch}
        <button type="button" onClick={() => session.clear()}>{t.logout}</button>
      </header>
      <main>{page}</main>
    </AuthContext.Provider>
  );
}
