// The sales pipeline's rules as the console needs them, free of React: the board's columns
// with their exact sums, which drops a card may make, when a drop asks for a lost reason, what
// a refused move means, and the bodies of the lead forms (checked before sending).
import { ApiError, type Schemas } from '../api/client';
import { parseDec } from '../pricing';

export type Lead = Schemas['Lead'];
export type Pipeline = Schemas['Pipeline'];
export type Stage = Schemas['SalesStage'];
export type PipelineView = Schemas['PipelineView'];
export type LeadList = Schemas['LeadList'];
export type LeadHistory = Schemas['LeadHistory'];
export type LeadComms = Schemas['LeadComms'];
export type Conversion = Schemas['Conversion'];
export type Source = Schemas['LeadSource'];
export type LeadStatus = Schemas['LeadStatus'];
export type ContactKind = Schemas['LeadContactKind'];
export type NewLead = Schemas['NewLead'];
export type LeadPatch = Schemas['LeadPatch'];
export type QuotedLine = Schemas['QuotedLine'];

export const SOURCES: readonly Source[] = ['phone', 'email', 'whatsapp', 'web', 'fair', 'referral', 'other'];

/** Whether a lead in a stage is open, won or lost. */
export function stageStatus(s: Pick<Stage, 'won' | 'lost'>): LeadStatus {
  return s.won ? 'won' : s.lost ? 'lost' : 'open';
}

// --- exact money: amounts in ten-thousandths of a euro (a value × a whole percentage is exact there)

/** An amount of the API (a JSON number or a decimal string, ≤ 4 decimals) in ten-thousandths; 0 for none. */
export function toUnits(v: string | number | null | undefined): bigint {
  if (v === null || v === undefined || v === '') return 0n;
  const d = parseDec(String(v));
  if (!d || d.scale > 4) return 0n;
  return d.mantissa * 10n ** BigInt(4 - d.scale);
}

/** Ten-thousandths as a decimal rounded to cents, halves away from zero: 15000.5 → "15000.50". */
export function unitsToDecimal(u: bigint): string {
  const neg = u < 0n;
  const a = neg ? -u : u;
  let cents = a / 100n;
  if (a % 100n >= 50n) cents += 1n;
  const s = cents.toString().padStart(3, '0');
  return `${neg ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`;
}

/** value × probability %, exact, in ten-thousandths. */
export function weighted(value: string | number | null | undefined, probability: number): bigint {
  return (toUnits(value) * BigInt(probability)) / 100n;
}

export interface Column {
  stage: Stage;
  leads: Lead[];
  count: number;
  /** Sum of the estimated values (none counts 0), in ten-thousandths. */
  value: bigint;
  /** Sum of value × the stage's probability, in ten-thousandths. */
  weighted: bigint;
}

/** The board: a column per stage in board order with its leads (newest first, as listed) and exact sums. */
export function columns(stages: readonly Stage[], leads: readonly Lead[]): Column[] {
  return stages.map((stage) => {
    const mine = leads.filter((l) => l.stage_id === stage.id);
    let value = 0n;
    let w = 0n;
    for (const l of mine) {
      value += toUnits(l.estimated_value);
      w += weighted(l.estimated_value, stage.probability);
    }
    return { stage, leads: mine, count: mine.length, value, weighted: w };
  });
}

/** What the open leads of the board add up to (value and weighted), in ten-thousandths. */
export function openTotals(cols: readonly Column[]): { value: bigint; weighted: bigint } {
  return cols
    .filter((c) => stageStatus(c.stage) === 'open')
    .reduce((t, c) => ({ value: t.value + c.value, weighted: t.weighted + c.weighted }), { value: 0n, weighted: 0n });
}

/** Whether a card may be dropped on a stage: another stage of the lead's own pipeline. */
export function dropAllowed(lead: Pick<Lead, 'stage_id' | 'pipeline_id'>, stage: Stage, pipeline: Pick<Pipeline, 'id' | 'stages'>): boolean {
  return lead.pipeline_id === pipeline.id && stage.id !== lead.stage_id && pipeline.stages.some((s) => s.id === stage.id);
}

/** Whether dropping on `stage` must first ask why the lead was lost (a lost lead keeps its reason). */
export function asksLostReason(lead: Pick<Lead, 'status' | 'lost_reason'>, stage: Pick<Stage, 'won' | 'lost'>): boolean {
  return stage.lost && !(lead.status === 'lost' && lead.lost_reason);
}

/** The body of `POST /leads/{id}/stage`; null when a lost stage is given no reason. */
export function moveBody(stage: Pick<Stage, 'id' | 'lost'>, reason: string | null, needsReason: boolean): { stage_id: string; lost_reason?: string } | null {
  const r = reason?.trim() ?? '';
  if (needsReason && !r) return null;
  return r && stage.lost ? { stage_id: stage.id, lost_reason: r } : { stage_id: stage.id };
}

/** Why a move was refused: someone else changed the lead (412), a conflict (409), a field (422), or something else. */
export type MoveRefusal = { kind: 'stale' } | { kind: 'conflict'; message: string } | { kind: 'field'; field: string } | { kind: 'other' };

export function moveRefusal(e: unknown): MoveRefusal {
  if (!(e instanceof ApiError)) return { kind: 'other' };
  if (e.isStale) return { kind: 'stale' };
  if (e.status === 409) return { kind: 'conflict', message: e.message };
  if (e.status === 422 && e.field) return { kind: 'field', field: e.field };
  return { kind: 'other' };
}

// --- the lead forms

