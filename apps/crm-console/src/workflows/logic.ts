// Workflow automation's rules as the console needs them, free of React: the node catalogue
// (the server's `GET /workflows/catalogue`, the one source of the kinds and their fields),
// a trigger in Greek words, the editor's form of a definition and back (a step's `next`
// defaults to the following step), the sample trigger data of a test run, and where a 422's
// field (`nodes[2].config.condition`, `trigger.cron`) belongs on the page.
import type { Schemas } from '../api/client';

export type Workflow = Schemas['Workflow'];
export type Definition = Schemas['Definition'];
export type WNode = Schemas['Node'];
export type Trigger = Schemas['Trigger'];
export type Run = Schemas['Run'];
export type RunDetail = Schemas['RunDetail'];
export type Step = Schemas['Step'];
export type RunStatus = Schemas['RunStatus'];

export const RUN_STATUSES: readonly RunStatus[] = ['running', 'waiting', 'succeeded', 'failed', 'cancelled'];

// --- the catalogue

export type FieldKind = 'text' | 'template' | 'expression' | 'number' | 'object' | 'choice';
export interface CatalogueField {
  name: string;
  required: boolean;
  /** Fields sharing a `one_of` name: exactly one of them is filled in (`to` or `customer_id`). */
  one_of?: string | null;
  kind: FieldKind;
  choices?: string[] | null;
  help?: string | null;
}
export interface CatalogueNode { kind: string; group: string; label_el: string; description: string; fields: CatalogueField[] }
/** An event and its trigger data: the field names (or an object whose keys are). */
export interface CatalogueEvent { name: string; description: string; data: string[] | Record<string, unknown> }
export interface Catalogue {
  triggers?: unknown;
  events: CatalogueEvent[];
  nodes: CatalogueNode[];
  /** The kinds this server cannot run now, with why (AI nodes without `CRM_LLM_URL`). */
  unavailable?: Record<string, string>;
}

/** The catalogue's node kinds by group, in the catalogue's order. */
export function groupedKinds(c: Catalogue): [string, CatalogueNode[]][] {
  const groups = new Map<string, CatalogueNode[]>();
  for (const n of c.nodes) groups.set(n.group, [...(groups.get(n.group) ?? []), n]);
  return [...groups.entries()];
}

/** The branches a kind chooses among (a switch also has one per case value). */
export function fixedBranches(kind: string): string[] {
  return kind === 'if' ? ['then', 'else'] : kind === 'loop' ? ['body'] : kind === 'switch' ? ['default'] : [];
}

// --- a trigger in words

const EVENT_WORDS: Record<string, [string, string]> = {
  'call.missed': ['Αναπάντητη κλήση', 'Missed call'],
  'whatsapp.received': ['Μήνυμα WhatsApp', 'WhatsApp message'],
  'email.received': ['Εισερχόμενο e-mail', 'Incoming e-mail'],
  'ticket.created': ['Νέο ticket', 'New ticket'],
  'lead.created': ['Νέα ευκαιρία', 'New lead'],
  'order.delivered': ['Παράδοση παραγγελίας', 'Order delivered'],
};
const DAYS: Record<'el' | 'en', string[]> = {
  el: ['Κυριακή', 'Δευτέρα', 'Τρίτη', 'Τετάρτη', 'Πέμπτη', 'Παρασκευή', 'Σάββατο'],
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
};
export const DEFAULT_TIMEZONE = 'Europe/Athens';

/** An event in the user's words: «Αναπάντητη κλήση»; one the console does not know, as the catalogue describes it. */
export function eventLabel(name: string, lang: 'el' | 'en', c?: Catalogue): string {
  const known = EVENT_WORDS[name];
  if (known) return known[lang === 'el' ? 0 : 1];
  return c?.events.find((e) => e.name === name)?.description || name;
}

/** A schedule or an event trigger as the wire may carry it (the cron form is newer than the schema). */
/** The generated `Trigger` (a schedule has `every_minutes` or `cron`). */
export type AnyTrigger = Trigger;

function every(n: number, lang: 'el' | 'en'): string {
  const [unit, count] = n % 1440 === 0 ? ['d', n / 1440] : n % 60 === 0 ? ['h', n / 60] : ['m', n];
  const words: readonly [string, string] = ({
    el: { m: ['Κάθε λεπτό', 'λεπτά'], h: ['Κάθε ώρα', 'ώρες'], d: ['Κάθε μέρα', 'ημέρες'] },
    en: { m: ['Every minute', 'minutes'], h: ['Every hour', 'hours'], d: ['Every day', 'days'] },
  } as const)[lang][unit as 'm' | 'h' | 'd'];
  return count === 1 ? words[0] : `${lang === 'el' ? 'Κάθε' : 'Every'} ${count} ${words[1]}`;
}

