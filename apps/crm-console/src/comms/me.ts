// Who is logged in, beyond the token: display name, phone extension and e-mail signature
// from `GET /api/auth/me`. Read once per token; a gateway without the endpoint (or any
// failure) leaves the profile empty, and the console works from the token alone.
import { useEffect, useState } from 'react';
import { api, call, session, type Schemas } from '../api/client';
import { useAuth } from '../ui';

export type Me = Schemas['Me'];

let cached: { token: string; me: Promise<Me | null> } | null = null;

export function loadMe(): Promise<Me | null> {
  const token = session.token();
  if (!token) return Promise.resolve(null);
  if (cached?.token !== token) {
    cached = {
      token,
      me: call(api.GET('/api/auth/me', {})).then(
        (a) => (a.data && typeof a.data === 'object' && typeof (a.data as Me).username === 'string' ? a.data : null),
        () => null,
      ),
    };
  }
  return cached.me;
}

/** The caller's profile (null until known, or when the gateway has none to give). */
export function useMe(): Me | null {
  const known = useAuth().me ?? null;
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    let live = true;
    void loadMe().then((m) => live && setMe(m));
    return () => {
      live = false;
    };
  }, []);
  return known ?? me;
}

/** Forgets the profile read (after a change of user, and between tests). */
export function forgetMe(): void {
  cached = null;
}
