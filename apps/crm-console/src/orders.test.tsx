import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The console's `api` client captures fetch when its module loads: stub it first.
const fetchMock = vi.hoisted(() => {
  const m = vi.fn<(req: Request | string, init?: RequestInit) => Promise<Response>>();
  globalThis.fetch = m as unknown as typeof fetch;
  return m;
});

import type { Customer, Order } from './api/client';
import { I18nProvider } from './i18n';
import { EmailForm } from './pages/Comms';
import { CustomerDetail } from './pages/CustomerDetail';
import { OrderEditor, OrderList } from './pages/Orders';
import { ProductEditor } from './pages/Products';
import { AuthContext } from './ui';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
let root: Root;
beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  fetchMock.mockReset();
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
  window.history.replaceState(null, '', '/');
});

function render(node: React.ReactNode, canEdit = true) {
  act(() => {
    root.render(
      <I18nProvider initial="el">
        <AuthContext.Provider value={{ claims: { sub: 'maria', permissions: [] }, canEdit }}>{node}</AuthContext.Provider>
      </I18nProvider>,
    );
  });
}

async function until(cond: () => boolean, ms = 2000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await act(async () => {
      await new Promise((r) => setTimeout(r, 10));
    });
  }
}

const json = (body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json', ...headers } });
const urlOf = (r: Request | string) => new URL(typeof r === 'string' ? r : r.url, 'http://localhost');
const $ = <T extends Element = HTMLElement>(sel: string) => container.querySelector(sel) as T | null;
const text = (testId: string) => $(`[data-testid="${testId}"]`)?.textContent ?? '';
const digits = (s: string) => s.replace(/\D/g, '');

function type(el: Element | null, value: string) {
  if (!el) throw new Error('no such field');
  act(() => {
    const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
    el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
}
const click = (el: Element | null) => act(() => (el as HTMLElement | null)?.click());
const button = (label: string) => [...container.querySelectorAll('button')].find((b) => b.textContent?.includes(label)) ?? null;

const PRODUCT = {
  id: '00000000-0000-4000-8000-000000000001', name: 'VESPER', sku: 'VSP', category: 'controller', price: '12.30', currency: 'EUR', vat_rate: 24,
  costs: { pcb: '0', components: '0', enclosure: '0', labor_hours: '0', labor_rate: '0', shipping_in: '0', total: '0' },
  stock: { on_hand: 0, reserved: 0, available: 0 }, active: true, created_at: '2026-11-28T10:00:00Z', updated_at: '2026-11-28T10:00:00Z', version: 1,
};

function order(over: Partial<Order> = {}): Order {
  return {
    id: '00000000-0000-4000-8000-0000000000aa', order_number: 'ORD-2026-014', customer_id: '00000000-0000-4000-8000-0000000000cc',
    status: 'draft', payment_status: 'pending', currency: 'EUR', prices_include_vat: false,
    items: [
      { type: 'product', product_id: PRODUCT.id, product_name: 'VESPER', quantity: '2', unit_price: '12.30', vat_rate: 24, serial_numbers: [], line_total: '24.60', net_amount: '22.14', vat_amount: '5.31' },
      { type: 'freetext', description: 'Εγκατάσταση', quantity: '1', unit_price: '10', vat_rate: 13, serial_numbers: [], line_total: '10.00', net_amount: '9.00', vat_amount: '1.17' },
    ],
    discount: { type: 'percentage', value: '10', reason: null },
    subtotal: '34.60', discount_amount: '3.46', net_total: '31.14', vat_total: '6.48', total_price: '37.62',
    vat_breakdown: [{ rate: 24, net: '22.14', vat: '5.31' }, { rate: 13, net: '9.00', vat: '1.17' }],
    shipping: {}, status_history: [{ at: '2026-11-28T10:00:00Z', to: 'draft' }],
    created_at: '2026-11-28T10:00:00Z', updated_at: '2026-11-28T10:00:00Z', version: 1,
    ...over,
  } as Order;
}

/** Answers the editor's requests: the products, the customer's name, and `o` for the order. */
function serve(o: Order | null) {
  fetchMock.mockImplementation(async (req) => {
    const p = urlOf(req).pathname;
    if (p === '/api/crm/products') return json({ products: [PRODUCT], total: 1 });
    if (p.startsWith('/api/crm/customers/')) return json({ id: p.split('/').pop(), name: 'Ιερός Ναός Αγίου Νικολάου' });
    if (o && p === `/api/crm/orders/${o.id}`) return json(o, { etag: '"1"' });
    return json({ error: { code: 'not_found', message: '' } });
  });
}

describe('the order editor', () => {
  it('labels VAT, the prices basis and the summary as a Greek invoice does', async () => {
    serve(null);
    window.history.replaceState(null, '', '/orders/new?customer=00000000-0000-4000-8000-0000000000cc');
    render(<OrderEditor id={null} />);
    click(button('Προσθήκη είδους'));
    await until(() => $('select[aria-label="ΦΠΑ"]') !== null);
    const heads = [...container.querySelectorAll('th')].map((x) => x.textContent);
    expect(heads).toEqual(expect.arrayContaining(['ΦΠΑ', 'Ποσότητα', 'Τιμή μονάδας', 'Αξία']));
    const radios = [...container.querySelectorAll('.basis label')].map((x) => x.textContent?.trim());
    expect(radios).toEqual(['Τιμές χωρίς ΦΠΑ', 'Τιμές με ΦΠΑ']);
    const summary = () => [...container.querySelectorAll('.totals > div > span')].map((x) => x.firstChild?.textContent?.trim());
    expect(summary()).toEqual(['Σύνολο', 'Καθαρή αξία', 'ΦΠΑ 24 %', 'Σύνολο ΦΠΑ', 'Πληρωτέο']);
    const rates = [...container.querySelectorAll('select[aria-label="ΦΠΑ"] option')].map((x) => x.textContent);
    expect(rates).toEqual(['24 %', '13 %', '6 %', '0 %']);
    // the exemption reason only at 0 %
    expect($('input[aria-label="Αιτία απαλλαγής"]')).toBeNull();
    type($('select[aria-label="ΦΠΑ"]'), '0');
    expect($<HTMLInputElement>('input[aria-label="Αιτία απαλλαγής"]')?.placeholder).toBe('Αιτία απαλλαγής');
    type($('select[aria-label="ΦΠΑ"]'), '13');
    expect($('input[aria-label="Αιτία απαλλαγής"]')).toBeNull();
  });

  it('updates line amounts, VAT per rate and the payable total as the user types', async () => {
    serve(null);
    window.history.replaceState(null, '', '/orders/new?customer=00000000-0000-4000-8000-0000000000cc');
    render(<OrderEditor id={null} />);
    click(button('Προσθήκη είδους'));
    click(button('Προσθήκη είδους'));
    await until(() => container.querySelector('select[aria-label="Προϊόν"] option[value="' + PRODUCT.id + '"]') !== null);
    const rows = () => [...container.querySelectorAll('table.items tbody tr')];
    type(rows()[0]!.querySelector('select[aria-label="Προϊόν"]'), PRODUCT.id);
    expect(rows()[0]!.querySelector<HTMLSelectElement>('select[aria-label="ΦΠΑ"]')?.value).toBe('24'); // the product's rate
    type(rows()[0]!.querySelector('input[aria-label="Ποσότητα"]'), '2');
    expect(text('line-0')).toBe('24,60\u00a0€');
    type(rows()[1]!.querySelector('select[aria-label="Τύπος"]'), 'freetext');
    type(rows()[1]!.querySelector('input[aria-label="Περιγραφή"]'), 'Εγκατάσταση');
    type(rows()[1]!.querySelector('input[aria-label="Τιμή μονάδας"]'), '10');
    type(rows()[1]!.querySelector('select[aria-label="ΦΠΑ"]'), '13');
    type($('select[name="discount.type"]'), 'percentage');
    type($('input[name="discount.value"]'), '10');
    expect($('[data-testid="totals"]')?.getAttribute('data-source')).toBe('live');
    expect(digits(text('subtotal'))).toBe('3460');
    expect(digits(text('discount'))).toBe('346');
    expect(digits(text('vat-24'))).toBe('531');
    expect(digits(text('vat-13'))).toBe('117');
    expect(digits(text('total'))).toBe('3762');
    // the quantity typed the Greek way: 2,5 × 12,30 = 30,75
    type(rows()[0]!.querySelector('input[aria-label="Ποσότητα"]'), '2,5');
    expect(text('line-0')).toBe('30,75\u00a0€');
    // a fixed discount above the subtotal is named in words, as the server would
    type($('select[name="discount.type"]'), 'fixed');
    type($('input[name="discount.value"]'), '1.000');
    expect(text('preview-error')).toBe('Η έκπτωση δεν μπορεί να ξεπερνά το σύνολο.');
    expect(text('total')).toBe('—');
  });

  it("shows the server's figures once saved and marks a difference from the preview", async () => {
    // the server says 37.63 where the preview computes 37.62: shown, and flagged
    const o = order({ total_price: '37.63', vat_total: '6.49' });
    serve(o);
    render(<OrderEditor id={o.id} />);
    await until(() => text('total') !== '');
    expect($('[data-testid="totals"]')?.getAttribute('data-source')).toBe('server');
    expect(digits(text('total'))).toBe('3763');
    expect(text('totals-mismatch')).toContain('37,62');
    expect(text('totals-mismatch')).toContain('ισχύει του διακομιστή');
  });

  it('shows no difference when the preview agrees with the server', async () => {
    const o = order();
    serve(o);
    render(<OrderEditor id={o.id} />);
    await until(() => text('total') !== '');
    expect(digits(text('total'))).toBe('3762');
    expect($('[data-testid="totals-mismatch"]')).toBeNull();
    // typing switches back to the live preview
    type(container.querySelectorAll('input[aria-label="Ποσότητα"]')[0] ?? null, '3');
    expect($('[data-testid="totals"]')?.getAttribute('data-source')).toBe('live');
  });

  it('downloads the quotation PDF with the name the server gives, and says a failure in Greek', async () => {
    const o = order();
    serve(o);
    const created: string[] = [];
    const clicked: string[] = [];
    URL.createObjectURL = vi.fn(() => {
      created.push('blob:1');
      return 'blob:1';
    });
    URL.revokeObjectURL = vi.fn();
    const orig = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    };
    try {
      render(<OrderEditor id={o.id} />);
      await until(() => button('Προσφορά (PDF)') !== null);
      expect(button('Επιβεβαίωση (PDF)')).not.toBeNull();
      fetchMock.mockImplementationOnce(async (req) => {
        expect(urlOf(req).pathname + urlOf(req).search).toBe(`/api/crm/orders/${o.id}/document?kind=quotation`);
        return new Response(new Blob(['%PDF-1.7']), { headers: { 'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="Prosfora-ORD-2026-014.pdf"' } });
      });
      click(button('Προσφορά (PDF)'));
      await until(() => clicked.length > 0);
      expect(clicked).toEqual(['Prosfora-ORD-2026-014.pdf']);
      expect(created).toHaveLength(1);
      fetchMock.mockImplementationOnce(async () => new Response(JSON.stringify({ error: { code: 'internal', message: 'render failed' } }), { status: 500, headers: { 'content-type': 'application/json' } }));
      click(button('Επιβεβαίωση (PDF)'));
      await until(() => $('.documents [role=alert]') !== null);
      expect($('.documents [role=alert]')?.textContent).toBe('Το PDF δεν δημιουργήθηκε· δοκιμάστε ξανά σε λίγο.');
    } finally {
      HTMLAnchorElement.prototype.click = orig;
    }
  });
});

describe('the order list', () => {
  it('searches by number or customer as the user types', async () => {
    fetchMock.mockImplementation(async (req) => {
      const u = urlOf(req);
      if (u.pathname.startsWith('/api/crm/customers/')) return json({ name: 'Ιερός Ναός Αγίου Νικολάου' });
      const q = u.searchParams.get('search');
      return json({ orders: q === '014' ? [order()] : [], total: q === '014' ? 1 : 0 });
    });
    render(<OrderList />);
    const input = $<HTMLInputElement>('input[type=search]');
    expect(input?.placeholder).toBe('Αριθμός ή πελάτης');
    type(input, '014');
    await until(() => $('.orders[data-query="014"]') !== null);
    expect(container.textContent).toContain('ORD-2026-014');
    const asked = fetchMock.mock.calls.map(([r]) => urlOf(r).searchParams.get('search'));
    expect(asked).toContain('014');
  });
});

describe("a customer's owned items", () => {
  it('takes the quantity as a Greek whole number in a text field, not a browser number field', async () => {
    const c = {
      id: crypto.randomUUID(), name: 'Ι.Ν. Αγίου Δημητρίου', contacts: [], notes: [], location: {}, language: 'el', tags: [], linked_user_ids: [],
      owned_items: [{ type: 'product', product_id: PRODUCT.id, product_name: 'VESPER', quantity: 1200, serial_numbers: [] }],
      created_at: '2026-11-28T10:00:00Z', updated_at: '2026-11-28T10:00:00Z', version: 1,
    } as unknown as Customer;
    const puts: unknown[] = [];
    fetchMock.mockImplementation(async (req) => {
      const p = urlOf(req).pathname;
      if (p === '/api/crm/products') return json({ products: [PRODUCT], total: 1 });
      if (typeof req !== 'string' && req.method === 'PUT') {
        puts.push(await req.json());
        return json(c, { etag: '"2"' });
      }
      return json(c, { etag: '"1"' });
    });
    window.history.replaceState(null, '', `/customers/${c.id}?tab=owned`);
    render(<CustomerDetail id={c.id} />);
    await until(() => $('.owned input[name="quantity"]') !== null);
    const q = $<HTMLInputElement>('.owned input[name="quantity"]')!;
    expect(q.type).toBe('text');
    expect(q.inputMode).toBe('numeric');
    expect(q.value).toBe('1.200');
    expect(q.closest('label')?.querySelector('span')?.textContent).toBe('Ποσότητα');
    type(q, '2.500');
    expect(q.getAttribute('aria-invalid')).toBe('false');
    type(q, '0');
    expect(q.getAttribute('aria-invalid')).toBe('true');
    type(q, '2.500');
    click(button('Αποθήκευση'));
    await until(() => puts.length > 0);
    expect((puts[0] as { owned_items: { quantity: number }[] }).owned_items[0]?.quantity).toBe(2500);
  });
});

describe('an e-mail to the customer', () => {
  it("offers the customer's order documents as attachments and sends the chosen ones", async () => {
    const cid = '00000000-0000-4000-8000-0000000000cc';
    const sent: unknown[] = [];
    fetchMock.mockImplementation(async (req) => {
      const u = urlOf(req);
      if (typeof req !== 'string' && req.method === 'POST') {
        sent.push(await req.json());
        return new Response(JSON.stringify({ entry: {}, message_id: 'm1' }), { status: 201, headers: { 'content-type': 'application/json' } });
      }
      if (u.pathname === '/api/crm/orders') return json({ orders: [order()], total: 1 });
      return json({ id: cid, name: 'Ιερός Ναός', contacts: [{ type: 'phone', value: '6912345678', primary: true }, { type: 'email', value: 'naos@example.gr', primary: true }] });
    });
    const onSent = vi.fn();
    render(<EmailForm customerId={cid} onSent={onSent} />);
    click(button('Νέο e-mail'));
    await until(() => container.querySelectorAll('.attach-documents label').length > 0);
    const labels = [...container.querySelectorAll('.attach-documents label')].map((l) => l.textContent?.trim());
    expect(labels).toEqual(['Προσφορά ORD-2026-014', 'Επιβεβαίωση ORD-2026-014']);
    expect($<HTMLInputElement>('input[name="to"]')?.value).toBe('naos@example.gr');
    type($('input[name="subject"]'), 'Η προσφορά μας');
    act(() => {
      const ta = $<HTMLTextAreaElement>('textarea[name="text"]')!;
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set?.call(ta, 'Σας στέλνουμε την προσφορά.');
      ta.dispatchEvent(new Event('input', { bubbles: true }));
    });
    click(container.querySelector('.attach-documents input[type=checkbox]'));
    act(() => $<HTMLFormElement>('form.email-form')?.requestSubmit());
    await until(() => sent.length > 0);
    expect(sent[0]).toMatchObject({ customer_id: cid, to: ['naos@example.gr'], subject: 'Η προσφορά μας', order_documents: [{ order_id: order().id, kind: 'quotation' }] });
    await until(() => container.textContent?.includes('Στάλθηκε.') ?? false);
    expect(onSent).toHaveBeenCalled();
  });
});

describe('the product form', () => {
  it('has a ΦΠΑ select for the default rate of the product\'s order lines, 24 % unless changed', async () => {
    const posted: unknown[] = [];
    fetchMock.mockImplementation(async (req) => {
      if (typeof req !== 'string' && req.method === 'POST') {
        posted.push(await req.json());
        return new Response(JSON.stringify({ ...PRODUCT, vat_rate: 13 }), { status: 201, headers: { 'content-type': 'application/json', etag: '"1"' } });
      }
      return json(PRODUCT, { etag: '"1"' });
    });
    render(<ProductEditor id={null} />);
    await until(() => $('select[name="vat_rate"]') !== null);
    const select = $<HTMLSelectElement>('select[name="vat_rate"]')!;
    expect(select.closest('label')?.querySelector('span')?.textContent).toBe('ΦΠΑ');
    expect(select.value).toBe('24');
    expect([...select.options].map((o) => o.textContent)).toEqual(['24 %', '13 %', '6 %', '0 %']);
    type(select, '13');
    type($('input[name="name"]'), 'Κρουστήρας');
    type($('input[name="sku"]'), 'KR-1');
    act(() => select.form?.requestSubmit());
    await until(() => posted.length > 0);
    expect((posted[0] as { vat_rate: number }).vat_rate).toBe(13);
  });
});
