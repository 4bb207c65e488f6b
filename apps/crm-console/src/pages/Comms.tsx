import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import { api, asDoc, call, COMMS_TYPES, DIRECTIONS, type CommsType, type Direction, type Entry, type NewEntry, type Schemas, type TimelineItem } from '../api/client';
import { Attachments } from '../comms/Attachments';
import { ManualEntryControls } from '../comms/actions';
import { addressesOf, isManual, looksLikeHtml, plainPreview, replyDraft, senderOf } from '../comms/logic';
import type { EmailDraft } from '../comms/EmailComposer';
import { useMe } from '../comms/me';
import { useCommsText } from '../comms/text';
import { Tick } from '../comms/Tick';
import { NewTicketFromEntry, TicketTimelineRow } from '../tickets/entry';
import type { TicketEvent } from '../tickets/logic';
import { formatDateTime, formatDateTimeInput, parseDateTimeInput, useI18n } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import { ErrorBox, Field, Notice, useAuth } from '../ui';

// The composers and the thread view are loaded on first use, keeping the first page small.
const EmailComposer = lazy(() => import('../comms/EmailComposer'));
// The thread view's code is fetched ahead (see CommsTab) and rendered without a Suspense
// boundary: a boundary that suspends shows its fallback for at least 300 ms, the whole budget
// for opening a conversation.
let threadModule: typeof import('../comms/ThreadView') | null = null;
const loadThreadView = () => import('../comms/ThreadView').then((m) => (threadModule = m));
const WhatsAppBox = lazy(() => import('../comms/WhatsAppBox'));

const MANUAL_TYPES: CommsType[] = ['call', 'note', 'sms', 'in_person'];
const ICON: Record<string, string> = { email: '✉', whatsapp: '◉', call: '☎', sms: '✆', note: '✎', in_person: '⌂', media: '▣', order_created: '№', order_status: '⇄' };

/** The time field's value for now, in local time, the Greek way (24-hour). */
function nowLocal(): string {
  return formatDateTimeInput(new Date());
}

/** What a timeline entry can do (each only where given and allowed). */
export interface EntryActions {
  onReply?: (e: Entry, mode: 'reply' | 'replyAll') => void;
  onThread?: (e: Entry) => void;
  onChanged?: () => void;
}

export function EntryView({ e, actions }: { e: Entry; actions?: EntryActions }) {
  const { tr } = useI18n();
  const c = useCommsText();
  const { canEdit } = useAuth();
  const mail = e.type === 'email';
  const replyable = mail || (e.type === 'whatsapp' && e.direction === 'inbound');
  return (
    <div className="entry" data-testid="entry" data-type={e.type} data-id={e.id}>
      <div className="entry-head">
        <span className={`kind k-${e.type}`}>{ICON[e.type]} {tr('cm_', e.type)}</span>
        <span className={`dir d-${e.direction}`}>{tr('dir_', e.direction)}</span>
        {e.sender && <span className="muted">{e.sender}</span>}
        {e.type === 'whatsapp' && e.direction === 'outbound' && <Tick e={e} />}
        <span className="muted right">{formatDateTime(e.occurred_at)}{e.logged_by ? ` · ${e.logged_by}` : ''}</span>
      </div>
      {e.subject && (mail && actions?.onThread ? (
        <button type="button" className="link subject" data-testid="open-thread" title={c.openThread} onClick={() => actions.onThread?.(e)}>{e.subject}</button>
      ) : <strong className="subject">{e.subject}</strong>)}
      {e.body && <p className="body">{mail && looksLikeHtml(e.body) ? plainPreview(e.body) : e.body}</p>}
      <Attachments items={e.attachments} />
      {canEdit && actions && (
        <div className="entry-actions">
          {replyable && actions.onReply && <button type="button" className="icon" data-testid="reply" onClick={() => actions.onReply?.(e, 'reply')}>↩ {c.reply}</button>}
          {mail && actions.onReply && <button type="button" className="icon" data-testid="reply-all" onClick={() => actions.onReply?.(e, 'replyAll')}>↩↩ {c.replyAll}</button>}
          {isManual(e) && actions.onChanged && <ManualEntryControls e={e} onChanged={actions.onChanged} />}
          <NewTicketFromEntry entryId={e.id} />
        </div>
      )}
    </div>
  );
}

