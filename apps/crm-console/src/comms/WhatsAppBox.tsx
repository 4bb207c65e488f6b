// The WhatsApp reply box of a customer: which kind of message can go out and why (the 24-hour
// service window), free text or a file inside it, an approved template outside it, and the
// delivery ticks of what was sent, refreshed while the page is open.
import { useEffect, useState, type FormEvent } from 'react';
import { api, asDoc, call, type Entry, type Schemas } from '../api/client';
import { formatDateTime, useI18n } from '../i18n';
import { ErrorBox, Field, Notice, useLoad } from '../ui';
import { FolderPicker } from './EmailComposer';
import { windowWording } from './logic';
import { Tick } from './Tick';
import { useCommsText } from './text';

/** How often the ticks and the window are read again while the box is open (ms). */
export const POLL_MS = 5000;

export function usePoll(ms: number, enabled = true): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    const h = setInterval(() => { if (!document.hidden) setN((x) => x + 1); }, ms);
    return () => clearInterval(h);
  }, [ms, enabled]);
  return n;
}

export default function WhatsAppBox({ customerId, onSent, onClose }: { customerId: string; onSent: () => void; onClose?: () => void }) {
  const { t } = useI18n();
  const c = useCommsText();
  const poll = usePoll(POLL_MS);
  const [tick, setTick] = useState(0);
  const win = useLoad((signal) => call(api.GET('/api/crm/whatsapp/window', { params: { query: { customer_id: customerId } }, signal })).then((a) => a.data), [customerId, tick, Math.floor(poll / 12)]);
  const customer = useLoad((signal) => call(api.GET('/api/crm/customers/{id}', { params: { path: { id: customerId } }, signal })).then((a) => a.data), [customerId]);
  const recent = useLoad(
    (signal) =>
      call(
        api.GET('/api/crm/comms', {
          params: { query: { customer_id: customerId, limit: 10, type: asDoc<Schemas['CommsType']>('whatsapp'), direction: asDoc<Schemas['Direction']>('outbound') } },
          signal,
        }),
      ).then((a) => a.data.entries as unknown as Entry[]),
    [customerId, poll, tick],
  );
  const [text, setText] = useState('');
  const [tpl, setTpl] = useState({ name: '', language: 'el', parameters: '' });
  const [media, setMedia] = useState<string[]>([]);
  const [caption, setCaption] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const open = !!win.data?.open;

  async function send(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    let body: Schemas['WhatsAppSendRequest'];
    if (!open) {
      body = { customer_id: customerId, template: { name: tpl.name.trim(), language: tpl.language.trim(), parameters: tpl.parameters.split('\n').map((s) => s.trim()).filter(Boolean) } };
    } else if (media[0]) {
      body = { customer_id: customerId, media: { nextcloud_path: media[0], ...(caption.trim() ? { caption: caption.trim() } : {}) } };
    } else {
      body = { customer_id: customerId, text };
    }
    try {
      await call(api.POST('/api/crm/whatsapp/send', { body }));
      setText('');
      setMedia([]);
      setCaption('');
      setNotice(t.sent);
      setTick((x) => x + 1);
      onSent();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="entry-form wa-box" onSubmit={send} data-testid="whatsapp-box" data-window={win.data ? (open ? 'open' : 'closed') : 'unknown'}>
      <div className="toolbar">
        <h2>{c.whatsapp}</h2>
        {onClose && <button type="button" onClick={onClose}>{t.cancel}</button>}
      </div>
      {win.data && (
        <p className={open ? 'window window-open' : 'window window-closed'} data-testid="wa-window">
          {windowWording(win.data, new Date(), c)}
        </p>
      )}
      <ErrorBox error={win.error} />
      {win.data && open && (
        <div className="grid">
          <Field label={c.waText} wide><textarea name="wa-text" value={text} onChange={(e) => setText(e.target.value)} required={!media.length} /></Field>
          {customer.data && (
            <div className="wide">
              <FolderPicker folder={customer.data.nextcloud_folder ?? null} customerId={customerId} picked={media} onPick={setMedia} onError={setError} single />
              {media.length > 0 && <Field label={c.waCaption}><input name="wa-caption" value={caption} onChange={(e) => setCaption(e.target.value)} /></Field>}
            </div>
          )}
        </div>
      )}
      {win.data && !open && (
        <div className="grid" data-testid="wa-template">
          <Field label={c.waTemplateName}><input name="wa-template" value={tpl.name} onChange={(e) => setTpl((x) => ({ ...x, name: e.target.value }))} required /></Field>
          <Field label={c.waLanguage}><input name="wa-language" value={tpl.language} onChange={(e) => setTpl((x) => ({ ...x, language: e.target.value }))} required /></Field>
          <Field label={c.waParams} wide><textarea name="wa-params" value={tpl.parameters} onChange={(e) => setTpl((x) => ({ ...x, parameters: e.target.value }))} /></Field>
        </div>
      )}
      <ErrorBox error={error} />
      {notice && <Notice>{notice}</Notice>}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || !win.data}>{c.waSend}</button>
      </div>
      {!!recent.data?.length && (
        <>
          <h3>{c.waRecent}</h3>
          <ul className="wa-recent">
            {recent.data.map((e) => (
              <li key={e.id} data-testid="wa-sent">
                <span className="muted">{formatDateTime(e.occurred_at)}</span> {e.body ?? e.subject ?? e.attachments[0]?.filename ?? ''} <Tick e={e} />
              </li>
            ))}
          </ul>
        </>
      )}
    </form>
  );
}
