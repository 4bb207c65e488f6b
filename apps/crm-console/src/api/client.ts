// The typed API client: openapi-fetch over the paths generated from the gateway's OpenAPI
// document (schema.d.ts), plus the bearer token, the ETag of each record read, and errors
// turned into ApiError. Uploads go through XMLHttpRequest for their progress events.
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Product = Schemas['Product'];
export type Customer = Schemas['Customer'];
export type Order = Schemas['Order'];
export type MediaItem = Schemas['CustomerMediaItem'];
export type Money = Schemas['Money'];

// The OpenAPI document spells crm-comms' string enums as their Rust variant names ("Call",
// "InPerson") while the API reads and writes "call", "in_person" (utoipa does not see the
// serde renames that crm-comms' `string_enum!` macro generates). Until the document says
// so itself, the wire values are declared here, once.
export type CommsType = 'email' | 'whatsapp' | 'call' | 'sms' | 'note' | 'in_person';
export type Direction = 'inbound' | 'outbound' | 'internal';
export type MediaDirection = 'received' | 'sent' | 'internal';
export const COMMS_TYPES: CommsType[] = ['email', 'whatsapp', 'call', 'sms', 'note', 'in_person'];
export const DIRECTIONS: Direction[] = ['inbound', 'outbound', 'internal'];
type Rewire<T, K extends keyof T, V> = Omit<T, K> & { [P in K]: V };
export type Entry = Rewire<Rewire<Schemas['Entry'], 'type', CommsType>, 'direction', Direction>;
export type NewEntry = Rewire<Rewire<Schemas['NewEntry'], 'type', CommsType>, 'direction', Direction>;
export type TimelineItem =
  | { kind: 'comms'; at: string; link_id: string; entry: Entry }
  | Exclude<Schemas['TimelineItem'], { kind: 'comms' }>;
/** Casts a wire value to the type the (mis-spelt) document declares. */
export function asDoc<T>(value: unknown): T {
  return value as T;
}

/** An API error in a form the UI can put into words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** The request's URL, which says what kind of record the error is about. */
    readonly url?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  /** 412: the record changed since it was read. */
  get isStale(): boolean {
    return this.status === 412 || this.code === 'stale_version';
  }
  /** The field a 422 names, if any. */
  get field(): string | undefined {
    const d = this.details as { field?: unknown } | null | undefined;
    return typeof d?.field === 'string' ? d.field : undefined;
  }
}

/** Builds an ApiError from a response and its (maybe JSON) body. */
export function toApiError(status: number, body: unknown, url?: string): ApiError {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (e && typeof e.code === 'string') {
    return new ApiError(status, e.code, typeof e.message === 'string' ? e.message : '', e.details, url);
  }
  return new ApiError(status, status === 0 ? 'network' : 'http_' + status, typeof body === 'string' ? body : '', undefined, url);
}

// --- the session: token in localStorage (every tab of the origin), permissions from its payload

export const TOKEN_KEY = 'crm.token';
type Listener = () => void;
const listeners = new Set<Listener>();

/** Whether a token's `exp` (seconds) has passed at `nowMs`; a token without `exp` never expires here. */
export function isExpired(token: string, nowMs: number): boolean {
  const exp = decodeToken(token)?.exp;
  return exp !== undefined && exp * 1000 <= nowMs;
}

/**
 * One login for every tab: the token is kept in localStorage, so a second tab, a bookmark or
 * a Ctrl-click opens logged in; an expired token counts as none; logging out in one tab logs
 * every tab out (the other tabs hear it through the `storage` event).
 */
export const session = {
  token(): string | null {
    const t = localStorage.getItem(TOKEN_KEY);
    return t && !isExpired(t, Date.now()) ? t : null;
  },
  set(token: string): void {
    localStorage.setItem(TOKEN_KEY, token);
    listeners.forEach((l) => l());
  },
  clear(): void {
    localStorage.removeItem(TOKEN_KEY);
    listeners.forEach((l) => l());
  },
  subscribe(l: Listener): () => void {
    listeners.add(l);
    const onStorage = (e: StorageEvent) => {
      if (e.key === TOKEN_KEY || e.key === null) l();
    };
    window.addEventListener('storage', onStorage);
    return () => {
      listeners.delete(l);
      window.removeEventListener('storage', onStorage);
    };
  },
};

/**
 * Where to go after logging in: the page the user asked for (`next`), if it is a path of this
 * console (not another site, not the login page itself), else the customer list.
 */
export function afterLogin(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/customers';
  if (next === '/' || next === '/login' || next.startsWith('/login?')) return '/customers';
  return next;
}

/** The login page's URL for a page asked for while logged out (`/` needs no return). */
export function loginUrl(requested: string): string {
  return requested === '/' || requested === '' ? '/login' : `/login?next=${encodeURIComponent(requested)}`;
}

export interface Claims {
  sub: string;
  permissions: string[];
  exp?: number;
}

/** Reads a JWT's payload (no verification: the server does that; this only shapes the UI). */
export function decodeToken(token: string): Claims | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const json = JSON.parse(new TextDecoder().decode(bytes)) as { sub?: unknown; permissions?: unknown; exp?: unknown };
    const p = json.permissions;
    const permissions = Array.isArray(p)
      ? p.filter((x): x is string => typeof x === 'string')
      : typeof p === 'string'
        ? p.split(/[\s,]+/).filter(Boolean)
        : [];
    return {
      sub: typeof json.sub === 'string' ? json.sub : '',
      permissions,
      ...(typeof json.exp === 'number' ? { exp: json.exp } : {}),
    };
  } catch {
    return null;
  }
}

