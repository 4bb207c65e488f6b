// Shared pieces: the session context, loading helper, errors in words, form fields.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { ApiError, type Claims, type Schemas } from './api/client';
import { errorSentence } from './errors';
import { useI18n, type Dict } from './i18n';

export interface Auth {
  claims: Claims | null;
  canEdit: boolean;
  /** `GET /api/auth/me` once it answered (see permissions.ts). */
  me?: Schemas['Me'] | null;
}
export const AuthContext = createContext<Auth>({ claims: null, canEdit: false });
export const useAuth = () => useContext(AuthContext);

/** Puts an error into words: one sentence in the UI's language (see errors.ts). */
export function describeError(e: unknown, t: Dict): string {
  if (e instanceof ApiError) return errorSentence(e, t.langCode);
  if (e instanceof Error) return e.message;
  return t.err_other;
}

export function ErrorBox({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <div className={error instanceof ConflictError ? 'error conflict' : 'error'} role="alert">
      {describeError(error, t)}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return <div className="notice" role="status">{children}</div>;
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (d: T) => void;
}

/** Runs `load` when `deps` change (newest answer wins; older ones are aborted). */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    loadRef.current(ctl.signal).then(
      (d) => {
        if (ctl.signal.aborted) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((x) => x + 1), []);
  return { data, error, loading, reload, setData };
}

export function Field({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <label className={wide ? 'field wide' : 'field'}>
      <span>{label}</span>
      {children}
    </label>
  );
}

/** A customer's language: the console's two. */
export function LanguageSelect({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <select name="language" value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="el">Ελληνικά</option>
      <option value="en">English</option>
    </select>
  );
}

/** What a decimal field keeps of the typed text: digits, the Greek separators, a sign. */
export function decimalInput(v: string): string {
  return v.replace(/[^\d.,-]/g, '');
}

/**
 * The exact decimal the API takes from a number typed the Greek way: «1.200,50» → "1200.50"
 * (dots group thousands, the comma is the decimal point). Without a comma, a lone dot before
 * other than three digits is read as a decimal point ("12.5"). Never goes through a float.
 */
export function parseDecimal(v: string): string {
  const t = v.replace(/\s/g, '');
  if (t.includes(',')) return t.replace(/\./g, '').replace(',', '.');
  if (/^-?\d{1,3}(\.\d{3})+$/.test(t)) return t.replace(/\./g, '');
  return t;
}

/** A decimal from the API in Greek form: "1200.50" → «1.200,50» (the exact digits, no rounding). */
export function greekDecimal(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return s;
  const int = (m[2] as string).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${m[1]}${int}${m[3] ? `,${m[3]}` : ''}`;
}

/** A whole number typed the Greek way («1.200» is 1200); null if the text is not one. */
export function parseWhole(v: string): number | null {
  const d = parseDecimal(v.trim());
  return /^\d+$/.test(d) && Number.isSafeInteger(Number(d)) ? Number(d) : null;
}

/**
 * A whole-number field in Greek form, a text input like the console's other number fields
 * (not a browser `type=number`, which reads «1.200» as 1.2 in some locales and spins on
 * scroll). It reports a number when the text is one and at least `min`; otherwise the field
 * is marked invalid, so the form does not submit.
 */
export function WholeNumberInput({ value, onChange, min = 0, ...rest }: { value: number | null | undefined; onChange: (n: number) => void; min?: number } & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type' | 'min'>) {
  const { t } = useI18n();
  const [text, setText] = useState(() => (value === null || value === undefined ? '' : greekDecimal(value)));
  useEffect(() => {
    if (parseWhole(text) !== (value ?? null)) setText(value === null || value === undefined ? '' : greekDecimal(value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  const n = parseWhole(text);
  const valid = n !== null && n >= min;
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.setCustomValidity(valid ? '' : t.wholeNumber(min)), [valid, min, t]);
  return (
    <input
      {...rest}
      ref={ref}
      type="text"
      inputMode="numeric"
      aria-invalid={!valid}
      value={text}
      onChange={(e) => {
        const v = e.target.value.replace(/[^\d.]/g, '');
        setText(v);
        const m = parseWhole(v);
        if (m !== null && m >= min) onChange(m);
      }}
    />
  );
}

export function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A delete button that asks once more inline before it acts. */
export function ConfirmButton({ label, onConfirm, className }: { label: string; onConfirm: () => void; className?: string }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className={className ?? 'danger'} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <span className="confirm">
      {t.confirmDelete}{' '}
      <button type="button" className="danger" onClick={() => { setAsking(false); onConfirm(); }}>
        {t.yes}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        {t.no}
      </button>
    </span>
  );
}

export function Pager({ offset, limit, total, onChange }: { offset: number; limit: number; total: number; onChange: (o: number) => void }) {
  const { t } = useI18n();
  if (total <= limit && offset === 0) return null;
  return (
    <div className="pager">
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        ‹ {t.previous}
      </button>
      <span>{t.pageOf(total === 0 ? 0 : offset + 1, Math.min(offset + limit, total), total)}</span>
      <button type="button" disabled={offset + limit >= total} onClick={() => onChange(offset + limit)}>
        {t.next} ›
      </button>
    </div>
  );
}

/**
 * After a failed save: a 412 means someone else changed the record, so the fresh version is
 * fetched and shown with the conflict message (nothing is retried or overwritten); any other
 * error is shown as it is.
 */
export async function onSaveError(err: unknown, conflictMessage: string, refetch: () => Promise<void>, setError: (e: unknown) => void) {
  if (err instanceof ApiError && err.isStale) {
    try {
      await refetch();
      setError(new ConflictError(conflictMessage));
    } catch (e) {
      setError(e);
    }
  } else {
    setError(err);
  }
}

export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}