/** A 5-field cron in words when it is a plain daily/weekly/monthly time, else null. */
function cronWords(cron: string, lang: 'el' | 'en'): string | null {
  const p = cron.trim().split(/\s+/);
  if (p.length !== 5) return null;
  const [min, hour, dom, mon, dow] = p as [string, string, string, string, string];
  if (!/^\d{1,2}$/.test(min) || !/^\d{1,2}$/.test(hour) || mon !== '*') return null;
  const at = `${hour.padStart(2, '0')}:${min.padStart(2, '0')}`;
  const el = lang === 'el';
  if (dom === '*' && dow === '*') return `${el ? 'Κάθε μέρα' : 'Every day'} ${at}`;
  if (dom === '*' && (dow === '1-5' || dow === 'MON-FRI')) return `${el ? 'Δευτέρα–Παρασκευή' : 'Monday to Friday'} ${at}`;
  if (dom === '*' && /^[0-7]$/.test(dow)) {
    const d = DAYS[lang][Number(dow) % 7] as string;
    return el ? `Κάθε ${d} ${at}` : `Every ${d} ${at}`;
  }
  if (/^\d{1,2}$/.test(dom) && dow === '*') return el ? `Στις ${Number(dom)} κάθε μήνα ${at}` : `On day ${Number(dom)} of every month ${at}`;
  return null;
}

/** A trigger in the user's words: «Αναπάντητη κλήση», «Κάθε Δευτέρα 09:00», «Κάθε 15 λεπτά». */
export function describeTrigger(t: AnyTrigger, lang: 'el' | 'en', c?: Catalogue): string {
  if (t.kind === 'manual') return lang === 'el' ? 'Χειροκίνητα' : 'Manually';
  if (t.kind === 'event') return eventLabel(t.name, lang, c);
  if (t.cron) {
    const words = cronWords(t.cron, lang) ?? `cron ${t.cron}`;
    const tz = t.timezone && t.timezone !== DEFAULT_TIMEZONE ? ` (${t.timezone})` : '';
    return words + tz;
  }
  return every(t.every_minutes ?? 60, lang);
}

// --- the editor's form

/** `next` of a step: AUTO = the following step (none after the last), END = the chain ends here. */
export const AUTO = '';
export const END = '-';

export interface StepForm {
  key: string;
  kind: string;
  /** Each config field as typed: text, a number's digits, an object's JSON. */
  config: Record<string, string>;
  next: string;
  branches: Record<string, string>;
  on_error: string;
}

export interface TriggerForm { mode: 'manual' | 'every' | 'cron' | 'event'; every: string; cron: string; timezone: string; event: string }
export const EMPTY_TRIGGER: TriggerForm = { mode: 'manual', every: '60', cron: '0 9 * * 1', timezone: DEFAULT_TIMEZONE, event: '' };

export function triggerForm(t: AnyTrigger): TriggerForm {
  if (t.kind === 'event') return { ...EMPTY_TRIGGER, mode: 'event', event: t.name };
  if (t.kind === 'schedule' && t.cron) return { ...EMPTY_TRIGGER, mode: 'cron', cron: t.cron, timezone: t.timezone ?? DEFAULT_TIMEZONE };
  if (t.kind === 'schedule') return { ...EMPTY_TRIGGER, mode: 'every', every: String(t.every_minutes ?? 60) };
  return { ...EMPTY_TRIGGER };
}

/** A field problem found before sending, as the server would name it. */
export interface FieldProblem { field: string; reason: string }

export function triggerOf(t: TriggerForm): AnyTrigger | FieldProblem {
  if (t.mode === 'manual') return { kind: 'manual' };
  if (t.mode === 'event') return t.event ? { kind: 'event', name: t.event } : { field: 'trigger.name', reason: 'missing' };
  if (t.mode === 'cron') return t.cron.trim() ? { kind: 'schedule', cron: t.cron.trim(), timezone: t.timezone.trim() || DEFAULT_TIMEZONE } : { field: 'trigger.cron', reason: 'missing' };
  const n = Number(t.every.trim());
  return Number.isInteger(n) && n >= 1 ? { kind: 'schedule', every_minutes: n } : { field: 'trigger.every_minutes', reason: 'number' };
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : typeof v === 'number' ? String(v) : JSON.stringify(v));

/** The steps of a stored definition; a `next` that is the following step reads as AUTO. */
export function stepsOf(nodes: readonly WNode[]): StepForm[] {
  return nodes.map((n, i) => {
    const following = nodes[i + 1]?.key;
    const next = n.next ? (n.next === following ? AUTO : n.next) : following && n.kind !== 'stop' ? END : AUTO;
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries((n.config ?? {}) as Record<string, unknown>)) config[k] = asText(v);
    return { key: n.key, kind: n.kind, config, next, branches: { ...(n.branches ?? {}) }, on_error: n.on_error ?? '' };
  });
}

/** A new step's key: the kind and the first free number (`send_email_2`). */
export function newKey(kind: string, steps: readonly StepForm[]): string {
  for (let i = 1; ; i++) {
    const k = `${kind}_${i}`;
    if (!steps.some((s) => s.key === k)) return k;
  }
}