export interface LineRow { product_id: string; description: string; quantity: string; unit_price: string }
export const EMPTY_LINE: LineRow = { product_id: '', description: '', quantity: '1', unit_price: '' };

export interface LeadForm {
  title: string;
  source: Source;
  value: string;
  close: string; // YYYY-MM-DD or ''
  owner: string;
  tags: string;
  lines: LineRow[];
}

export interface ProspectForm { name: string; organization: string; phone: string; email: string }

/** A form problem: the field (the API's JSON path) and why. */
export interface FormProblem { field: string; problem: 'missing' | 'amount' | 'date' }

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A decimal as the user typed it (Greek comma or dot, no thousands) for the API; null if it is not an amount ≥ 0. */
export function amount(v: string): string | null {
  const s = v.trim().replace(/\s/g, '').replace(',', '.');
  const d = parseDec(s);
  return d && d.mantissa >= 0n ? s : null;
}

function checkLines(rows: readonly LineRow[]): QuotedLine[] | FormProblem {
  const out: QuotedLine[] = [];
  for (const [i, r] of rows.entries()) {
    if (!r.description.trim() && !r.unit_price.trim() && !r.product_id) continue; // an empty row is left out
    if (!r.description.trim()) return { field: `lines[${i}].description`, problem: 'missing' };
    const q = amount(r.quantity);
    if (!q || Number(q) <= 0) return { field: `lines[${i}].quantity`, problem: 'amount' };
    const p = amount(r.unit_price);
    if (!p) return { field: `lines[${i}].unit_price`, problem: 'amount' };
    out.push({ description: r.description.trim(), quantity: q, unit_price: p, ...(r.product_id ? { product_id: r.product_id } : {}) });
  }
  return out;
}

const isProblem = (x: unknown): x is FormProblem => !!x && typeof x === 'object' && 'problem' in x;

/** The fields both forms share, checked. */
function common(f: LeadForm): { ok: true; body: Pick<NewLead, 'title' | 'source' | 'estimated_value' | 'expected_close' | 'owner' | 'tags' | 'lines'> } | { ok: false; error: FormProblem } {
  if (!f.title.trim()) return { ok: false, error: { field: 'title', problem: 'missing' } };
  const value = f.value.trim() ? amount(f.value) : null;
  if (f.value.trim() && value === null) return { ok: false, error: { field: 'estimated_value', problem: 'amount' } };
  if (f.close && !DATE.test(f.close)) return { ok: false, error: { field: 'expected_close', problem: 'date' } };
  const lines = checkLines(f.lines);
  if (isProblem(lines)) return { ok: false, error: lines };
  return {
    ok: true,
    body: {
      title: f.title.trim(),
      source: f.source,
      estimated_value: value,
      expected_close: f.close || null,
      owner: f.owner.trim() || null,
      tags: f.tags.split(',').map((t) => t.trim()).filter(Boolean),
      lines,
    },
  };
}

/** The body of `POST /leads` for a prospect; a name and at least one contact are required. */
export function newLeadBody(f: LeadForm, p: ProspectForm): { ok: true; body: NewLead } | { ok: false; error: FormProblem } {
  const c = common(f);
  if (!c.ok) return c;
  if (!p.name.trim()) return { ok: false, error: { field: 'prospect.name', problem: 'missing' } };
  const contacts: Schemas['ProspectContact'][] = [];
  if (p.phone.trim()) contacts.push({ kind: 'mobile', value: p.phone.trim(), normalized: '' });
  if (p.email.trim()) contacts.push({ kind: 'email', value: p.email.trim(), normalized: '' });
  if (!contacts.length) return { ok: false, error: { field: 'prospect.contacts', problem: 'missing' } };
  const body: NewLead = { ...c.body, prospect: { name: p.name.trim(), organization: p.organization.trim() || null, contacts } };
  return { ok: true, body };
}

/** The form of a stored lead. */
export function leadForm(l: Lead): LeadForm {
  return {
    title: l.title,
    source: l.source,
    value: l.estimated_value === null || l.estimated_value === undefined ? '' : unitsToDecimal(toUnits(l.estimated_value)),
    close: l.expected_close ?? '',
    owner: l.owner ?? '',
    tags: l.tags.join(', '),
    lines: l.lines.map((x) => ({ product_id: x.product_id ?? '', description: x.description, quantity: String(x.quantity), unit_price: String(x.unit_price) })),
  };
}

/** The body of `PUT /leads/{id}`: only what changed (an empty patch when nothing did). */
export function leadPatch(before: Lead, f: LeadForm): { ok: true; body: LeadPatch } | { ok: false; error: FormProblem } {
  const c = common(f);
  if (!c.ok) return c;
  const b = c.body;
  const was = leadForm(before);
  const patch: LeadPatch = {};
  if (b.title !== before.title) patch.title = b.title;
  if (b.source !== before.source) patch.source = b.source;
  if (toUnits(b.estimated_value) !== toUnits(before.estimated_value) || (b.estimated_value == null) !== (before.estimated_value == null)) patch.estimated_value = b.estimated_value ?? null;
  if ((b.expected_close ?? null) !== (before.expected_close ?? null)) patch.expected_close = b.expected_close ?? null;
  if ((b.owner ?? null) !== (before.owner ?? null)) patch.owner = b.owner ?? null;
  if (JSON.stringify(b.tags) !== JSON.stringify(before.tags)) patch.tags = b.tags ?? [];
  if (JSON.stringify(f.lines) !== JSON.stringify(was.lines)) patch.lines = b.lines ?? [];
  return { ok: true, body: patch };
}
