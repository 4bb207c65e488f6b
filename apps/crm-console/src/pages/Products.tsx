import { useState, type FormEvent } from 'react';
import { api, asDoc, call, fetchFile, ifMatch, saveBlob, type Product, type Schemas } from '../api/client';
import { isNotConfigured } from '../errors';
import { useAdminText } from '../admin/strings';
import { formatBytes, formatDateTime, formatMoney, formatNumber, useI18n } from '../i18n';
import { VAT_RATES, type VatRate } from '../pricing';
import { Link, navigate, useLocation } from '../router';
import { ConfirmButton, decimalInput, ErrorBox, Field, greekDecimal, Notice, onSaveError, Pager, parseDecimal, useAuth, useLoad } from '../ui';

export const CATEGORIES: Schemas['Category'][] = ['controller', 'striker', 'clock', 'part', 'repair_service'];
const LIMIT = 50;

export function ProductList() {
  const { t, tr } = useI18n();
  const { canEdit } = useAuth();
  const { query } = useLocation();
  const [search, setSearch] = useState(query.get('search') ?? '');
  const [category, setCategory] = useState('');
  const [active, setActive] = useState('');
  const [offset, setOffset] = useState(0);
  const list = useLoad(
    (signal) =>
      call(
        api.GET('/api/crm/products', {
          params: {
            query: {
              limit: LIMIT,
              offset,
              ...(search.trim() ? { search: search.trim() } : {}),
              ...(category ? { category: category as Schemas['Category'] } : {}),
              ...(active ? { active: active === 'true' } : {}),
            },
          },
          signal,
        }),
      ).then((a) => a.data),
    [search, category, active, offset],
  );
  return (
    <section>
      <div className="toolbar">
        <h1>{t.products}</h1>
        <input type="search" placeholder={t.search} value={search} onChange={(e) => { setSearch(e.target.value); setOffset(0); }} aria-label={t.search} />
        <select value={category} onChange={(e) => { setCategory(e.target.value); setOffset(0); }} aria-label={t.category}>
          <option value="">{t.category}: {t.allFem}</option>
          {CATEGORIES.map((c) => <option key={c} value={c}>{tr('cat_', c)}</option>)}
        </select>
        <select value={active} onChange={(e) => { setActive(e.target.value); setOffset(0); }} aria-label={t.active}>
          <option value="">{t.all}</option>
          <option value="true">{t.activeOnly}</option>
          <option value="false">{t.inactiveOnly}</option>
        </select>
        {canEdit && <Link to="/products/new" className="button primary">+ {t.newProduct}</Link>}
      </div>
      <ErrorBox error={list.error} />
      {list.data && (
        <>
          <table className="list">
            <thead>
              <tr><th>{t.name}</th><th>{t.sku}</th><th>{t.category}</th><th className="num">{t.price}</th><th className="num">{t.costsTotal}</th><th className="num">{t.available}</th><th>{t.active}</th></tr>
            </thead>
            <tbody>
              {list.data.products.map((p) => (
                <tr key={p.id} className={p.active ? '' : 'inactive'}>
                  <td><Link to={`/products/${p.id}`}>{p.name}</Link></td>
                  <td>{p.sku}</td>
                  <td>{tr('cat_', p.category)}</td>
                  <td className="num">{formatMoney(p.price, p.currency)}</td>
                  <td className="num">{formatMoney(p.costs.total, p.currency)}</td>
                  <td className="num">{formatNumber(p.stock.available ?? 0)}</td>
                  <td>{p.active ? '✓' : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data.products.length === 0 && <p className="muted">{t.none}</p>}
          <Pager offset={offset} limit={LIMIT} total={list.data.total} onChange={setOffset} />
        </>
      )}
    </section>
  );
}

interface ProductForm {
  name: string; sku: string; category: Schemas['Category']; description: string; price: string; currency: string; vat_rate: VatRate;
  pcb: string; components: string; enclosure: string; labor_hours: string; labor_rate: string; shipping_in: string;
  on_hand: string; reserved: string; nextcloud_folder: string; linked_device_type: string; active: boolean;
}
const COST_PARTS = ['pcb', 'components', 'enclosure', 'labor_hours', 'labor_rate', 'shipping_in'] as const;

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

function toForm(p: Product | null): ProductForm {
  return {
    name: p?.name ?? '', sku: p?.sku ?? '', category: p?.category ?? 'controller', description: str(p?.description),
    price: greekDecimal(p?.price), currency: p?.currency ?? 'EUR', vat_rate: p?.vat_rate ?? 24,
    pcb: greekDecimal(p?.costs.pcb), components: greekDecimal(p?.costs.components), enclosure: greekDecimal(p?.costs.enclosure),
    labor_hours: greekDecimal(p?.costs.labor_hours), labor_rate: greekDecimal(p?.costs.labor_rate), shipping_in: greekDecimal(p?.costs.shipping_in),
    on_hand: greekDecimal(p?.stock.on_hand), reserved: greekDecimal(p?.stock.reserved),
    nextcloud_folder: str(p?.nextcloud_folder), linked_device_type: str(p?.linked_device_type), active: p?.active ?? true,
  };
}

const orNull = (v: string) => (v.trim() === '' ? null : v.trim());
const money = (v: string) => (v.trim() === '' ? '0' : parseDecimal(v.trim()));
const int = (v: string) => (v.trim() === '' ? 0 : Number.parseInt(parseDecimal(v), 10));

function toBody(f: ProductForm) {
  return {
    name: f.name.trim(), sku: f.sku.trim(), category: f.category, description: orNull(f.description),
    price: money(f.price), currency: f.currency.trim() || 'EUR', vat_rate: f.vat_rate,
    costs: Object.fromEntries(COST_PARTS.map((k) => [k, money(f[k])])),
    stock: { on_hand: int(f.on_hand), reserved: int(f.reserved) },
    nextcloud_folder: orNull(f.nextcloud_folder), linked_device_type: orNull(f.linked_device_type), active: f.active,
  };
}

export function ProductEditor({ id }: { id: string | null }) {
  const { t, tr } = useI18n();
  const { canEdit } = useAuth();
  const [record, setRecord] = useState<{ product: Product; etag: string | null } | null>(null);
  const [form, setForm] = useState<ProductForm>(toForm(null));
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const loaded = useLoad(async (signal) => {
    if (!id) return null;
    const a = await call(api.GET('/api/crm/products/{id}', { params: { path: { id } }, signal }));
    setRecord({ product: a.data, etag: a.etag });
    setForm(toForm(a.data));
    return a.data;
  }, [id]);

  async function refetch() {
    if (!id) return;
    const a = await call(api.GET('/api/crm/products/{id}', { params: { path: { id } } }));
    setRecord({ product: a.data, etag: a.etag });
    setForm(toForm(a.data));
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const body = asDoc<Schemas['NewProduct']>(toBody(form));
      if (!record) {
        const a = await call(api.POST('/api/crm/products', { body }));
        navigate(`/products/${a.data.id}`, true);
      } else {
        const a = await call(
          api.PUT('/api/crm/products/{id}', {
            params: { path: { id: record.product.id }, header: { 'If-Match': ifMatch(record.product, record.etag) } },
            body: asDoc<Schemas['ProductPatch']>(body),
          }),
        );
        setRecord({ product: a.data, etag: a.etag });
        setForm(toForm(a.data));
        setNotice(t.saved);
      }
    } catch (err) {
      await onSaveError(err, t.conflict, refetch, setError);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!record) return;
    try {
      await call(api.DELETE('/api/crm/products/{id}', { params: { path: { id: record.product.id }, header: { 'If-Match': ifMatch(record.product, record.etag) } } }));
      navigate('/products');
    } catch (err) {
      setError(err);
    }
  }

  const set = <K extends keyof ProductForm>(k: K, v: ProductForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const p = record?.product;
  const ro = !canEdit;
  if (id && loaded.loading && !p) return <p>{t.loading}</p>;
  if (id && loaded.error && !p) return <ErrorBox error={loaded.error} />;
  return (
    <section>
      <div className="toolbar">
        <Link to="/products">‹ {t.products}</Link>
        <h1>{p ? p.name : t.newProduct}</h1>
      </div>
      <form className="card form" onSubmit={save}>
        <fieldset disabled={ro || busy}>
          <div className="grid">
            <Field label={t.name}><input name="name" value={form.name} onChange={(e) => set('name', e.target.value)} required /></Field>
            <Field label={t.sku}><input name="sku" value={form.sku} onChange={(e) => set('sku', e.target.value)} required /></Field>
            <Field label={t.category}>
              <select name="category" value={form.category} onChange={(e) => set('category', e.target.value as Schemas['Category'])}>
                {CATEGORIES.map((c) => <option key={c} value={c}>{tr('cat_', c)}</option>)}
              </select>
            </Field>
            <Field label={t.price}><input name="price" inputMode="decimal" value={form.price} onChange={(e) => set('price', decimalInput(e.target.value))} /></Field>
            <Field label={t.vat}>
              <select name="vat_rate" value={form.vat_rate} onChange={(e) => set('vat_rate', Number(e.target.value) as VatRate)}>
                {VAT_RATES.map((r) => <option key={r} value={r}>{r} %</option>)}
              </select>
            </Field>
            <Field label={t.currency}><input name="currency" value={form.currency} maxLength={3} onChange={(e) => set('currency', e.target.value.toUpperCase())} /></Field>
            <Field label={t.active}><input name="active" type="checkbox" checked={form.active} onChange={(e) => set('active', e.target.checked)} /></Field>
            <Field label={t.description} wide><textarea name="description" value={form.description} onChange={(e) => set('description', e.target.value)} /></Field>
          </div>
          <h2>{t.costs}</h2>
          <div className="grid">
            {COST_PARTS.map((k) => (
              <Field key={k} label={t[k]}><input name={`costs.${k}`} inputMode="decimal" value={form[k]} onChange={(e) => set(k, decimalInput(e.target.value))} /></Field>
            ))}
            <div className="field computed">
              <span>{t.costsTotal}</span>
              <output data-testid="costs-total">{p ? formatMoney(p.costs.total, p.currency) : '—'}</output>
            </div>
          </div>
          <h2>{t.stock}</h2>
          <div className="grid">
            <Field label={t.on_hand}><input name="stock.on_hand" inputMode="numeric" value={form.on_hand} onChange={(e) => set('on_hand', e.target.value.replace(/[^\d.]/g, ''))} /></Field>
            <Field label={t.reserved}><input name="stock.reserved" inputMode="numeric" value={form.reserved} onChange={(e) => set('reserved', e.target.value.replace(/[^\d.]/g, ''))} /></Field>
            <div className="field computed">
              <span>{t.available}</span>
              <output data-testid="stock-available">{p ? formatNumber(p.stock.available ?? 0) : '—'}</output>
            </div>
          </div>
          <p className="muted small">{t.computedOnSave}</p>
          <div className="grid">
            <Field label={t.nextcloud_folder}><input name="nextcloud_folder" value={form.nextcloud_folder} onChange={(e) => set('nextcloud_folder', e.target.value)} /></Field>
            <Field label={t.linked_device_type}><input name="linked_device_type" value={form.linked_device_type} onChange={(e) => set('linked_device_type', e.target.value)} /></Field>
          </div>
        </fieldset>
        <ErrorBox error={error} />
        {notice && <Notice>{notice}</Notice>}
        {canEdit && (
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>{t.save}</button>
            {p && <ConfirmButton label={t.delete} onConfirm={remove} />}
          </div>
        )}
      </form>
      {p?.nextcloud_folder && <FolderBrowser key={p.nextcloud_folder} root={p.nextcloud_folder} />}
    </section>
  );
}

/**
 * A product's Nextcloud folder, browsable: folders open in place (never above the product's
 * folder), files download through the gateway's proxy.
 */
export function FolderBrowser({ root }: { root: string }) {
  const w = useAdminText();
  const { t } = useI18n();
  const [path, setPath] = useState(root);
  const [error, setError] = useState<unknown>(null);
  const listing = useLoad((signal) => call(api.GET('/api/crm/nextcloud/browse', { params: { query: { path } }, signal })).then((a) => a.data), [path]);
  const parent = path === root ? null : path.slice(0, path.lastIndexOf('/'));
  async function download(f: Schemas['FileItem']) {
    setError(null);
    try {
      saveBlob(await fetchFile(f.path), f.filename);
    } catch (e) {
      setError(e);
    }
  }
  const err = error ?? listing.error;
  return (
    <div className="card folder-browser" data-testid="product-folder">
      <h2>{w.productFolder}</h2>
      <p className="muted small">
        <code>{path}</code>{' '}
        {parent !== null && <button type="button" onClick={() => setPath(parent)}>↑ {w.up}</button>}
      </p>
      {isNotConfigured(err) ? <p className="notice not-configured" role="status">{t.filesNotConfigured}</p> : <ErrorBox error={err} />}
      {listing.data && listing.data.items.length === 0 && <p className="muted">{w.noFiles}</p>}
      {listing.data && listing.data.items.length > 0 && (
        <ul className="files">
          {listing.data.items.map((f) => (
            <li key={f.path} className={f.is_dir ? 'file dir' : 'file'} data-file={f.filename}>
              {f.is_dir ? (
                <button type="button" className="link" onClick={() => setPath(f.path)}>📁 {f.filename}</button>
              ) : (
                <button type="button" className="link" onClick={() => void download(f)} title={t.download}>{f.filename}</button>
              )}{' '}
              {!f.is_dir && <small className="muted">{formatBytes(f.size)} · {formatDateTime(f.last_modified)}</small>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