function TimelineRow({ item, actions }: { item: TimelineItem; actions: EntryActions }) {
  const { t, tr } = useI18n();
  switch (item.kind) {
    case 'comms':
      return <EntryView e={item.entry} actions={actions} />;
    case 'media':
      return (
        <div className="entry">
          <div className="entry-head">
            <span className="kind">{ICON.media} {t.fileEvent}</span>
            <span className="muted right">{formatDateTime(item.at)}</span>
          </div>
          <span>{item.media.filename}</span>
        </div>
      );
    case 'order_created':
    case 'order_status':
      return (
        <div className="entry">
          <div className="entry-head">
            <span className="kind">{ICON[item.kind]} {item.kind === 'order_created' ? t.orderCreated : t.orderStatus}</span>
            <span className="muted right">{formatDateTime(item.at)}</span>
          </div>
          <Link to={`/orders/${item.order.order_id}`}>{item.order.order_number}</Link>{' '}
          {item.order.from ? `${tr('st_', item.order.from)} → ` : ''}
          {tr('st_', item.order.to)}
        </div>
      );
    case 'note':
      return (
        <div className="entry">
          <div className="entry-head">
            <span className="kind">{ICON.note} {t.noteEvent}</span>
            <span className="muted right">{formatDateTime(item.at)} · {item.note.by}</span>
          </div>
          <p className="body">{item.note.text}</p>
        </div>
      );
    default:
      // tickets opened or moved and visits (`ticket_created`, `ticket_status`, `visit`)
      return <TicketTimelineRow item={item as unknown as { kind: string; at: string; ticket?: TicketEvent }} />;
  }
}

type Row = { key: string; item: TimelineItem };

type Composer = { kind: 'email'; draft?: EmailDraft; key: number } | { kind: 'whatsapp'; key: number } | null;

