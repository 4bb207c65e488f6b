// What the signed-in user may do, for the UI to show only what they can use. The server
// decides every request anyway; this only keeps buttons that would be refused off the screen.
//
// The source is `GET /api/auth/me` (loaded once per token, after login); until it answers, or
// when it cannot be reached, the token's own `permissions` claim stands in.
import { useContext, useEffect, useState } from 'react';
import { api, call, decodeToken, type Claims, type Schemas } from './api/client';
import { AuthContext } from './ui';

export type Me = Schemas['Me'];

export const VIEW = 'crm:view';
export const EDIT = 'crm:edit';
export const ADMIN = 'crm:admin';

export interface Permissions {
  /** `crm:edit`: create, edit, delete, send, upload, call. */
  canEdit: boolean;
  /** `crm:admin`: the Users and Integrations pages. */
  isAdmin: boolean;
  /** Who is signed in, once `/api/auth/me` answered. */
  me: Me | null;
}

/** The permissions a list of permission names grants (`crm:edit` implies viewing). */
export function permissionsOf(perms: readonly string[] | null | undefined, me: Me | null = null): Permissions {
  const p = perms ?? [];
  return { canEdit: p.includes(EDIT), isAdmin: p.includes(ADMIN), me };
}

/** The claims to put in the auth context: `/api/auth/me`'s permissions when known, else the token's. */
export function effectiveClaims(claims: Claims | null, me: Me | null): Claims | null {
  if (!claims) return null;
  return me ? { ...claims, permissions: [...me.permissions] } : claims;
}

/**
 * Loads `/api/auth/me` for a token (again when the token changes). Returns null until it
 * answers; on failure it stays null, so the token's claims keep deciding (a 401 logs out
 * through the API client as any other request does).
 */
export function useMe(token: string | null): Me | null {
  const [me, setMe] = useState<{ token: string; me: Me } | null>(null);
  useEffect(() => {
    if (!token) return;
    const ctl = new AbortController();
    call(api.GET('/api/auth/me', { signal: ctl.signal })).then(
      (a) => { if (!ctl.signal.aborted) setMe({ token, me: a.data }); },
      () => { /* the token's claims stand in */ },
    );
    return () => ctl.abort();
  }, [token]);
  return me && me.token === token ? me.me : null;
}

/**
 * The hook for pages: `const { canEdit, isAdmin, me } = usePermissions();`. Reads the auth
 * context App fills from `/api/auth/me` (or the token's claims until it answers).
 */
export function usePermissions(): Permissions {
  const auth = useContext(AuthContext);
  const me = auth.me ?? null;
  return permissionsOf(auth.claims?.permissions, me);
}

/** The permissions a raw token carries (for code outside React). */
export function tokenPermissions(token: string | null): Permissions {
  return permissionsOf(token ? decodeToken(token)?.permissions : null);
}
