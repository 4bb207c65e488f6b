import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, call, fetchFile, ifMatch, uploadFile, type Customer, type MediaItem } from '../api/client';
import { formatBytes, formatDateTime, useI18n } from '../i18n';
import { isNotConfigured } from '../errors';
import { ConfirmButton, ErrorBox, Field, Notice, useAuth, useLoad } from '../ui';
import { suggestFolder } from './Customers';
import type { SavePatch } from './customer';

export const SUBFOLDERS = ['Sent Media', 'Received Media', 'Internal'] as const;

const isImage = (m: MediaItem) => (m.mime_type ?? '').startsWith('image/') || /\.(jpe?g|png|gif|webp|bmp|svg)$/i.test(m.filename);

/** An image fetched through the gateway's proxy with the token (an <img src> cannot send it). */
export function AuthImage({ path, alt }: { path: string; alt: string }) {
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const ctl = new AbortController();
    let url: string | null = null;
    fetchFile(path, ctl.signal).then(
      (blob) => {
        url = URL.createObjectURL(blob);
        setSrc(url);
      },
      () => { if (!ctl.signal.aborted) setFailed(true); },
    );
    return () => {
      ctl.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [path]);
  if (failed) return <span className="thumb broken">✕</span>;
  return src ? <img className="thumb" src={src} alt={alt} loading="lazy" /> : <span className="thumb loading" />;
}

async function download(m: MediaItem) {
  const blob = await fetchFile(m.path);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = m.filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function MediaTab({ c, save }: { c: Customer; save: SavePatch }) {
  const { t, tr } = useI18n();
  const { canEdit } = useAuth();
  const list = useLoad((signal) => call(api.GET('/api/crm/customers/{id}/media', { params: { path: { id: c.id } }, signal })).then((a) => a.data), [c.id, c.nextcloud_folder]);
  const [sub, setSub] = useState<(typeof SUBFOLDERS)[number]>('Sent Media');
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [folder, setFolder] = useState(c.nextcloud_folder ?? suggestFolder(c.name));
  const fileRef = useRef<HTMLInputElement>(null);
  // `read`, `not_configured`, `no_folder`, `not_found`, `invalid_folder` or `unavailable`. Read
  // as a plain string: the document's `FolderStatus` schema name is shared by two types (the
  // Nextcloud folder's and the mail sync's), and utoipa keeps only one of them.
  const folderStatus = list.data ? String(list.data.folder_status as unknown) : null;
  // Nextcloud off: say so once and offer no upload or folder controls (they could only fail).
  const notConfigured = folderStatus === 'not_configured' || isNotConfigured(list.error) || isNotConfigured(error);

  async function upload(e: FormEvent) {
    e.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file || !c.nextcloud_folder) return;
    setError(null);
    setNotice(null);
    setProgress({ loaded: 0, total: file.size });
    try {
      await uploadFile({ file, folder: `${c.nextcloud_folder}/${sub}`, customerId: c.id, onProgress: (loaded, total) => setProgress({ loaded, total }) });
      setNotice(`${t.upload}: ${file.name} ✓`);
      if (fileRef.current) fileRef.current.value = '';
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  }

  async function remove(m: MediaItem) {
    setError(null);
    try {
      if (m.source === 'record' && m.record) {
        await call(api.DELETE('/api/crm/media/{id}', { params: { path: { id: m.record.id }, header: { 'If-Match': ifMatch(m.record) } } }));
      } else {
        await call(api.DELETE('/api/crm/nextcloud/file', { params: { query: { path: m.path } } }));
      }
      list.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div className="media">
      {notConfigured ? (
        <p className="notice not-configured" role="status">{t.filesNotConfigured}</p>
      ) : !c.nextcloud_folder ? (
        <form className="folder-form" onSubmit={(e) => { e.preventDefault(); void save({ nextcloud_folder: folder.trim() || null }); }}>
          <p>{t.noFolder}</p>
          {canEdit && (
            <>
              <input value={folder} onChange={(e) => setFolder(e.target.value)} aria-label={t.nextcloud_folder} />
              <button type="submit">{t.setFolder}</button>
            </>
          )}
        </form>
      ) : (
        <p className="muted small">{t.nextcloud_folder}: <code>{c.nextcloud_folder}</code></p>
      )}
      {canEdit && c.nextcloud_folder && !notConfigured && (
        <form className="upload" onSubmit={upload}>
          <Field label={t.subfolder}>
            <select name="subfolder" value={sub} onChange={(e) => setSub(e.target.value as (typeof SUBFOLDERS)[number])}>
              <option value="Sent Media">{t.sentMedia}</option>
              <option value="Received Media">{t.receivedMedia}</option>
              <option value="Internal">{t.internal}</option>
            </select>
          </Field>
          <Field label={t.chooseFile}><input ref={fileRef} type="file" name="file" required /></Field>
          <button type="submit" className="primary" disabled={!!progress}>{t.upload}</button>
          {progress && (
            <progress className="upload-progress" max={progress.total || 1} value={progress.loaded}>
              {Math.round((100 * progress.loaded) / (progress.total || 1))}%
            </progress>
          )}
        </form>
      )}
      {!isNotConfigured(error) && <ErrorBox error={error} />}
      {notice && <Notice>{notice}</Notice>}
      {!isNotConfigured(list.error) && <ErrorBox error={list.error} />}
      {folderStatus && !['read', 'no_folder', 'not_configured'].includes(folderStatus) && (
        <p className="warn">{tr('fs_', folderStatus) === folderStatus ? t.folderUnavailable : tr('fs_', folderStatus)}</p>
      )}
      {list.data && (
        <ul className="files">
          {list.data.items.map((m) => (
            <li key={m.path} className="file">
              {isImage(m) ? <AuthImage path={m.path} alt={m.filename} /> : <span className="thumb doc">{m.filename.split('.').pop()?.toUpperCase()}</span>}
              <div className="file-meta">
                <button type="button" className="link" onClick={() => download(m).catch(setError)} title={t.download}>{m.filename}</button>
                <small className="muted">
                  {tr('md_', m.direction)} · {formatBytes(m.size ?? m.record?.size)} · {formatDateTime(m.last_modified ?? m.record?.created_at)}
                </small>
                {canEdit && <ConfirmButton label={t.delete} onConfirm={() => void remove(m)} />}
              </div>
            </li>
          ))}
        </ul>
      )}
      {list.data?.items.length === 0 && <p className="muted">{t.none}</p>}
    </div>
  );
}