export function CommsTab({ customerId }: { customerId: string }) {
  const { t, tr } = useI18n();
  const c = useCommsText();
  const { canEdit } = useAuth();
  const me = useMe();
  const { query, path } = useLocation();
  // «E-mail» / «WhatsApp» beside a contact opens this tab with `compose=` (and `to=`).
  const asked = query.get('compose');
  const askedTo = query.get('to');
  const [composer, setComposer] = useState<Composer>(null);
  const [thread, setThread] = useState<string | null>(null);
  useEffect(() => {
    if (!canEdit) return;
    if (asked === 'email') setComposer({ kind: 'email', draft: askedTo ? { to: [askedTo] } : {}, key: Date.now() });
    else if (asked === 'whatsapp') setComposer({ kind: 'whatsapp', key: Date.now() });
    if (asked) navigate(`${path}?tab=comms`, true);
  }, [asked, askedTo, canEdit, path]);
  const [type, setType] = useState<CommsType | ''>('');
  const [direction, setDirection] = useState<Direction | ''>('');
  const [rows, setRows] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const filtered = type !== '' || direction !== '';

  async function page(after: string | null, signal?: AbortSignal): Promise<{ rows: Row[]; next: string | null }> {
    const sig = signal ? { signal } : {};
    if (!filtered) {
      const a = await call(
        api.GET('/api/crm/customers/{id}/timeline', { params: { path: { id: customerId }, query: { limit: 50, ...(after ? { cursor: after } : {}) } }, ...sig }),
      );
      const items = a.data.items as unknown as TimelineItem[];
      return { rows: items.map((item) => ({ key: `${item.kind}:${item.link_id}:${item.at}:${'index' in item ? item.index : ''}`, item })), next: a.data.next_cursor ?? null };
    }
    const a = await call(
      api.GET('/api/crm/comms', {
        params: {
          query: {
            customer_id: customerId,
            limit: 50,
            ...(type ? { type: asDoc<Schemas['CommsType']>(type) } : {}),
            ...(direction ? { direction: asDoc<Schemas['Direction']>(direction) } : {}),
            ...(after ? { cursor: after } : {}),
          },
        },
        ...sig,
      }),
    );
    const entries = a.data.entries as unknown as Entry[];
    return { rows: entries.map((e) => ({ key: `comms:${e.id}`, item: { kind: 'comms', at: e.occurred_at, link_id: e.id, entry: e } })), next: a.data.next_cursor ?? null };
  }

  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    page(null, ctl.signal).then(
      (p) => { setRows(p.rows); setCursor(p.next); setError(null); setLoading(false); },
      (e: unknown) => { if (!ctl.signal.aborted) { setError(e); setLoading(false); } },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [customerId, type, direction, tick]);

  async function more() {
    try {
      const p = await page(cursor);
      setRows((r) => [...r, ...p.rows]);
      setCursor(p.next);
    } catch (e) {
      setError(e);
    }
  }

  const refresh = () => setTick((x) => x + 1);
  // With e-mail on the timeline, fetch the thread view's code while the user reads, so
  // opening a conversation waits only for its messages.
  const hasMail = rows.some((r) => r.item.kind === 'comms' && r.item.entry.type === 'email');
  const [, setThreadLoaded] = useState(false);
  useEffect(() => {
    if (hasMail && !threadModule) void loadThreadView().then(() => setThreadLoaded(true));
  }, [hasMail]);
  // The office's own addresses, left out of a reply-all: what our sent mail came from, and
  // the mailbox an inbound mail was read from.
  const own = rows.flatMap((r) => {
    if (r.item.kind !== 'comms' || r.item.entry.type !== 'email') return [];
    const meta = (r.item.entry.meta ?? {}) as { from?: unknown; imap?: { account?: unknown } };
    return [...(r.item.entry.direction === 'outbound' ? addressesOf(meta.from) : []), ...(typeof meta.imap?.account === 'string' ? [meta.imap.account] : [])];
  });
  const actions: EntryActions = {
    onReply: (e, mode) => {
      if (e.type === 'whatsapp') setComposer({ kind: 'whatsapp', key: Date.now() });
      else {
        const d = replyDraft(e, mode, [...own, ...(me?.username ? [me.username] : [])], c.quoteHead(formatDateTime(e.occurred_at), senderOf(e)));
        setComposer({ kind: 'email', draft: d, key: Date.now() });
      }
      window.scrollTo?.({ top: 0, behavior: 'smooth' });
    },
    onThread: (e) => {
      const toggle = () => setThread((x) => (x === e.id ? null : e.id));
      if (threadModule) toggle();
      else void loadThreadView().then(toggle, setError);
    },
    onChanged: refresh,
  };

  return (
    <div className="comms">
      {canEdit && <EntryForm customerId={customerId} onLogged={refresh} />}
      {canEdit && (
        <div className="actions compose-buttons">
          <button type="button" data-testid="new-email" onClick={() => setComposer({ kind: 'email', draft: {}, key: Date.now() })}>✉ {t.newEmail}</button>
          <button type="button" data-testid="new-whatsapp" onClick={() => setComposer({ kind: 'whatsapp', key: Date.now() })}>◉ {c.whatsapp}</button>
        </div>
      )}
      {canEdit && composer && (
        <Suspense fallback={<p className="muted">{t.loading}</p>}>
          {composer.kind === 'email' ? (
            <EmailComposer key={composer.key} customerId={customerId} {...(composer.draft ? { draft: composer.draft } : {})} onSent={refresh} onClose={() => setComposer(null)} />
          ) : (
            <WhatsAppBox key={composer.key} customerId={customerId} onSent={refresh} onClose={() => setComposer(null)} />
          )}
        </Suspense>
      )}
      {thread && threadModule && <threadModule.default key={thread} entryId={thread} onClose={() => setThread(null)} />}
      <div className="toolbar">
        <h2>{t.timeline}</h2>
        <select aria-label={t.type} value={type} onChange={(e) => setType(e.target.value as CommsType | '')}>
          <option value="">{t.type}: {t.all}</option>
          {COMMS_TYPES.map((x) => <option key={x} value={x}>{tr('cm_', x)}</option>)}
        </select>
        <select aria-label={t.direction} value={direction} onChange={(e) => setDirection(e.target.value as Direction | '')}>
          <option value="">{t.direction}: {t.allFem}</option>
          {DIRECTIONS.map((x) => <option key={x} value={x}>{tr('dir_', x)}</option>)}
        </select>
      </div>
      <ErrorBox error={error} />
      <ol className="timeline" aria-busy={loading}>
        {rows.map((r) => <li key={r.key}><TimelineRow item={r.item} actions={actions} /></li>)}
      </ol>
      {!loading && rows.length === 0 && <p className="muted">{t.none}</p>}
      {cursor && <button type="button" onClick={more}>{t.more}</button>}
    </div>
  );
}

