// The e-mail composer (loaded on first use): to one of the customer's addresses or any, with
// copies, a reply's threading header, the user's signature, order documents rendered as PDF,
// and files from the customer's Nextcloud folder — picked there or uploaded on the spot.
import { useEffect, useState, type FormEvent } from 'react';
import { api, call, uploadFile, type Schemas } from '../api/client';
import { formatBytes, useI18n } from '../i18n';
import { documentChoices, type OrderDocument } from './logic';
import { ErrorBox, Field, Notice, splitList, useLoad } from '../ui';
import { withSignature } from './logic';
import { useMe } from './me';
import { useCommsText } from './text';

export interface EmailDraft {
  to?: string[];
  cc?: string[];
  subject?: string;
  text?: string;
  in_reply_to?: string | null;
}

export default function EmailComposer({ customerId, draft, onSent, onClose }: { customerId: string; draft?: EmailDraft; onSent: () => void; onClose: () => void }) {
  const { t, tr } = useI18n();
  const c = useCommsText();
  const me = useMe();
  const [f, setF] = useState({ to: (draft?.to ?? []).join(', '), cc: (draft?.cc ?? []).join(', '), subject: draft?.subject ?? '', text: draft?.text ?? '' });
  const [docs, setDocs] = useState<string[]>([]);
  const [files, setFiles] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const data = useLoad(
    async (signal) => {
      const [cu, o] = await Promise.all([
        call(api.GET('/api/crm/customers/{id}', { params: { path: { id: customerId } }, signal })),
        call(api.GET('/api/crm/orders', { params: { query: { customer_id: customerId, limit: 200 } }, signal })),
      ]);
      const contacts = Array.isArray(cu.data.contacts) ? cu.data.contacts : [];
      return {
        emails: contacts.filter((x) => x.type === 'email').sort((a, b) => Number(b.primary) - Number(a.primary)).map((x) => x.value),
        orders: Array.isArray(o.data.orders) ? o.data.orders : [],
        folder: cu.data.nextcloud_folder ?? null,
      };
    },
    [customerId],
  );
  useEffect(() => {
    const first = data.data?.emails[0];
    if (first) setF((x) => (x.to ? x : { ...x, to: first }));
  }, [data.data]);

  const choices = documentChoices(data.data?.orders ?? []);
  const key = (d: OrderDocument) => `${d.order_id}:${d.kind}`;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    const order_documents = choices.filter((d) => docs.includes(key(d))).map((d) => ({ order_id: d.order_id, kind: d.kind }));
    const body: Schemas['SendRequest'] = {
      customer_id: customerId,
      to: splitList(f.to),
      subject: f.subject.trim(),
      text: withSignature(f.text, me?.signature),
      order_documents,
      ...(splitList(f.cc).length ? { cc: splitList(f.cc) } : {}),
      ...(files.length ? { attachments: files } : {}),
      ...(draft?.in_reply_to ? { in_reply_to: draft.in_reply_to } : {}),
    };
    try {
      const a = await call(api.POST('/api/crm/email/send', { body }));
      setF((x) => ({ ...x, subject: '', text: '' }));
      setDocs([]);
      setFiles([]);
      setNotice(a.data.warning ? t.sentWithWarning : t.sent);
      onSent();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="entry-form email-form" onSubmit={submit} data-testid="email-composer">
      <h2>{draft?.in_reply_to ? `${c.replyingTo} «${draft.subject ?? ''}»` : t.newEmail}</h2>
      <div className="grid">
        <Field label={t.emailTo} wide>
          <input name="to" list={`emails-${customerId}`} value={f.to} onChange={(e) => setF((x) => ({ ...x, to: e.target.value }))} required />
        </Field>
        <datalist id={`emails-${customerId}`}>{data.data?.emails.map((m) => <option key={m} value={m} />)}</datalist>
        <Field label={c.cc} wide><input name="cc" list={`emails-${customerId}`} value={f.cc} onChange={(e) => setF((x) => ({ ...x, cc: e.target.value }))} /></Field>
        <Field label={t.subject} wide><input name="subject" value={f.subject} onChange={(e) => setF((x) => ({ ...x, subject: e.target.value }))} required /></Field>
        <Field label={t.body} wide><textarea name="text" rows={8} value={f.text} onChange={(e) => setF((x) => ({ ...x, text: e.target.value }))} required /></Field>
      </div>
      {me?.signature && (
        <p className="muted signature" data-testid="signature">
          {c.signatureAdded} <span className="sig">{me.signature}</span>
        </p>
      )}
      <fieldset className="attach-documents">
        <legend>{t.attachDocuments}</legend>
        {choices.length === 0 && <p className="muted">{data.loading ? t.loading : t.noOrderDocuments}</p>}
        {choices.map((d) => (
          <label key={key(d)}>
            <input
              type="checkbox"
              checked={docs.includes(key(d))}
              onChange={(e) => setDocs((x) => (e.target.checked ? [...x, key(d)] : x.filter((y) => y !== key(d))))}
            />{' '}
            {tr('doc_', d.kind)} {d.order_number}
          </label>
        ))}
      </fieldset>
      {data.data && <FolderPicker folder={data.data.folder} customerId={customerId} picked={files} onPick={setFiles} onError={setError} />}
      <ErrorBox error={error ?? data.error} />
      {notice && <Notice>{notice}</Notice>}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>{t.send}</button>
        <button type="button" onClick={onClose}>{t.cancel}</button>
      </div>
    </form>
  );
}

