import { describe, expect, it, vi } from 'vitest';
import { ApiError, call, canEdit, createApi, decodeToken, ifMatch, toApiError } from './client';

function jwt(payload: object): string {
  const b64 = (o: object) => btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(o)))).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}.sig`;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

describe('the API client', () => {
  it('sends the bearer token and returns the body with its ETag', async () => {
    const seen: Request[] = [];
    const api = createApi({
      baseUrl: 'http://crm.test',
      token: () => 'tok',
      fetch: async (req) => {
        seen.push(req);
        return json(200, { id: 'p1', name: 'VESPER', version: 3 }, { ETag: '"3"' });
      },
    });
    const a = await call(api.GET('/api/crm/products/{id}', { params: { path: { id: 'p1' } } }));
    expect(seen[0]?.headers.get('Authorization')).toBe('Bearer tok');
    expect(seen[0]?.url).toBe('http://crm.test/api/crm/products/p1');
    expect(a.etag).toBe('"3"');
    expect(a.data.name).toBe('VESPER');
  });

  it('sends If-Match and turns a 412 into a stale ApiError', async () => {
    let ifMatchSent: string | null = null;
    const api = createApi({
      baseUrl: 'http://crm.test',
      token: () => 'tok',
      fetch: async (req) => {
        ifMatchSent = req.headers.get('If-Match');
        return json(412, { error: { code: 'stale_version', message: 'changed', details: { current_version: 4 } } });
      },
    });
    const err = await call(
      api.PUT('/api/crm/customers/{id}', { params: { path: { id: 'c1' }, header: { 'If-Match': '"3"' } }, body: { name: 'x' } }),
    ).catch((e: unknown) => e);
    expect(ifMatchSent).toBe('"3"');
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).isStale).toBe(true);
    expect((err as ApiError).details).toEqual({ current_version: 4 });
  });

  it('names the field of a 422', async () => {
    const api = createApi({
      baseUrl: 'http://crm.test',
      fetch: async () => json(422, { error: { code: 'invalid_field', message: 'must be positive', details: { field: 'items[1].quantity' } } }),
    });
    const err = (await call(api.POST('/api/crm/orders', { body: { customer_id: 'c' } })).catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(422);
    expect(err.code).toBe('invalid_field');
    expect(err.field).toBe('items[1].quantity');
    expect(err.message).toBe('must be positive');
  });

  it('reports a 401 (except from the login itself)', async () => {
    const onUnauthorized = vi.fn();
    const api = createApi({
      baseUrl: 'http://crm.test',
      onUnauthorized,
      fetch: async () => json(401, { error: { code: 'unauthorized', message: 'expired' } }),
    });
    await call(api.GET('/api/crm/customers', {})).catch(() => {});
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    await call(api.POST('/api/auth/login', { body: { username: 'a', password: 'b' } })).catch(() => {});
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('turns a failed connection into a network error', async () => {
    const api = createApi({ baseUrl: 'http://crm.test', fetch: async () => { throw new TypeError('Failed to fetch'); } });
    const err = (await call(api.GET('/api/crm/customers', {})).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('network');
  });

  it('builds errors from bodies that are not the envelope', () => {
    expect(toApiError(502, 'Bad Gateway').code).toBe('http_502');
    expect(toApiError(404, { error: { code: 'not_found', message: 'no' } }).code).toBe('not_found');
  });

  it('uses the ETag, else the version, for If-Match', () => {
    expect(ifMatch({ version: 5 }, '"5"')).toBe('"5"');
    expect(ifMatch({ version: 5 })).toBe('"5"');
  });
});

describe('the token', () => {
  it('reads permissions given as an array or as a string', () => {
    expect(decodeToken(jwt({ sub: 'maria', permissions: ['crm:view', 'crm:edit'] }))?.permissions).toEqual(['crm:view', 'crm:edit']);
    expect(decodeToken(jwt({ sub: 'x', permissions: 'crm:view crm:edit' }))?.permissions).toEqual(['crm:view', 'crm:edit']);
    expect(decodeToken(jwt({ sub: 'x', permissions: 'crm:view,crm:edit' }))?.permissions).toEqual(['crm:view', 'crm:edit']);
    expect(decodeToken(jwt({ sub: 'Μαρία' }))?.sub).toBe('Μαρία');
  });

  it('decides whether edit controls show', () => {
    expect(canEdit(decodeToken(jwt({ sub: 'a', permissions: ['crm:view', 'crm:edit'] })))).toBe(true);
    expect(canEdit(decodeToken(jwt({ sub: 'a', permissions: ['crm:view'] })))).toBe(false);
    expect(canEdit(decodeToken('garbage'))).toBe(false);
    expect(canEdit(null)).toBe(false);
  });
});
