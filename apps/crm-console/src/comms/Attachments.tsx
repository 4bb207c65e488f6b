// An entry's attachments: a download link each through the gateway's Nextcloud proxy (with
// the token, so as a fetched Blob), and a thumbnail for images, loaded when shown.
import { useEffect, useState } from 'react';
import { fetchFile, saveBlob, type Schemas } from '../api/client';
import { formatBytes } from '../i18n';
import { describeError } from '../ui';
import { useI18n } from '../i18n';
import { useCommsText } from './text';

type Attachment = Schemas['Attachment'];

const isImage = (a: Attachment) => /^image\//.test(a.mime_type ?? '') || /\.(png|jpe?g|gif|webp)$/i.test(a.filename);

function Thumb({ path, alt }: { path: string; alt: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    let url: string | null = null;
    fetchFile(path, ctl.signal).then(
      (b) => { url = URL.createObjectURL(b); setSrc(url); },
      () => undefined,
    );
    return () => { ctl.abort(); if (url) URL.revokeObjectURL(url); };
  }, [path]);
  return src ? <img className="thumb" src={src} alt={alt} loading="lazy" /> : <span className="thumb" aria-hidden>▣</span>;
}

export function Attachments({ items }: { items: Attachment[] | undefined }) {
  const c = useCommsText();
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  if (!items?.length) return null;
  return (
    <ul className="attachments" aria-label={c.attachments}>
      {items.map((a, i) => {
        const path = a.nextcloud_path;
        return (
          <li key={`${a.filename}:${i}`}>
            {path && isImage(a) && <Thumb path={path} alt={a.filename} />}
            {path ? (
              <a
                href={`/api/crm/nextcloud/file?path=${encodeURIComponent(path)}`}
                data-testid="attachment-link"
                onClick={(e) => {
                  e.preventDefault();
                  setError(null);
                  fetchFile(path).then((b) => saveBlob(b, a.filename), (err: unknown) => setError(describeError(err, t)));
                }}
              >
                📎 {a.filename}
              </a>
            ) : (
              <span>📎 {a.filename}</span>
            )}{' '}
            <span className="muted">{formatBytes(a.size)}</span>
          </li>
        );
      })}
      {error && <li className="error" role="alert">{error}</li>}
    </ul>
  );
}
