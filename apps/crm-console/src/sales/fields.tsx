// The fields a lead's forms share (new lead, lead page): title, source, value, expected close,
// owner, tags and the quoted lines a draft order is made from.
import { Field } from '../ui';
import { EMPTY_LINE, SOURCES, type LeadForm, type LineRow, type Source } from './logic';
import { useSalesText } from './strings';

export function LeadFields({ f, set, disabled }: { f: LeadForm; set: (p: Partial<LeadForm>) => void; disabled?: boolean }) {
  const w = useSalesText();
  const line = (i: number, p: Partial<LineRow>) => set({ lines: f.lines.map((x, j) => (j === i ? { ...x, ...p } : x)) });
  return (
    <fieldset disabled={disabled} className="grid">
      <Field label={w.title} wide><input name="title" value={f.title} onChange={(e) => set({ title: e.target.value })} /></Field>
      <Field label={w.source}>
        <select name="source" value={f.source} onChange={(e) => set({ source: e.target.value as Source })}>
          {SOURCES.map((s) => <option key={s} value={s}>{w.src(s)}</option>)}
        </select>
      </Field>
      <Field label={w.value}><input name="estimated_value" inputMode="decimal" value={f.value} onChange={(e) => set({ value: e.target.value })} /></Field>
      <Field label={w.close}><input name="expected_close" type="date" value={f.close} onChange={(e) => set({ close: e.target.value })} /></Field>
      <Field label={w.owner}><input name="owner" value={f.owner} onChange={(e) => set({ owner: e.target.value })} /></Field>
      <Field label={w.tags} wide><input name="tags" value={f.tags} onChange={(e) => set({ tags: e.target.value })} /></Field>
      <div className="wide" data-testid="lines">
        <h4>{w.lines}</h4>
        {f.lines.map((r, i) => (
          <div key={i} className="part-row" data-testid="line-row" style={{ display: 'flex', gap: '0.5rem', marginBottom: '0.4rem' }}>
            <input name="description" aria-label={w.description} placeholder={w.description} style={{ flex: '1 1 20rem' }} value={r.description} onChange={(e) => line(i, { description: e.target.value })} />
            <input name="quantity" aria-label={w.quantity} inputMode="decimal" style={{ width: '6rem' }} value={r.quantity} onChange={(e) => line(i, { quantity: e.target.value })} />
            <input name="unit_price" aria-label={w.unitPrice} placeholder={w.unitPrice} inputMode="decimal" style={{ width: '9rem' }} value={r.unit_price} onChange={(e) => line(i, { unit_price: e.target.value })} />
            <button type="button" onClick={() => set({ lines: f.lines.filter((_, j) => j !== i) })}>{w.remove}</button>
          </div>
        ))}
        <button type="button" data-testid="add-line" onClick={() => set({ lines: [...f.lines, EMPTY_LINE] })}>{w.addLine}</button>
      </div>
    </fieldset>
  );
}