/** The `next` a step's form means: AUTO is the following step's key (none after the last or for `stop`). */
export function resolveNext(steps: readonly StepForm[], i: number): string | undefined {
  const s = steps[i] as StepForm;
  if (s.kind === 'stop' || s.next === END) return undefined;
  if (s.next === AUTO) return steps[i + 1]?.key;
  return s.next;
}

/** The definition of the form, each config value typed by the catalogue; a number or JSON that does not read is a problem. */
export function definitionOf(trigger: TriggerForm, steps: readonly StepForm[], c: Catalogue): { ok: true; definition: Definition } | { ok: false; error: FieldProblem } {
  const t = triggerOf(trigger);
  if ('field' in t) return { ok: false, error: t };
  const nodes: WNode[] = [];
  for (const [i, s] of steps.entries()) {
    const fields = c.nodes.find((n) => n.kind === s.kind)?.fields ?? [];
    const config: Record<string, unknown> = {};
    for (const [name, raw] of Object.entries(s.config)) {
      const v = raw.trim();
      if (!v) continue; // an empty field is left out (the server says when it is required)
      const kind = fields.find((x) => x.name === name)?.kind ?? 'text';
      if (kind === 'number') {
        const n = Number(v.replace(',', '.'));
        if (!Number.isFinite(n)) return { ok: false, error: { field: `nodes[${i}].config.${name}`, reason: 'number' } };
        config[name] = n;
      } else if (kind === 'object') {
        try {
          config[name] = JSON.parse(v);
        } catch {
          return { ok: false, error: { field: `nodes[${i}].config.${name}`, reason: 'json' } };
        }
      } else config[name] = raw;
    }
    const node: WNode = { key: s.key.trim(), kind: s.kind, config: config as WNode['config'] };
    const next = resolveNext(steps, i);
    if (next) node.next = next;
    const branches = Object.fromEntries(Object.entries(s.branches).filter(([, to]) => to));
    if (Object.keys(branches).length) node.branches = branches;
    if (s.on_error) node.on_error = s.on_error;
    nodes.push(node);
  }
  return { ok: true, definition: { trigger: t as Trigger, nodes } };
}

/** Moves step `i` by `by` places (the AUTO `next`s follow the new order). */
export function moveStep<T>(list: readonly T[], i: number, by: number): T[] {
  const j = i + by;
  if (j < 0 || j >= list.length) return [...list];
  const out = [...list];
  [out[i], out[j]] = [out[j] as T, out[i] as T];
  return out;
}

// --- where a refused field goes

/** Where a field path of a 422 is shown: on the trigger, on a step's field, or on the workflow. */
export type FieldTarget = { at: 'trigger'; field: string } | { at: 'node'; index: number; field: string } | { at: 'workflow'; field: string };

/** `definition.nodes[2].config.condition` → step 2's `config.condition`; `trigger.cron` → the trigger's `cron`. */
export function fieldTarget(path: string): FieldTarget {
  const p = path.replace(/^definition\./, '');
  const node = /^nodes\[(\d+)\]\.(.+)$/.exec(p);
  if (node) return { at: 'node', index: Number(node[1]), field: node[2] as string };
  const trig = /^trigger(?:\.(.+))?$/.exec(p);
  if (trig) return { at: 'trigger', field: trig[1] ?? 'kind' };
  return { at: 'workflow', field: p };
}

// --- the test run

const SAMPLE: Record<string, unknown> = {
  customer_id: null, sender: '+306900000000', subject: 'Δοκιμή', body: 'Δοκιμαστικό μήνυμα', title: 'Δοκιμή', priority: 'normal', number: 1,
};

/** The sample trigger data of a test run: the event's data fields, a schedule's `scheduled_at`, or nothing. */
export function sampleInput(t: TriggerForm, c: Catalogue, now: Date): Record<string, unknown> {
  if (t.mode === 'every' || t.mode === 'cron') return { scheduled_at: now.toISOString() };
  if (t.mode !== 'event') return {};
  const ev = c.events.find((e) => e.name === t.event);
  if (!ev) return {};
  const names = Array.isArray(ev.data) ? ev.data : Object.keys(ev.data ?? {});
  return Object.fromEntries(names.map((n) => [n, n in SAMPLE ? SAMPLE[n] : '']));
}

/** Which buttons a run has: retry a failed one, cancel one that has not ended. */
export function runActions(status: RunStatus): { retry: boolean; cancel: boolean } {
  return { retry: status === 'failed', cancel: status === 'running' || status === 'waiting' };
}

/** A duration in µs in words: «850 µs», «12,3 ms», «1,5 s». */
export function duration(us: number): string {
  if (us < 1000) return `${us} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(1).replace('.', ',')} ms`;
  return `${(us / 1_000_000).toFixed(1).replace('.', ',')} s`;
}
