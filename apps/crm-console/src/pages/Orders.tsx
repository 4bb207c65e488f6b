import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, asDoc, call, fetchFile, fetchOrderDocument, ifMatch, saveBlob, uploadFile, type Customer, type DocumentKind, type Order, type Schemas } from '../api/client';
import { errorSentence, isNotConfigured } from '../errors';
import { formatBytes, formatDateTime, formatMoney, formatNumber, useI18n } from '../i18n';
import { centsToDecimal, lineTotal, price, PricingError, toCents, VAT_RATES, type Priced, type VatRate } from '../pricing';
import { Link, navigate, useLocation } from '../router';
import { ConfirmButton, decimalInput, ErrorBox, Field, greekDecimal, Notice, onSaveError, Pager, parseDecimal, splitList, useAuth, useLoad } from '../ui';
import { SEARCH_DEBOUNCE_MS, useDebounced } from './Customers';
import { useAdminText } from '../admin/strings';
import { SerialLinks } from '../tickets/serials';

export const STATUSES: Schemas['Status'][] = ['draft', 'confirmed', 'in_production', 'shipped', 'delivered', 'cancelled'];
export const PAYMENT: Schemas['PaymentStatus'][] = ['pending', 'partial', 'paid', 'refunded'];
/** The moves the server allows (crm-orders `Status::next`); the server still decides. */
export const NEXT: Record<Schemas['Status'], Schemas['Status'][]> = {
  draft: ['confirmed', 'cancelled'],
  confirmed: ['draft', 'in_production', 'shipped', 'cancelled'],
  in_production: ['shipped', 'cancelled'],
  shipped: ['delivered', 'cancelled'],
  delivered: [],
  cancelled: [],
};
const LIMIT = 50;

const names = new Map<string, Promise<string>>();
/** A customer's name, fetched once per session page. */
function useCustomerName(id: string | null | undefined): string {
  const [name, setName] = useState('');
  useEffect(() => {
    if (!id) return;
    let p = names.get(id);
    if (!p) {
      p = call(api.GET('/api/crm/customers/{id}', { params: { path: { id } } })).then((a) => a.data.name, () => '?');
      names.set(id, p);
    }
    let live = true;
    void p.then((n) => live && setName(n));
    return () => { live = false; };
  }, [id]);
  return name;
}