function EntryForm({ customerId, onLogged }: { customerId: string; onLogged: () => void }) {
  const { t, tr } = useI18n();
  const [f, setF] = useState<{ type: CommsType; direction: Direction; subject: string; body: string; at: string }>({ type: 'call', direction: 'outbound', subject: '', body: '', at: nowLocal() });
  // Untouched, the time field means "now": the server stamps the entry to the second.
  const [atTouched, setAtTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const at = atTouched && f.at.trim() ? parseDateTimeInput(f.at) : null;
    if (atTouched && f.at.trim() && !at) {
      setError(new Error(t.badDateTime));
      return;
    }
    setBusy(true);
    setError(null);
    setNotice(null);
    const body: NewEntry = {
      customer_id: customerId,
      type: f.type,
      direction: f.direction,
      subject: f.subject.trim() || null,
      body: f.body.trim() || null,
      occurred_at: at ? at.toISOString() : null,
    };
    try {
      await call(api.POST('/api/crm/comms', { body: asDoc<Schemas['NewEntry']>(body) }));
      setF((x) => ({ ...x, subject: '', body: '', at: nowLocal() }));
      setAtTouched(false);
      setNotice(t.logged);
      onLogged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="entry-form" onSubmit={submit}>
      <div className="grid">
        <Field label={t.type}>
          <select name="type" value={f.type} onChange={(e) => { const type = e.target.value as CommsType; setF((x) => ({ ...x, type, direction: type === 'note' ? 'internal' : x.direction })); }}>
            {MANUAL_TYPES.map((x) => <option key={x} value={x}>{tr('cm_', x)}</option>)}
          </select>
        </Field>
        <Field label={t.direction}>
          <select name="direction" value={f.direction} onChange={(e) => setF((x) => ({ ...x, direction: e.target.value as Direction }))}>
            {DIRECTIONS.map((x) => <option key={x} value={x}>{tr('dir_', x)}</option>)}
          </select>
        </Field>
        <Field label={t.occurred_at}><input name="occurred_at" inputMode="numeric" placeholder={t.dateTimeHint} value={f.at} onChange={(e) => { setAtTouched(true); setF((x) => ({ ...x, at: e.target.value })); }} /></Field>
        <Field label={t.subject}><input name="subject" value={f.subject} onChange={(e) => setF((x) => ({ ...x, subject: e.target.value }))} /></Field>
        <Field label={t.body} wide><textarea name="body" value={f.body} onChange={(e) => setF((x) => ({ ...x, body: e.target.value }))} /></Field>
      </div>
      <ErrorBox error={error} />
      {notice && <Notice>{notice}</Notice>}
      <div className="actions"><button type="submit" className="primary" disabled={busy}>{t.logEntry}</button></div>
    </form>
  );
}

/**
 * Writes an e-mail to the customer (`POST /api/crm/email/send`): a button that opens the
 * composer (loaded on first use), which also attaches order documents and Nextcloud files.
 */
export function EmailForm({ customerId, onSent }: { customerId: string; onSent: () => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <div className="actions">
        <button type="button" onClick={() => setOpen(true)}>✉ {t.newEmail}</button>
      </div>
    );
  }
  return (
    <Suspense fallback={<p className="muted">{t.loading}</p>}>
      <EmailComposer customerId={customerId} onSent={onSent} onClose={() => setOpen(false)} />
    </Suspense>
  );
}
