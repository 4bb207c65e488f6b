// An e-mail's conversation (loaded on first use): every message of its thread, oldest first,
// from `GET /api/crm/comms/{id}/thread`. Bodies are shown safely — HTML sanitised, remote
// images held back until «Εμφάνιση εικόνων» — and rendered lazily: the newest messages at
// once, older ones a page at a time, each body only when its message is opened, so a
// 200-message thread opens as fast as a short one.
import { memo, useMemo, useState } from 'react';
import { api, call, type Entry } from '../api/client';
import { formatDateTime, useI18n } from '../i18n';
import { ErrorBox, useLoad } from '../ui';
import { Attachments } from './Attachments';
import { addressesOf, looksLikeHtml, senderOf } from './logic';
import { sanitizeEmailHtml } from './sanitize';
import { useCommsText } from './text';

/** How many of the newest messages are listed at first, and how many more each click adds. */
export const THREAD_PAGE = 20;

export function MailBody({ body, html }: { body: string; html: boolean }) {
  const c = useCommsText();
  const [remote, setRemote] = useState(false);
  const safe = useMemo(() => (html ? sanitizeEmailHtml(body, remote) : null), [body, html, remote]);
  if (!safe) return <p className="body">{body}</p>;
  return (
    <div className="mail-html">
      {safe.blocked > 0 && !remote && (
        <p className="images-blocked" data-testid="images-blocked">
          {c.imagesBlocked(safe.blocked)}{' '}
          <button type="button" onClick={() => setRemote(true)}>{c.showImages}</button>
        </p>
      )}
      <div className="body" dangerouslySetInnerHTML={{ __html: safe.html }} />
    </div>
  );
}

const Message = memo(function Message({ e, initiallyOpen }: { e: Entry; initiallyOpen: boolean }) {
  const c = useCommsText();
  const [open, setOpen] = useState(initiallyOpen);
  const meta = (e.meta ?? {}) as Record<string, unknown>;
  const body = e.body ?? '';
  const html = meta.html === true || meta.body_html === true || looksLikeHtml(body);
  return (
    <li className={`thread-msg d-${e.direction}`} data-testid="thread-message">
      <button type="button" className="thread-head" aria-expanded={open} onClick={() => setOpen((x) => !x)}>
        <strong>{senderOf(e)}</strong>
        <span className="muted">{e.subject}</span>
        <span className="muted right">{formatDateTime(e.occurred_at)}</span>
      </button>
      {open && (
        <div className="thread-body">
          <p className="muted small">
            {c.to}: {addressesOf(meta.to).join(', ')}
            {addressesOf(meta.cc).length > 0 && ` · ${c.cc}: ${addressesOf(meta.cc).join(', ')}`}
          </p>
          <MailBody body={body} html={html} />
          <Attachments items={e.attachments} />
        </div>
      )}
    </li>
  );
});

export default function ThreadView({ entryId, onClose }: { entryId: string; onClose: () => void }) {
  const { t } = useI18n();
  const c = useCommsText();
  const [shown, setShown] = useState(THREAD_PAGE);
  const thread = useLoad(
    (signal) => call(api.GET('/api/crm/comms/{id}/thread', { params: { path: { id: entryId } }, signal })).then((a) => (a.data.entries ?? []) as unknown as Entry[]),
    [entryId],
  );
  const entries = thread.data ?? [];
  const hidden = Math.max(0, entries.length - shown);
  const visible = entries.slice(hidden);
  return (
    <section className="thread" data-testid="thread" aria-busy={thread.loading} data-count={entries.length}>
      <div className="toolbar">
        <h3>{c.thread} ({entries.length})</h3>
        <button type="button" onClick={onClose}>{c.closeThread}</button>
      </div>
      <ErrorBox error={thread.error} />
      {thread.loading && <p className="muted">{t.loading}</p>}
      {hidden > 0 && (
        <button type="button" className="older" onClick={() => setShown((n) => n + THREAD_PAGE * 5)}>
          {c.olderMessages(hidden)}
        </button>
      )}
      <ol className="thread-list">
        {visible.map((e, i) => (
          <Message key={e.id} e={e} initiallyOpen={e.id === entryId || i === visible.length - 1} />
        ))}
      </ol>
    </section>
  );
}
