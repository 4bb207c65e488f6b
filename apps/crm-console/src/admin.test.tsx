import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The console's `api` client captures fetch when its module loads: stub it first.
const fetchMock = vi.hoisted(() => {
  const m = vi.fn<(req: Request) => Promise<Response>>();
  globalThis.fetch = m as unknown as typeof fetch;
  return m;
});

import { App } from './App';
import { ApiError, TOKEN_KEY, type Order, type Product } from './api/client';
import { errorSentence } from './errors';
import { I18nProvider } from './i18n';
import { navigate } from './router';
import { AuthContext } from './ui';
import { Users, validateUser } from './admin/Users';
import { Integrations, REFRESH_MS, type IntegrationStatus } from './admin/Integrations';
import { adminDictionaries } from './admin/strings';
import { OrderFiles, orderFolder } from './pages/Orders';
import { effectiveClaims, permissionsOf } from './permissions';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
let root: Root;
beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  fetchMock.mockReset();
  localStorage.clear();
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
  vi.useRealTimers();
});

const json = (body: unknown, status = 200) => new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function token(sub: string, permissions: string[]): string {
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${b64({ alg: 'HS256' })}.${b64({ sub, permissions, exp: Math.floor(Date.now() / 1000) + 3600 })}.sig`;
}

async function until(cond: () => boolean, ms = 2000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out: ' + container.textContent);
    await act(async () => {
      await new Promise((r) => setTimeout(r, 10));
    });
  }
}

function render(node: ReactNode, permissions: string[] = ['crm:view', 'crm:edit', 'crm:admin'], username = 'admin') {
  act(() => {
    root.render(
      <I18nProvider initial="el">
        <AuthContext.Provider value={{ claims: { sub: username, permissions }, canEdit: permissions.includes('crm:edit'), me: { username, permissions } }}>{node}</AuthContext.Provider>
      </I18nProvider>,
    );
  });
}

const buttons = () => [...container.querySelectorAll('button')].map((b) => b.textContent ?? '');
const navText = () => container.querySelector('header nav')?.textContent ?? '';

const order: Order = {
  id: '0b7c0f0e-0000-4000-8000-000000000001', order_number: 'ORD-2026-007', customer_id: 'c1', status: 'confirmed', payment_status: 'pending',
  currency: 'EUR', items: [], prices_include_vat: false, status_history: [], shipping: {}, total_price: '0', created_at: '2026-11-28T10:00:00Z', updated_at: '2026-11-28T10:00:00Z', version: 1,
} as unknown as Order;
const product = {
  id: 'p1', sku: 'CTRL-1', name: 'Ελεγκτής', category: 'controller', price: '100', currency: 'EUR', active: true, vat_rate: 24,
  costs: { total: '0' }, stock: { on_hand: 1, reserved: 0, available: 1 }, nextcloud_folder: 'Products/CTRL-1',
  created_at: '2026-11-28T10:00:00Z', updated_at: '2026-11-28T10:00:00Z', version: 1,
} as unknown as Product;

/** A gateway for the whole console: `/api/auth/me` says `me`, the rest is one record each. */
function gateway(me: { username: string; permissions: string[] }) {
  fetchMock.mockImplementation(async (req: Request) => {
    const p = new URL(req.url).pathname;
    if (p === '/api/auth/me') return json({ ...me, display_name: null, extension: null, signature: null });
    if (p === '/api/crm/customers') return json({ customers: [], total: 0 });
    if (p === '/api/crm/customers/c1') return json({ id: 'c1', name: 'Ναός', nextcloud_folder: '05_Customers/NAOS', contacts: [], notes: [], tags: [], owned_items: [], linked_user_ids: [], location: {}, language: 'el', version: 1 });
    if (p === '/api/crm/inbox') return json({ entries: [], total: 0 });
    if (p === '/api/crm/orders') return json({ orders: [order], total: 1 });
    if (p === `/api/crm/orders/${order.id}`) return json(order);
    if (p === '/api/crm/media') return json({ items: [], total: 0 });
    if (p === '/api/crm/products') return json({ products: [product], total: 1 });
    if (p === '/api/crm/products/p1') return json(product);
    if (p === '/api/crm/nextcloud/browse') return json({ path: 'Products/CTRL-1', items: [{ filename: 'manual.pdf', path: 'Products/CTRL-1/manual.pdf', is_dir: false, size: 2048 }], total: 1 });
    return json({ error: { code: 'not_found', message: 'no' } }, 404);
  });
}

function renderApp(at: string) {
  navigate(at, true);
  act(() => {
    root.render(
      <I18nProvider initial="el">
        <App />
      </I18nProvider>,
    );
  });
}

describe('permission gating', () => {
  it('the token claims edit, /api/auth/me says view only: no action buttons on any page, no admin menu', async () => {
    localStorage.setItem(TOKEN_KEY, token('viewer', ['crm:view', 'crm:edit']));
    gateway({ username: 'viewer', permissions: ['crm:view'] });
    renderApp('/customers');
    await until(() => fetchMock.mock.calls.some(([r]) => r.url.endsWith('/api/auth/me')));
    await until(() => !!container.querySelector('.badge'));
    expect(container.textContent).not.toContain('Νέος πελάτης');
    expect(navText()).not.toContain('Χρήστες');

    act(() => navigate(`/orders/${order.id}`));
    await until(() => !!container.querySelector('[data-testid="order-files"]') && container.textContent!.includes('05_Customers/NAOS/Orders/ORD-2026-007'));
    expect(container.querySelector('input[type=file]')).toBeNull();
    for (const b of ['Αποθήκευση', 'Διαγραφή', 'Ανέβασμα', 'Προσθήκη είδους']) expect(buttons()).not.toContain(b);

    act(() => navigate('/products/p1'));
    await until(() => container.textContent!.includes('manual.pdf'));
    expect(buttons().filter((b) => /Αποθήκευση|Διαγραφή/.test(b))).toEqual([]);

    act(() => navigate('/orders'));
    await until(() => container.textContent!.includes('ORD-2026-007'));
    expect(container.textContent).not.toContain('Νέα παραγγελία');
  });

  it('an administrator sees «Χρήστες» and «Κατάσταση συνδέσεων»; a non-admin opening the page gets nothing of it', async () => {
    localStorage.setItem(TOKEN_KEY, token('boss', ['crm:view', 'crm:edit', 'crm:admin']));
    gateway({ username: 'boss', permissions: ['crm:view', 'crm:edit', 'crm:admin'] });
    renderApp('/customers');
    await until(() => navText().includes('Χρήστες'));
    expect(navText()).toContain('Κατάσταση συνδέσεων');
    expect(container.textContent).toContain('Νέος πελάτης');

    act(() => root.unmount());
    root = createRoot(container);
    localStorage.setItem(TOKEN_KEY, token('staff', ['crm:view', 'crm:edit']));
    gateway({ username: 'staff', permissions: ['crm:view', 'crm:edit'] });
    renderApp('/admin/users');
    await until(() => fetchMock.mock.calls.some(([r]) => r.url.endsWith('/api/auth/me')));
    await until(() => container.textContent!.includes('Δεν βρέθηκε'));
    expect(navText()).not.toContain('Χρήστες');
    expect(fetchMock.mock.calls.some(([r]) => r.url.includes('/api/admin/'))).toBe(false);
  });

  it('/api/auth/me decides over the token; the token stands in until it answers', () => {
    const claims = { sub: 'x', permissions: ['crm:view', 'crm:edit'] };
    expect(permissionsOf(effectiveClaims(claims, null)?.permissions).canEdit).toBe(true);
    expect(permissionsOf(effectiveClaims(claims, { username: 'x', permissions: ['crm:view'] })?.permissions).canEdit).toBe(false);
    expect(permissionsOf(['crm:admin']).isAdmin).toBe(true);
  });
});

describe('users page', () => {
  const w = adminDictionaries.el;
  const empty = { username: '', display_name: '', password: '', permissions: [], extension: '', signature: '' };

  it('checks the form before sending: name, password, a permission, extension digits', () => {
    expect(validateUser(empty, w, true)).toEqual([w.vUsername, w.vPassword, w.vPermissions]);
    expect(validateUser({ ...empty, username: 'nikos', password: 'long enough', permissions: ['crm:view'], extension: '12a' }, w, true)).toEqual([w.vExtension]);
    expect(validateUser({ ...empty, username: 'nikos', password: 'long enough', permissions: ['crm:view'], extension: '201' }, w, true)).toEqual([]);
  });

  it('lists users, refuses a short password in Greek without asking the server, and creates with the checked permissions', async () => {
    const users = [{ username: 'admin', permissions: ['crm:view', 'crm:edit', 'crm:admin'], disabled: false, created_at: '2026-11-28T10:00:00Z' }];
    let posted: unknown = null;
    fetchMock.mockImplementation(async (req: Request) => {
      if (req.method === 'POST') {
        posted = await req.json();
        const u = { ...(posted as object), disabled: false, created_at: '2026-12-01T10:00:00Z' };
        users.push(u as (typeof users)[number]);
        return json(u, 201);
      }
      return json({ users });
    });
    render(<Users />);
    await until(() => !!container.querySelector('tr[data-user="admin"]'));
    expect(container.querySelector('tr[data-user="admin"]')!.textContent).toContain('Προβολή, Επεξεργασία, Διαχείριση');

    act(() => (container.querySelector('.toolbar button') as HTMLButtonElement).click());
    const form = container.querySelector('[data-testid="new-user"]') as HTMLFormElement;
    const type = (name: string, v: string) => {
      const el = form.querySelector(`[name="${name}"]`) as HTMLInputElement;
      act(() => {
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(el, v);
        el.dispatchEvent(new Event('input', { bubbles: true }));
      });
    };
    type('username', 'eleni');
    type('password', 'short');
    act(() => form.requestSubmit());
    expect(form.textContent).toContain('Ο κωδικός χρειάζεται τουλάχιστον 8 χαρακτήρες.');
    expect(fetchMock.mock.calls.filter(([r]) => r.method === 'POST')).toHaveLength(0);

    type('password', 'kalimera-2026');
    act(() => (form.querySelector('input[name="crm:edit"]') as HTMLInputElement).click());
    act(() => form.requestSubmit());
    await until(() => !!container.querySelector('tr[data-user="eleni"]'));
    expect(posted).toMatchObject({ username: 'eleni', password: 'kalimera-2026', permissions: ['crm:view', 'crm:edit'] });
    expect(container.textContent).toContain('Ο χρήστης δημιουργήθηκε.');
  });

  it('puts the server refusals in Greek: the last administrator, disabling oneself, a taken name', async () => {
    const users = [{ username: 'admin', permissions: ['crm:admin'], disabled: false, created_at: '2026-11-28T10:00:00Z' }];
    const answers: Response[] = [
      json({ error: { code: 'invalid_field', message: 'x', details: { field: 'disabled', reason: 'you cannot disable yourself: another administrator must' } } }, 422),
      json({ error: { code: 'last_admin', message: 'x' } }, 409),
    ];
    fetchMock.mockImplementation(async (req: Request) => (req.method === 'GET' ? json({ users }) : answers.shift()!));
    render(<Users />);
    await until(() => !!container.querySelector('tr[data-user="admin"]'));
    act(() => (container.querySelector('tr[data-user="admin"] button') as HTMLButtonElement).click());
    const edit = () => container.querySelector('[data-testid="edit-admin"]') as HTMLElement;
    expect(edit().textContent).toContain('(εσείς)');
    const disable = [...edit().querySelectorAll('button')].find((b) => b.textContent === 'Απενεργοποίηση')!;
    act(() => disable.click());
    await until(() => !!edit().querySelector('[role=alert]'));
    expect(edit().querySelector('[role=alert]')!.textContent).toBe('Δεν μπορείτε να απενεργοποιήσετε τον εαυτό σας· πρέπει να το κάνει άλλος διαχειριστής.');

    act(() => (edit().querySelector('input[name="crm:view"]') as HTMLInputElement).click());
    act(() => (edit().querySelector('form') as HTMLFormElement).requestSubmit());
    await until(() => !!edit().querySelector('[role=alert]')?.textContent?.includes('ενεργός διαχειριστής'));
    expect(edit().querySelector('[role=alert]')!.textContent).toBe('Πρέπει να μείνει τουλάχιστον ένας ενεργός διαχειριστής· η αλλαγή δεν έγινε.');

    const taken = new ApiError(409, 'user_exists', 'taken', undefined, '/api/admin/users');
    expect(errorSentence(taken, 'el')).toBe('Υπάρχει ήδη χρήστης με αυτό το όνομα.');
    const self = new ApiError(422, 'invalid_field', 'x', { field: 'username', reason: 'you cannot delete yourself: another administrator must' }, '/api/admin/users/admin');
    expect(errorSentence(self, 'el')).toBe('Δεν μπορείτε να διαγράψετε τον εαυτό σας· πρέπει να το κάνει άλλος διαχειριστής.');
  });
});

describe('integrations page', () => {
  const status: IntegrationStatus = {
    mail: [{ name: 'office', imap: true, smtp: true, folders: [{ account: 'office', folder: 'INBOX', last_uid: 40, on_server: 42, stored: 40, expunged: 0, gaps_found: 2, gaps_repaired: 1, gaps_failed: 1, last_sync_at: '2026-12-01T09:00:00Z', last_error: null }] }],
    whatsapp: { configured: true, last_webhook_at: '2026-12-01T08:00:00Z' },
    pbx: { configured: true, connected: false, last_error: 'connection refused' },
    nextcloud: { configured: true, reachable: true },
    queues: {
      inbound: [{ channel: 'whatsapp', pending: 0, failed: 1 }],
      attachments_pending: 0,
      attachments_failed: 1,
      failed: [{ kind: 'attachment', id: 7, source: 'whatsapp:MEDIA-1', attempts: 5, last_error: 'Graph answered 500', at: '2026-12-01T07:00:00Z' }],
    },
  } as IntegrationStatus;

  it('shows each integration and a failed job, retries it, syncs with a full check, and asks again every 10 s', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const asked: string[] = [];
    fetchMock.mockImplementation(async (req: Request) => {
      const p = new URL(req.url).pathname;
      asked.push(`${req.method} ${p}${req.method === 'POST' && p.endsWith('/sync') ? ' ' + (await req.text()) : ''}`);
      if (p === '/api/admin/integrations') return json(status);
      if (p === '/api/admin/jobs/attachment/7/retry') return json(null, 204);
      if (p === '/api/crm/email/sync') return json([]);
      return json({}, 404);
    });
    render(<Integrations />);
    await until(() => !!container.querySelector('[data-job="attachment-7"]'));
    const text = container.textContent!;
    expect(container.querySelector('tr[data-folder="INBOX"]')!.textContent).toContain('42');
    expect(container.querySelector('tr[data-folder="INBOX"]')!.textContent).toContain('2 / 1 / 1');
    expect(container.querySelector('[data-testid="nextcloud"]')!.textContent).toContain('Προσβάσιμο');
    expect(container.querySelector('[data-testid="pbx"]')!.textContent).toContain('Αποσυνδεδεμένο');
    expect(container.querySelector('[data-testid="pbx"]')!.textContent).toContain('connection refused');
    expect(text).toContain('Graph answered 500');

    const retry = container.querySelector('[data-job="attachment-7"] button') as HTMLButtonElement;
    expect(retry.textContent).toBe('Επανάληψη');
    act(() => retry.click());
    await until(() => container.textContent!.includes('Η εργασία μπήκε ξανά στην ουρά.'));
    expect(asked).toContain('POST /api/admin/jobs/attachment/7/retry');

    const full = [...container.querySelectorAll('button')].find((b) => b.textContent === 'Πλήρης έλεγχος')!;
    act(() => full.click());
    await until(() => container.textContent!.includes('Ο συγχρονισμός ολοκληρώθηκε.'));
    expect(asked).toContain('POST /api/crm/email/sync {"verify":true}');

    const before = asked.filter((a) => a === 'GET /api/admin/integrations').length;
    await act(async () => {
      vi.advanceTimersByTime(REFRESH_MS + 10);
    });
    await until(() => asked.filter((a) => a === 'GET /api/admin/integrations').length > before);
  });
});

describe('order files', () => {
  it('go into the customer folder under Orders/<number> and are listed with download links', async () => {
    expect(orderFolder('05_Customers/NAOS/', 'ORD-2026-007')).toBe('05_Customers/NAOS/Orders/ORD-2026-007');
    gateway({ username: 'maria', permissions: ['crm:view', 'crm:edit'] });
    const files = { items: [{ id: 'm1', filename: 'invoice.pdf', nextcloud_path: '05_Customers/NAOS/Orders/ORD-2026-007/invoice.pdf', direction: 'internal', tags: [], size: 1000, created_at: '2026-12-01T10:00:00Z', updated_at: '2026-12-01T10:00:00Z', version: 1 }], total: 1 };
    const base = fetchMock.getMockImplementation()!;
    fetchMock.mockImplementation(async (req) => (new URL(req.url).pathname === '/api/crm/media' ? json(files) : base(req)));
    render(<OrderFiles order={order} />, ['crm:view', 'crm:edit'], 'maria');
    await until(() => container.textContent!.includes('invoice.pdf'));
    expect(new URL(fetchMock.mock.calls.find(([r]) => r.url.includes('/api/crm/media'))![0].url).searchParams.get('order_id')).toBe(order.id);
    expect(container.textContent).toContain('05_Customers/NAOS/Orders/ORD-2026-007');
    expect(container.querySelector('input[type=file]')).not.toBeNull();
    expect(container.querySelector('[data-file="invoice.pdf"] button')!.textContent).toBe('invoice.pdf');
  });
});
