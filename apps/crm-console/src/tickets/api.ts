// The service desk's calls: fetch with the session's token, errors as ApiError (the same
// envelope as every call), the ETag of a record read. Typed by logic.ts's wire shapes.
import { ApiError, session, toApiError, type Answer } from '../api/client';

export async function tk<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, opts: { ifMatch?: string; signal?: AbortSignal } = {}): Promise<Answer<T>> {
  const t = session.token();
  const headers: Record<string, string> = {};
  if (t) headers.Authorization = `Bearer ${t}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.ifMatch) headers['If-Match'] = opts.ifMatch;
  const url = `/api/crm${path}`;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e), undefined, url);
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (res.status === 401) session.clear();
  if (!res.ok) throw toApiError(res.status, data, url);
  return { data: data as T, etag: res.headers.get('ETag'), status: res.status };
}

/** The If-Match of a record: its ETag when known, else its version's. */
export const etagOf = (r: { version: number }, etag?: string | null) => etag ?? `"${r.version}"`;
