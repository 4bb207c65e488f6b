import { lazy, Suspense, useEffect, useSyncExternalStore, type ReactNode } from 'react';
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
import { effectiveClaims, permissionsOf, useMe, type Me } from './permissions';
import { adminDictionaries } from './admin/strings';
import { commsDictionaries } from './comms/text';
import { ticketText } from './tickets/strings';
import { salesText } from './sales/strings';
import { importText } from './imports/strings';
import { workflowText } from './workflows/strings';

// The administration pages load on first use (they are not part of the first page).
const Users = lazy(() => import('./admin/Users'));
const Integrations = lazy(() => import('./admin/Integrations'));
// The comms pages too: missed calls and the search over every conversation.
const MissedCalls = lazy(() => import('./pages/MissedCalls'));
const CommsSearch = lazy(() => import('./pages/Search'));
// The service desk: the ticket queue and board, a ticket, a device's history by serial.
const TicketQueue = lazy(() => import('./tickets/Queue'));
const TicketPage = lazy(() => import('./tickets/TicketPage'));
const SerialPage = lazy(() => import('./pages/Serial'));
// The sales pipeline: the board, a lead, a new lead.
const SalesBoard = lazy(() => import('./sales/Board'));
const LeadPage = lazy(() => import('./sales/LeadPage'));
const NewLead = lazy(() => import('./sales/NewLead'));
// The CSV import wizard (editors).
const ImportWizard = lazy(() => import('./imports/Wizard'));
// Duplicate customers: the suggestions and the merge dialog.
const Duplicates = lazy(() => import('./merges/Duplicates'));
// Workflow automation: the list, a workflow's editor with its test run and run history.
const WorkflowList = lazy(() => import('./workflows/List'));
const WorkflowEditor = lazy(() => import('./workflows/Editor'));

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
  if (path === '/customers/duplicates') return <Duplicates />;
  if ((m = match('/customers/:id', path))) return <CustomerDetail key={m.id} id={m.id as string} />;
  if (path === '/orders') return <OrderList />;
  if ((m = match('/orders/:id', path))) return <OrderEditor key={m.id} id={m.id === 'new' ? null : (m.id as string)} />;
  if (path === '/inbox') return <Inbox />;
  if (path === '/missed-calls') return <MissedCalls />;
  if (path === '/search') return <CommsSearch />;
  if (path === '/tickets') return <TicketQueue />;
  if ((m = match('/tickets/:id', path))) return <TicketPage key={m.id} id={m.id as string} />;
  if (path === '/imports') return <ImportWizard />;
  if (path === '/sales') return <SalesBoard />;
  if (path === '/sales/leads/new') return <NewLead />;
  if ((m = match('/sales/leads/:id', path))) return <LeadPage key={m.id} id={m.id as string} />;
  if (path === '/workflows') return <WorkflowList />;
  if ((m = match('/workflows/:id', path))) return <WorkflowEditor key={m.id} id={m.id === 'new' ? null : (m.id as string)} />;
  if ((m = match('/serials/:serial', path))) return <SerialPage key={m.serial} serial={m.serial as string} />;
  if (path === '/admin/users') return <Users />;
  if (path === '/admin/integrations') return <Integrations />;
  return null;
}

export function App() {
  const token = useToken();
  const { path, query } = useLocation();
  const { lang, setLang } = useI18n();
  const me = useMe(token);
  const claims = effectiveClaims(token ? decodeToken(token) : null, me);

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
  return <Shell path={path} section={section} claims={claims} me={me} langSwitch={langSwitch} />;
}

function Shell({ path, section, claims, me, langSwitch }: { path: string; section: string; claims: ReturnType<typeof decodeToken>; me: Me | null; langSwitch: ReactNode }) {
  const { t, lang } = useI18n();
  const waiting = useInboxCount(path);
  const { isAdmin } = permissionsOf(claims?.permissions);
  const adminWords = adminDictionaries[lang];
  const page = (section === 'admin' && !isAdmin ? null : route(path)) ?? <p>{t.err_not_found}</p>;
  return (
    <AuthContext.Provider value={{ claims, canEdit: canEdit(claims), me }}>
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
          <Link to="/tickets" className={section === 'tickets' ? 'active' : ''} data-testid="nav-tickets">{ticketText(lang).tickets}</Link>
          <Link to="/sales" className={section === 'sales' ? 'active' : ''} data-testid="nav-sales">{salesText(lang).sales}</Link>
          <Link to="/workflows" className={section === 'workflows' ? 'active' : ''} data-testid="nav-workflows">{workflowText(lang).workflows}</Link>
          {canEdit(claims) && <Link to="/imports" className={section === 'imports' ? 'active' : ''} data-testid="nav-imports">{importText(lang).imports}</Link>}
          <Link to="/missed-calls" className={section === 'missed-calls' ? 'active' : ''}>{commsDictionaries[lang].missedCalls}</Link>
          <Link to="/search" className={section === 'search' ? 'active' : ''} data-testid="nav-search" title={commsDictionaries[lang].globalSearch}>{commsDictionaries[lang].navSearch}</Link>
          {isAdmin && (
            <>
              <Link to="/admin/users" className={path === '/admin/users' ? 'active' : ''}>{adminWords.users}</Link>
              <Link to="/admin/integrations" className={path === '/admin/integrations' ? 'active' : ''}>{adminWords.integrations}</Link>
            </>
          )}
        </nav>
        <span className="user">
          {claims?.sub}
          {!canEdit(claims) && <em className="badge">{t.readOnly}</em>}
        </span>
        {langSwitch}
        <button type="button" onClick={logout}>{t.logout}</button>
      </header>
      <main><Suspense fallback={<p className="muted">{t.loading}</p>}>{page}</Suspense></main>
    </AuthContext.Provider>
  );
}