export function canEdit(claims: Claims | null): boolean {
  return !!claims?.permissions.includes('crm:edit');
}

// --- the client --------------------------------------------------------------------------

export interface ApiOptions {
  baseUrl?: string;
  fetch?: (input: Request) => Promise<Response>;
  token?: () => string | null;
  /** Called on any 401 except a failed login. */
  onUnauthorized?: () => void;
}

export type Api = Client<paths>;

export function createApi(opts: ApiOptions = {}): Api {
  const token = opts.token ?? session.token;
  const client = createClient<paths>({
    baseUrl: opts.baseUrl ?? '',
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  client.use({
    onRequest({ request }) {
      const t = token();
      if (t) request.headers.set('Authorization', `Bearer ${t}`);
      return request;
    },
    onResponse({ request, response }) {
      if (response.status === 401 && !new URL(request.url, 'http://x').pathname.startsWith('/api/auth/')) {
        opts.onUnauthorized?.();
      }
      return response;
    },
  });
  return client;
}

/** What a call answered: the body and, for single records, the ETag to send back. */
export interface Answer<T> {
  data: T;
  etag: string | null;
  status: number;
}

/** Awaits an openapi-fetch call; throws ApiError for anything but 2xx. */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Answer<T>> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  const { response } = result;
  if (!response.ok) throw toApiError(response.status, result.error, response.url);
  return { data: result.data as T, etag: response.headers.get('ETag'), status: response.status };
}

/** The If-Match value for a record: its ETag, or the one its version stands for. */
export function ifMatch(record: { version: number }, etag?: string | null): string {
  return etag ?? `"${record.version}"`;
}

export const api: Api = createApi({ onUnauthorized: () => session.clear() });

// --- files --------------------------------------------------------------------------------

/** Fetches a Nextcloud file through the gateway's proxy (with the token) as a Blob. */
export async function fetchFile(path: string, signal?: AbortSignal): Promise<Blob> {
  const t = session.token();
  const res = await fetch(`/api/crm/nextcloud/file?path=${encodeURIComponent(path)}`, {
    headers: t ? { Authorization: `Bearer ${t}` } : {},
    ...(signal ? { signal } : {}),
  });
  if (res.status === 401) session.clear();
  if (!res.ok) {
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      /* not JSON */
    }
    throw toApiError(res.status, body, res.url);
  }
  return res.blob();
}

export type DocumentKind = Schemas['Kind'];

/** A file name from a `Content-Disposition` header (`filename*=UTF-8''…` or `filename="…"`). */
export function dispositionFilename(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;\s]+)/.exec(header);
  return plain ? (plain[1] ?? plain[2] ?? null) : null;
}

/**
 * `GET /api/crm/orders/{id}/document` (a quotation or order confirmation as PDF) with the
 * token, as a Blob and the file name the server gives it.
 */
export async function fetchOrderDocument(orderId: string, kind?: DocumentKind, signal?: AbortSignal): Promise<{ blob: Blob; filename: string }> {
  const t = session.token();
  const url = `/api/crm/orders/${encodeURIComponent(orderId)}/document${kind ? `?kind=${kind}` : ''}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: t ? { Authorization: `Bearer ${t}` } : {}, ...(signal ? { signal } : {}) });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e), undefined, url);
  }
  if (res.status === 401) session.clear();
  if (!res.ok) {
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      /* not JSON */
    }
    throw toApiError(res.status, body, url);
  }
  const filename = dispositionFilename(res.headers.get('Content-Disposition')) ?? `${kind ?? 'document'}.pdf`;
  return { blob: await res.blob(), filename };
}

/** Saves a Blob as a download named `filename` (object URL and a clicked `<a download>`). */
export function saveBlob(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

export interface UploadRequest {
  file: File;
  /** Destination folder relative to the Nextcloud base folder. */
  folder: string;
  customerId?: string;
  /** The order the file belongs to (its media record then carries `order_id`). */
  orderId?: string;
  onProgress?: (loaded: number, total: number) => void;
}

/**
 * `POST /api/crm/nextcloud/upload` through XMLHttpRequest, whose upload events give the
 * progress bar (fetch has none). The fields go before the file, as the gateway requires.
 */
export function uploadFile(req: UploadRequest): Promise<Schemas['Uploaded']> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append('nextcloud_path', req.folder);
    if (req.customerId) form.append('customer_id', req.customerId);
    if (req.orderId) form.append('order_id', req.orderId);
    form.append('file', req.file, req.file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/crm/nextcloud/upload');
    const t = session.token();
    if (t) xhr.setRequestHeader('Authorization', `Bearer ${t}`);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) req.onProgress?.(e.loaded, e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'upload failed'));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = xhr.responseText;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as Schemas['Uploaded']);
      else {
        if (xhr.status === 401) session.clear();
        reject(toApiError(xhr.status, body, '/api/crm/nextcloud/upload'));
      }
    };
    xhr.send(form);
  });
}
