import { afterEach, describe, expect, it, vi } from 'vitest';
import { afterLogin, isExpired, loginUrl, session, TOKEN_KEY } from './api/client';

const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const jwt = (exp?: number) => `${b64({ alg: 'HS256' })}.${b64({ sub: 'maria', permissions: ['crm:view'], ...(exp === undefined ? {} : { exp }) })}.sig`;
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

afterEach(() => localStorage.clear());

describe('one login for every tab', () => {
  it('keeps the token where every tab of the origin sees it', () => {
    const t = jwt(inAnHour());
    session.set(t);
    expect(localStorage.getItem(TOKEN_KEY)).toBe(t);
    expect(session.token()).toBe(t);
  });

  it('treats an expired token as logged out', () => {
    localStorage.setItem(TOKEN_KEY, jwt(Math.floor(Date.now() / 1000) - 5));
    expect(session.token()).toBeNull();
    expect(isExpired(jwt(100), 100_000)).toBe(true);
    expect(isExpired(jwt(100), 99_999)).toBe(false);
    expect(isExpired(jwt(), Date.now())).toBe(false);
  });

  it('hears a logout made in another tab (the storage event)', () => {
    session.set(jwt(inAnHour()));
    const heard = vi.fn();
    const stop = session.subscribe(heard);
    localStorage.removeItem(TOKEN_KEY); // what the other tab did
    window.dispatchEvent(new StorageEvent('storage', { key: TOKEN_KEY, oldValue: 'x', newValue: null }));
    expect(heard).toHaveBeenCalled();
    expect(session.token()).toBeNull();
    window.dispatchEvent(new StorageEvent('storage', { key: 'crm.lang' }));
    expect(heard).toHaveBeenCalledTimes(1);
    stop();
  });
});

describe('a link opens the page it names, after login if needed', () => {
  it('remembers the page asked for', () => {
    expect(loginUrl('/customers/42?tab=media')).toBe('/login?next=%2Fcustomers%2F42%3Ftab%3Dmedia');
    expect(loginUrl('/')).toBe('/login');
  });
  it('returns there after login, and only within the console', () => {
    expect(afterLogin('/customers/42?tab=media')).toBe('/customers/42?tab=media');
    expect(afterLogin(null)).toBe('/customers');
    expect(afterLogin('//evil.example/x')).toBe('/customers');
    expect(afterLogin('https://evil.example/')).toBe('/customers');
    expect(afterLogin('/\\evil.example')).toBe('/customers');
    expect(afterLogin('/login?next=%2Fx')).toBe('/customers');
  });
});