/** Orders as a list, each linking to its page; with `showCustomer`, a column names the customer. */
export function OrderTable({ orders, showCustomer }: { orders: Order[]; showCustomer?: boolean }) {
  const { t, tr } = useI18n();
  return (
    <table className="list">
      <thead><tr><th>{t.orderNumber}</th>{showCustomer && <th>{t.customer}</th>}<th>{t.status}</th><th>{t.payment_status}</th><th className="num">{t.payable}</th><th>{t.date}</th></tr></thead>
      <tbody>
        {orders.map((o) => (
          <tr key={o.id}>
            <td><Link to={`/orders/${o.id}`}>{o.order_number}</Link></td>
            {showCustomer && <td><CustomerName id={o.customer_id} /></td>}
            <td><span className={`status st-${o.status}`}>{tr('st_', o.status)}</span></td>
            <td>{tr('pay_', o.payment_status)}</td>
            <td className="num">{formatMoney(o.total_price, o.currency)}</td>
            <td>{formatDateTime(o.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CustomerName({ id }: { id: string }) {
  const name = useCustomerName(id);
  return <Link to={`/customers/${id}`}>{name || '…'}</Link>;
}

export function OrderList() {
  const { t, tr } = useI18n();
  const { canEdit } = useAuth();
  const [status, setStatus] = useState<Schemas['Status'] | ''>('');
  const [payment, setPayment] = useState<Schemas['PaymentStatus'] | ''>('');
  const [offset, setOffset] = useState(0);
  const [search, setSearch] = useState('');
  const w = useAdminText();
  const q = useDebounced(search.trim(), SEARCH_DEBOUNCE_MS);
  // Search as you type: 60 ms after the last keystroke; useLoad aborts the request in flight.
  const list = useLoad(
    (signal) =>
      call(api.GET('/api/crm/orders', { params: { query: { limit: LIMIT, offset, ...(status ? { status } : {}), ...(payment ? { payment_status: payment } : {}), ...(q ? { search: q } : {}) } }, signal })).then((a) => ({ ...a.data, q })),
    [status, payment, offset, q],
  );
  return (
    <section>
      <div className="toolbar">
        <h1>{t.orders}</h1>
        <input
          type="search"
          className="grow"
          name="order-search"
          placeholder={t.searchOrders}
          aria-label={t.searchOrders}
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setOffset(0);
          }}
        />
        <select name="payment-filter" aria-label={t.payment_status} value={payment} onChange={(e) => { setPayment(e.target.value as Schemas['PaymentStatus'] | ''); setOffset(0); }}>
          <option value="">{w.allPayments}</option>
          {PAYMENT.map((p) => <option key={p} value={p}>{tr('pay_', p)}</option>)}
        </select>
        {canEdit && <Link to="/orders/new" className="button primary">+ {t.newOrder}</Link>}
      </div>
      <nav className="tabs">
        {(['', ...STATUSES] as const).map((s) => (
          <button key={s} type="button" className={s === status ? 'active' : ''} onClick={() => { setStatus(s); setOffset(0); }}>
            {s ? tr('st_', s) : t.allFem}
          </button>
        ))}
      </nav>
      <ErrorBox error={list.error} />
      {list.data && (
        <>
          <div className="orders" data-query={list.data.q}>
            <OrderTable orders={list.data.orders} showCustomer />
          </div>
          {list.data.orders.length === 0 && <p className="muted">{t.none}</p>}
          <Pager offset={offset} limit={LIMIT} total={list.data.total} onChange={setOffset} />
        </>
      )}
    </section>
  );
}

interface ItemRow {
  type: Schemas['ItemType']; product_id: string; product_name: string; description: string; quantity: string; unit_price: string; serials: string;
  vat_rate: VatRate; vat_exemption: string;
}
interface OrderForm {
  customer_id: string; currency: string; items: ItemRow[]; prices_include_vat: boolean;
  discountType: '' | Schemas['DiscountType']; discountValue: string; discountReason: string;
  method: string; carrier: string; tracking_number: string; destination: string; shipped_at: string; delivered_at: string;
  payment_status: Schemas['PaymentStatus']; invoice_path: string; notes: string;
}
const s = (v: unknown) => (v === null || v === undefined ? '' : String(v));

function toForm(o: Order | null, customerId: string): OrderForm {
  return {
    customer_id: o?.customer_id ?? customerId,
    currency: o?.currency ?? 'EUR',
    items: (o?.items ?? []).map((i) => ({
      type: i.type, product_id: s(i.product_id), product_name: s(i.product_name), description: s(i.description),
      quantity: greekDecimal(i.quantity), unit_price: greekDecimal(i.unit_price), serials: i.serial_numbers.join(', '),
      vat_rate: i.vat_rate ?? 24, vat_exemption: s(i.vat_exemption),
    })),
    prices_include_vat: o?.prices_include_vat ?? false,
    discountType: o?.discount?.type ?? '', discountValue: greekDecimal(o?.discount?.value), discountReason: s(o?.discount?.reason),
    method: s(o?.shipping.method), carrier: s(o?.shipping.carrier), tracking_number: s(o?.shipping.tracking_number), destination: s(o?.shipping.destination),
    shipped_at: s(o?.shipping.shipped_at), delivered_at: s(o?.shipping.delivered_at),
    payment_status: o?.payment_status ?? 'pending', invoice_path: s(o?.invoice_path), notes: s(o?.notes),
  };
}

const orNull = (v: string) => (v.trim() === '' ? null : v.trim());

function toBody(f: OrderForm): Schemas['OrderPatch'] {
  return {
    customer_id: f.customer_id,
    currency: f.currency.trim() || 'EUR',
    items: f.items.map((i) => ({
      type: i.type,
      product_id: i.type === 'product' ? orNull(i.product_id) : null,
      product_name: orNull(i.product_name),
      description: orNull(i.description),
      quantity: parseDecimal(i.quantity) || '1',
      unit_price: parseDecimal(i.unit_price) || '0',
      serial_numbers: splitList(i.serials),
      vat_rate: i.vat_rate,
      vat_exemption: i.vat_rate === 0 ? orNull(i.vat_exemption) : null,
    })),
    prices_include_vat: f.prices_include_vat,
    discount: f.discountType ? { type: f.discountType, value: parseDecimal(f.discountValue) || '0', reason: orNull(f.discountReason) } : null,
    shipping: { method: orNull(f.method), carrier: orNull(f.carrier), tracking_number: orNull(f.tracking_number), destination: orNull(f.destination), shipped_at: orNull(f.shipped_at), delivered_at: orNull(f.delivered_at) },
    payment_status: f.payment_status,
    invoice_path: orNull(f.invoice_path),
    notes: orNull(f.notes),
  };
}

/** The amounts the order editor shows, in cents: the live preview's or the server's. */
export interface Figures {
  lines: (bigint | null)[];
  subtotal: bigint;
  discount_amount: bigint;
  vat_breakdown: { rate: VatRate; net: bigint; vat: bigint }[];
  net_total: bigint;
  vat_total: bigint;
  total_price: bigint;
}

/** The form's amounts by the server's rules (pricing.ts), or the field the server would refuse. */
export function preview(f: OrderForm): { figures: Figures } | { field: string; reason: string } {
  const body = toBody(f);
  try {
    const p: Priced = price({
      items: (body.items ?? []).map((i, k) => ({ quantity: String(i.quantity), unit_price: String(i.unit_price), vat_rate: f.items[k]?.vat_rate ?? 24 })),
      discount: body.discount ? { type: body.discount.type, value: String(body.discount.value) } : null,
      prices_include_vat: f.prices_include_vat,
    });
    return { figures: { ...p, lines: p.items.map((i) => i.line_total) } };
  } catch (e) {
    if (e instanceof PricingError) return { field: e.field, reason: e.reason };
    throw e;
  }
}

/** The server's amounts of a saved order, in cents. */
export function serverFigures(o: Order): Figures {
  const c = (v: string | number | null | undefined) => toCents(v) ?? 0n;
  return {
    lines: o.items.map((i) => toCents(i.line_total)),
    subtotal: c(o.subtotal),
    discount_amount: c(o.discount_amount),
    vat_breakdown: (o.vat_breakdown ?? []).map((v) => ({ rate: v.rate, net: c(v.net), vat: c(v.vat) })),
    net_total: c(o.net_total),
    vat_total: c(o.vat_total),
    total_price: c(o.total_price),
  };
}

/** Whether two sets of figures differ anywhere. */
function differ(a: Figures, b: Figures): boolean {
  const key = (f: Figures) =>
    JSON.stringify([f.lines, f.subtotal, f.discount_amount, f.vat_breakdown.map((v) => [v.rate, v.net, v.vat]), f.net_total, f.vat_total, f.total_price], (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
  return key(a) !== key(b);
}

const money = (c: bigint | null | undefined, currency: string) => (c === null || c === undefined ? '—' : formatMoney(centsToDecimal(c), currency));

/** The two PDF buttons of a saved order: a quotation and an order confirmation, downloaded with the token. */
function DocumentButtons({ order }: { order: Order }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState<DocumentKind | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function download(kind: DocumentKind) {
    setBusy(kind);
    setError(null);
    try {
      const { blob, filename } = await fetchOrderDocument(order.id, kind);
      saveBlob(blob, filename);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }
  return (
    <div className="documents">
      <button type="button" data-testid="pdf-quotation" disabled={busy !== null} onClick={() => void download('quotation')}>{t.quotationPdf}</button>{' '}
      <button type="button" data-testid="pdf-confirmation" disabled={busy !== null} onClick={() => void download('confirmation')}>{t.confirmationPdf}</button>
      <ErrorBox error={error} />
    </div>
  );
}

function CustomerPicker({ value, onPick }: { value: string; onPick: (c: Customer) => void }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const dq = useDebounced(q.trim(), 120);
  const name = useCustomerName(value);
  const found = useLoad(
    (signal) => (dq ? call(api.GET('/api/crm/customers', { params: { query: { search: dq, limit: 8 } }, signal })).then((a) => a.data.customers) : Promise.resolve([])),
    [dq],
  );
  return (
    <div className="picker">
      {value && <strong className="picked">{name || '…'}</strong>}
      <input type="search" placeholder={t.chooseCustomer} aria-label={t.chooseCustomer} value={q} onChange={(e) => setQ(e.target.value)} />
      {q && found.data && (
        <ul className="suggestions">
          {found.data.map((c) => (
            <li key={c.id}><button type="button" onClick={() => { onPick(c); setQ(''); }}>{c.name}{c.organization ? ` — ${c.organization}` : ''}</button></li>
          ))}
          {found.data.length === 0 && <li className="muted">{t.none}</li>}
        </ul>
      )}
    </div>
  );
}

export function OrderEditor({ id }: { id: string | null }) {
  const { t, tr } = useI18n();
  const { canEdit } = useAuth();
  const { query } = useLocation();
  const [rec, setRec] = useState<{ o: Order; etag: string | null } | null>(null);
  const [form, setForm] = useState<OrderForm>(toForm(null, query.get('customer') ?? ''));
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const products = useLoad((signal) => call(api.GET('/api/crm/products', { params: { query: { limit: 500, active: true } }, signal })).then((a) => a.data.products), []);

  const fetchOne = async (signal?: AbortSignal) => {
    if (!id) return;
    const a = await call(api.GET('/api/crm/orders/{id}', { params: { path: { id } }, ...(signal ? { signal } : {}) }));
    setRec({ o: a.data, etag: a.etag });
    setForm(toForm(a.data, ''));
  };
  const loaded = useLoad((signal) => fetchOne(signal), [id]);

  async function put(body: Schemas['OrderPatch']) {
    if (!rec) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const a = await call(api.PUT('/api/crm/orders/{id}', { params: { path: { id: rec.o.id }, header: { 'If-Match': ifMatch(rec.o, rec.etag) } }, body }));
      setRec({ o: a.data, etag: a.etag });
      setForm(toForm(a.data, ''));
      setNotice(t.saved);
    } catch (err) {
      await onSaveError(err, t.conflict, () => fetchOne(), setError);
    } finally {
      setBusy(false);
    }
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    if (rec) return put(toBody(form));
    setBusy(true);
    setError(null);
    try {
      const a = await call(api.POST('/api/crm/orders', { body: asDoc<Schemas['NewOrder']>(toBody(form)) }));
      navigate(`/orders/${a.data.id}`, true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!rec) return;
    try {
      await call(api.DELETE('/api/crm/orders/{id}', { params: { path: { id: rec.o.id }, header: { 'If-Match': ifMatch(rec.o, rec.etag) } } }));
      navigate('/orders');
    } catch (err) {
      setError(err);
    }
  }

  const set = <K extends keyof OrderForm>(k: K, v: OrderForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const setItem = (i: number, patch: Partial<ItemRow>) => setForm((f) => ({ ...f, items: f.items.map((x, j) => (j === i ? { ...x, ...patch } : x)) }));
  const o = rec?.o;
  const live = useMemo(() => preview(form), [form]);
  const savedForm = useMemo(() => (o ? JSON.stringify(toForm(o, '')) : null), [o]);
  if (id && !o) return loaded.error ? <ErrorBox error={loaded.error} /> : <p>{t.loading}</p>;
  const cur = o?.currency ?? form.currency;
  // Serials saved on the order link to their device's history (typed, unsaved ones do not yet).
  const savedSerials = new Set(o?.items.flatMap((i) => i.serial_numbers) ?? []);
  // Unchanged since saved: the server's figures (authoritative), with any difference from the
  // preview marked; otherwise the live preview by the same rules.
  const dirty = !o || JSON.stringify(form) !== savedForm;
  const server = o && !dirty ? serverFigures(o) : null;
  const liveFigures = 'figures' in live ? live.figures : null;
  const shown = server ?? liveFigures;
  const mismatch = server && liveFigures && differ(server, liveFigures) ? liveFigures : null;
  const lineAmount = (i: number): bigint | null => {
    if (shown) return shown.lines[i] ?? null;
    const it = form.items[i];
    return it ? lineTotal(parseDecimal(it.quantity) || '1', parseDecimal(it.unit_price) || '0') : null;
  };
  const liveError = !server && 'field' in live ? errorSentence(new ApiError(422, 'invalid_field', '', { field: live.field, reason: live.reason }, '/api/crm/orders'), t.langCode) : null;

  return (
    <section>
      <div className="toolbar">
        <Link to="/orders">‹ {t.orders}</Link>
        <h1>{o ? `${t.order} ${o.order_number}` : t.newOrder}</h1>
        {o && <span className={`status st-${o.status}`}>{tr('st_', o.status)}</span>}
      </div>
      {o && <DocumentButtons order={o} />}
      <form className="card form" onSubmit={save}>
        <fieldset disabled={!canEdit || busy}>
          <div className="grid">
            <Field label={t.customer} wide>
              {o ? <CustomerName id={o.customer_id} /> : <CustomerPicker value={form.customer_id} onPick={(c) => set('customer_id', c.id)} />}
            </Field>
          </div>
          <h2>{t.items}</h2>
          <div className="basis" role="radiogroup" aria-label={t.vat}>
            <label><input type="radio" name="prices_include_vat" value="net" checked={!form.prices_include_vat} onChange={() => set('prices_include_vat', false)} /> {t.pricesNet}</label>
            <label><input type="radio" name="prices_include_vat" value="gross" checked={form.prices_include_vat} onChange={() => set('prices_include_vat', true)} /> {t.pricesGross}</label>
          </div>
          <table className="list items">
            <thead>
              <tr><th>{t.type}</th><th>{t.product} / {t.description}</th><th className="num">{t.quantity}</th><th className="num">{t.unit_price}</th><th>{t.vat}</th><th>{t.serial_numbers}</th><th className="num">{t.amount}</th><th /></tr>
            </thead>
            <tbody>
              {form.items.map((it, i) => (
                <tr key={i}>
                  <td>
                    <select aria-label={t.type} value={it.type} onChange={(e) => setItem(i, { type: e.target.value as Schemas['ItemType'] })}>
                      {(['product', 'service', 'freetext'] as const).map((x) => <option key={x} value={x}>{tr('it_', x)}</option>)}
                    </select>
                  </td>
                  <td>
                    {it.type === 'product' ? (
                      <select
                        aria-label={t.product}
                        value={it.product_id}
                        onChange={(e) => {
                          const p = products.data?.find((x) => x.id === e.target.value);
                          setItem(i, { product_id: e.target.value, product_name: p?.name ?? '', unit_price: p ? greekDecimal(p.price) : it.unit_price, vat_rate: p ? (p.vat_rate ?? 24) : it.vat_rate });
                        }}
                      >
                        <option value="">{it.product_name || t.chooseProduct}</option>
                        {products.data?.map((p) => <option key={p.id} value={p.id}>{p.name} ({p.sku})</option>)}
                      </select>
                    ) : (
                      <input aria-label={t.description} value={it.description} onChange={(e) => setItem(i, { description: e.target.value })} required />
                    )}
                  </td>
                  <td className="num"><input aria-label={t.quantity} className="short" inputMode="decimal" value={it.quantity} onChange={(e) => setItem(i, { quantity: decimalInput(e.target.value) })} required /></td>
                  <td className="num"><input aria-label={t.unit_price} className="short" inputMode="decimal" value={it.unit_price} onChange={(e) => setItem(i, { unit_price: decimalInput(e.target.value) })} required /></td>
                  <td className="vat">
                    <select aria-label={t.vat} value={it.vat_rate} onChange={(e) => setItem(i, { vat_rate: Number(e.target.value) as VatRate })}>
                      {VAT_RATES.map((r) => <option key={r} value={r}>{r} %</option>)}
                    </select>
                    {it.vat_rate === 0 && (
                      <input aria-label={t.vatExemption} placeholder={t.vatExemption} title={t.vatExemptionHint} value={it.vat_exemption} onChange={(e) => setItem(i, { vat_exemption: e.target.value })} required />
                    )}
                  </td>
                  <td>
                    <input aria-label={t.serial_numbers} value={it.serials} placeholder={t.serialsHint} onChange={(e) => setItem(i, { serials: e.target.value })} />
                    <SerialLinks serials={splitList(it.serials).filter((x) => savedSerials.has(x))} />
                  </td>
                  <td className="num" data-testid={`line-${i}`}>
                    {money(lineAmount(i), cur)}
                    {mismatch && mismatch.lines[i] !== lineAmount(i) && <small className="differs" title={t.lineDiffers(money(mismatch.lines[i], cur))}> *</small>}
                  </td>
                  <td>{canEdit && <button type="button" onClick={() => set('items', form.items.filter((_, j) => j !== i))}>✕</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {canEdit && (
            <button type="button" onClick={() => set('items', [...form.items, { type: 'product', product_id: '', product_name: '', description: '', quantity: '1', unit_price: '', serials: '', vat_rate: 24, vat_exemption: '' }])}>
              + {t.addItem}
            </button>
          )}
          <div className="grid">
            <Field label={t.discount}>
              <select name="discount.type" value={form.discountType} onChange={(e) => set('discountType', e.target.value as OrderForm['discountType'])}>
                <option value="">{t.discountNone}</option>
                <option value="percentage">{t.percentage}</option>
                <option value="fixed">{t.fixed}</option>
              </select>
            </Field>
            {form.discountType && (
              <>
                <Field label={t.value}><input name="discount.value" inputMode="decimal" value={form.discountValue} onChange={(e) => set('discountValue', decimalInput(e.target.value))} /></Field>
                <Field label={t.reason}><input name="discount.reason" value={form.discountReason} onChange={(e) => set('discountReason', e.target.value)} /></Field>
              </>
            )}
          </div>
          <div className="totals" data-testid="totals" data-source={server ? 'server' : 'live'}>
            <div><span>{t.total}</span><output data-testid="subtotal">{money(shown?.subtotal, cur)}</output></div>
            {form.discountType && (
              <div>
                <span>{t.discount}{form.discountType === 'percentage' && form.discountValue ? ` ${formatNumber(parseDecimal(form.discountValue))} %` : ''}</span>
                <output data-testid="discount">{shown ? `−${money(shown.discount_amount, cur)}` : '—'}</output>
              </div>
            )}
            <div><span>{t.netTotal}</span><output data-testid="net-total">{money(shown?.net_total, cur)}</output></div>
            {shown?.vat_breakdown.map((v) => (
              <div key={v.rate}>
                <span>{t.vatAt(v.rate)} <small className="muted">({money(v.net, cur)})</small></span>
                <output data-testid={`vat-${v.rate}`}>{money(v.vat, cur)}</output>
              </div>
            ))}
            <div><span>{t.vatTotal}</span><output data-testid="vat-total">{money(shown?.vat_total, cur)}</output></div>
            <div className="grand"><span>{t.payable}</span><output data-testid="total">{money(shown?.total_price, cur)}</output></div>
            {liveError && <div className="warning" data-testid="preview-error">{liveError}</div>}
            {mismatch && server && (
              <div className="warning" role="status" data-testid="totals-mismatch">{t.totalsDiffer(money(mismatch.total_price, cur), money(server.total_price, cur))}</div>
            )}
            <small className="muted">{server ? t.savedFigures : t.livePreview}</small>
          </div>
          <h2>{t.shipping}</h2>
          <div className="grid">
            <Field label={t.method}><input name="shipping.method" value={form.method} onChange={(e) => set('method', e.target.value)} /></Field>
            <Field label={t.carrier}><input name="shipping.carrier" value={form.carrier} onChange={(e) => set('carrier', e.target.value)} /></Field>
            <Field label={t.tracking_number}><input name="shipping.tracking_number" value={form.tracking_number} onChange={(e) => set('tracking_number', e.target.value)} /></Field>
            <Field label={t.destination}><input name="shipping.destination" value={form.destination} onChange={(e) => set('destination', e.target.value)} /></Field>
            {o?.shipping.shipped_at && <Field label={t.shipped_at}><output>{formatDateTime(o.shipping.shipped_at)}</output></Field>}
            {o?.shipping.delivered_at && <Field label={t.delivered_at}><output>{formatDateTime(o.shipping.delivered_at)}</output></Field>}
          </div>
          <div className="grid">
            <Field label={t.payment_status}>
              <select name="payment_status" value={form.payment_status} onChange={(e) => set('payment_status', e.target.value as Schemas['PaymentStatus'])}>
                {PAYMENT.map((p) => <option key={p} value={p}>{tr('pay_', p)}</option>)}
              </select>
            </Field>
            <Field label={t.invoice_path}><input name="invoice_path" value={form.invoice_path} onChange={(e) => set('invoice_path', e.target.value)} /></Field>
            <Field label={t.notes} wide><textarea name="notes" value={form.notes} onChange={(e) => set('notes', e.target.value)} /></Field>
          </div>
        </fieldset>
        <ErrorBox error={error} />
        {notice && <Notice>{notice}</Notice>}
        {canEdit && (
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || !form.customer_id}>{t.save}</button>
            {o && <ConfirmButton label={t.delete} onConfirm={remove} />}
          </div>
        )}
      </form>
      {o && (
        <div className="card">
          <h2>{t.history}</h2>
          {canEdit && NEXT[o.status].length > 0 && (
            <div className="actions">
              {t.changeStatus}:{' '}
              {NEXT[o.status].map((s2) => (
                <button key={s2} type="button" disabled={busy} onClick={() => void put({ status: s2 })}>{tr('st_', s2)}</button>
              ))}
            </div>
          )}
          <table className="list">
            <thead><tr><th>{t.date}</th><th>{t.status}</th></tr></thead>
            <tbody>
              {o.status_history.map((h, i) => (
                <tr key={i}><td>{formatDateTime(h.at)}</td><td>{h.from ? `${tr('st_', h.from)} → ` : ''}<strong>{tr('st_', h.to)}</strong></td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {o && <OrderFiles order={o} />}
    </section>
  );
}

/** Where an order's files go: the customer's folder + `Orders/<order number>`. */
export function orderFolder(customerFolder: string, orderNumber: string): string {
  return `${customerFolder.replace(/\/+$/, '')}/Orders/${orderNumber}`;
}

/**
 * An order's files (invoice, photos of the installation): uploaded into the order's folder
 * with the order's id, so each gets a media record with `order_id`, and listed from those
 * records with download links through the gateway's proxy.
 */
export function OrderFiles({ order }: { order: Order }) {
  const w = useAdminText();
  const { t } = useI18n();
  const { canEdit } = useAuth();
  const customer = useLoad((signal) => call(api.GET('/api/crm/customers/{id}', { params: { path: { id: order.customer_id } }, signal })).then((a) => a.data), [order.customer_id]);
  const files = useLoad((signal) => call(api.GET('/api/crm/media', { params: { query: { order_id: order.id } }, signal })).then((a) => a.data), [order.id]);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const base = customer.data?.nextcloud_folder;
  const folder = base ? orderFolder(base, order.order_number) : null;
  const notConfigured = isNotConfigured(error) || isNotConfigured(files.error);
  const items = Array.isArray(files.data?.items) ? files.data.items : undefined;

  async function upload(e: FormEvent) {
    e.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file || !folder) return;
    setError(null);
    setNotice(null);
    setProgress({ loaded: 0, total: file.size });
    try {
      await uploadFile({ file, folder, customerId: order.customer_id, orderId: order.id, onProgress: (loaded, total) => setProgress({ loaded, total }) });
      setNotice(w.uploaded(file.name));
      if (fileRef.current) fileRef.current.value = '';
      files.reload();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  }

  async function download(m: Schemas['MediaRecord']) {
    setError(null);
    try {
      saveBlob(await fetchFile(m.nextcloud_path), m.filename);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div className="card order-files" data-testid="order-files">
      <h2>{w.orderFiles}</h2>
      {notConfigured ? (
        <p className="notice not-configured" role="status">{t.filesNotConfigured}</p>
      ) : customer.data && !base ? (
        <p className="muted">{w.noCustomerFolder}</p>
      ) : (
        folder && <p className="muted small">{w.orderFolder}: <code>{folder}</code></p>
      )}
      {canEdit && folder && !notConfigured && (
        <form className="upload" onSubmit={upload}>
          <Field label={w.chooseFile}><input ref={fileRef} type="file" name="order-file" required /></Field>
          <button type="submit" className="primary" disabled={!!progress}>{w.upload}</button>
          {progress && <progress className="upload-progress" max={progress.total || 1} value={progress.loaded} />}
        </form>
      )}
      {notice && <Notice>{notice}</Notice>}
      {!notConfigured && <ErrorBox error={error ?? files.error ?? customer.error} />}
      {items?.length === 0 && <p className="muted">{w.noFiles}</p>}
      {!!items?.length && (
        <ul className="files">
          {items.map((m) => (
            <li key={m.id} className="file" data-file={m.filename}>
              <button type="button" className="link" onClick={() => void download(m)} title={t.download}>{m.filename}</button>{' '}
              <small className="muted">{formatBytes(m.size)} · {formatDateTime(m.created_at)}{m.uploaded_by ? ` · ${m.uploaded_by}` : ''}</small>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
