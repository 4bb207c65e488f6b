// The import wizard's rules, apart from React: the fields a column can hold, a mapping checked
// before the server sees it (as the server checks it), the match key's wire form, a job's
// progress, and the name of its error file. The outcomes are the server's (crm-customers'
// import): the console only shows them.
import type { Schemas } from '../api/client';

export type Field = Schemas['Field'];
export type Job = Schemas['Job'];
export type JobStatus = Schemas['JobStatus'];
export type Upload = Schemas['Upload'];
export type Preview = Schemas['Preview'];
export type RowPage = Schemas['RowPage'];
export type RowView = Schemas['RowView'];
export type Totals = Schemas['Totals'];
export type MatchKey = Schemas['MatchKey'];

/** Every field, in the order the column selects list them. */
export const FIELDS: Field[] = ['name', 'organization', 'phone', 'mobile', 'email', 'whatsapp', 'city', 'region', 'tags', 'notes', 'language', 'ignore'];
/** The fields one column at most may hold. */
export const SINGLE: Field[] = ['name', 'organization', 'city', 'region', 'language'];
/** The outcomes, in the order the report lists them. */
export const OUTCOMES = ['create', 'update', 'unchanged', 'skip', 'error'] as const;
export type OutcomeKind = (typeof OUTCOMES)[number];

export type MappingProblem =
  | { kind: 'length'; columns: number }
  | { kind: 'noName' }
  | { kind: 'twice'; field: Field; columns: number[] };

/** What is wrong with a mapping of `columns` columns, or null: the server's own checks. */
export function mappingProblem(mapping: Field[], columns: number): MappingProblem | null {
  if (mapping.length !== columns) return { kind: 'length', columns };
  for (const f of SINGLE) {
    const at = mapping.flatMap((m, i) => (m === f ? [i + 1] : []));
    if (at.length > 1) return { kind: 'twice', field: f, columns: at };
  }
  if (!mapping.some((f) => f === 'name' || f === 'organization')) return { kind: 'noName' };
  return null;
}

/** The select value of a match key: `contacts` or the column's index. */
export type KeyChoice = 'contacts' | number;

/** The wire form of a key choice; a column that is not a match column falls back to contacts. */
export function keyBody(choice: KeyChoice, mapping: Field[]): MatchKey {
  if (choice === 'contacts') return { by: 'contacts' };
  const f = mapping[choice];
  if (f === undefined || f === 'ignore' || f === 'tags' || f === 'notes' || f === 'language') return { by: 'contacts' };
  return { by: 'column', column: choice };
}

/** The columns a key may be: those mapped to a name, organization, place or contact. */
export function keyColumns(mapping: Field[]): number[] {
  return mapping.flatMap((f, i) => (['ignore', 'tags', 'notes', 'language'].includes(f) ? [] : [i]));
}

/** A job that will not change any more. */
export const isFinished = (s: JobStatus) => s === 'done' || s === 'cancelled' || s === 'failed';

/** How far a run is: rows handled of all, and the whole percent. */
export function progressOf(job: Pick<Job, 'written' | 'totals'>): { done: number; total: number; percent: number } {
  const total = job.totals.rows;
  const done = Math.min(job.written, total);
  return { done, total, percent: total === 0 ? 100 : Math.floor((done * 100) / total) };
}

/** The file the rows in error download as (the server names it the same). */
export function errorsFileName(fileName: string): string {
  const stem = fileName.replace(/\.csv$/i, '');
  return `${stem}-errors.csv`;
}

/** The count of an outcome in the totals. */
export const countOf = (t: Totals, o: OutcomeKind): number => t[o];

/** The customer a row is about, once known (a created row's after the run). */
export function customerOf(r: RowView): string | null {
  const id = (r as { customer_id?: string | null }).customer_id;
  return id ?? null;
}