/** Files of the customer's Nextcloud folder to attach (paths), with an upload that adds one. */
export function FolderPicker({ folder, customerId, picked, onPick, onError, single }: { folder: string | null; customerId: string; picked: string[]; onPick: (p: string[]) => void; onError: (e: unknown) => void; single?: boolean }) {
  const c = useCommsText();
  const { t } = useI18n();
  const [path, setPath] = useState(folder);
  const [progress, setProgress] = useState<number | null>(null);
  const listing = useLoad(
    async (signal) => {
      if (!path) return [];
      const a = await call(api.GET('/api/crm/nextcloud/browse', { params: { query: { path } }, signal }));
      return Array.isArray(a.data.items) ? a.data.items : [];
    },
    [path],
  );
  if (!folder) return <p className="muted">{c.attachments}: {c.noFolder}</p>;
  const toggle = (p: string, on: boolean) => onPick(single ? (on ? [p] : []) : on ? [...picked, p] : picked.filter((x) => x !== p));

  async function upload(file: File) {
    if (!path) return;
    setProgress(0);
    try {
      const up = await uploadFile({ file, folder: path, customerId, onProgress: (l, n) => setProgress(n ? l / n : 0) });
      listing.reload();
      onPick(single ? [up.file.path] : [...picked.filter((x) => x !== up.file.path), up.file.path]);
    } catch (e) {
      onError(e);
    } finally {
      setProgress(null);
    }
  }

  return (
    <fieldset className="attach-files" data-testid="attach-files">
      <legend>{c.attachments} — {c.attachFromFolder} <code>{path}</code></legend>
      {path !== folder && <button type="button" onClick={() => setPath(path?.split('/').slice(0, -1).join('/') || folder)}>{c.up}</button>}
      {listing.loading && <p className="muted">{t.loading}</p>}
      {!listing.loading && listing.data?.length === 0 && <p className="muted">{c.emptyFolder}</p>}
      <ErrorBox error={listing.error} />
      {listing.data?.map((it) =>
        it.is_dir ? (
          <button key={it.path} type="button" className="link" onClick={() => setPath(it.path)}>📁 {it.filename}</button>
        ) : (
          <label key={it.path}>
            <input type={single ? 'radio' : 'checkbox'} name="attach" value={it.path} checked={picked.includes(it.path)} onChange={(e) => toggle(it.path, e.target.checked)} /> {it.filename}{' '}
            <span className="muted">{formatBytes(it.size)}</span>
          </label>
        ),
      )}
      <label className="upload-attach">
        {c.uploadAttach}: <input type="file" name="upload" onChange={(e) => { const file = e.target.files?.[0]; if (file) void upload(file); e.target.value = ''; }} />
        {progress !== null && <progress className="upload-progress" value={progress} max={1} />}
      </label>
    </fieldset>
  );
}
