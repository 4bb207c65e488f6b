import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The console's `api` client captures fetch when its module loads: install a stand-in that
// asks whatever `handler` the test sets.
const stub = vi.hoisted(() => {
  const s = { handler: async (_req: Request): Promise<Response> => new Response('{}', { status: 404 }) };
  globalThis.fetch = ((input: Request) => s.handler(input)) as unknown as typeof fetch;
  return s;
});

import type { Customer } from '../api/client';
import { I18nProvider } from '../i18n';
import { AuthContext } from '../ui';
import {
  conflictingFields, fieldText, KEPT_CHOICES, mergeBody, movedText, reasonText, resolvedSide, type Moved,
} from './logic';
import MergeDialog from './MergeDialog';
import Duplicates from './Duplicates';
import CustomerMerges from './CustomerMerges';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function customer(p: Partial<Customer>): Customer {
  return {
    id: '00000000-0000-4000-8000-000000000001', name: 'Ι.Ν. Αγίου Νικολάου', organization: null, contacts: [], notes: [], tags: [],
    owned_items: [], linked_user_ids: [], language: 'el', location: { city: 'Λάρισα', region: 'Θεσσαλία', country: 'GR' },
    nextcloud_folder: null, created_at: '2026-01-10T10:00:00Z', updated_at: '2026-01-10T10:00:00Z', version: 3, ...p,
  };
}
const KEPT = customer({ organization: 'Μητρόπολη Λαρίσης', nextcloud_folder: '05_Customers/ΑΓ_ΝΙΚΟΛΑΟΣ' });
const DUP = customer({
  id: '00000000-0000-4000-8000-000000000002', name: 'Ιερός Ναός Αγίου Νικολάου', organization: 'Ενορία Αγ. Νικολάου',
  location: { city: 'Λάρισα', region: null, country: null }, nextcloud_folder: null, created_at: '2026-03-01T09:00:00Z', version: 7,
});
const ZERO: Moved = { contacts: 0, notes: 0, tags: 0, owned_items: 0, orders: 0, comms_entries: 0, media_records: 0, tickets: 0, leads: 0 };

describe('which fields conflict', () => {
  it('is a field both customers fill differently; an empty side or an equal value is no choice', () => {
    expect(conflictingFields(KEPT, DUP)).toEqual(['name', 'organization', 'location']);
    expect(conflictingFields(KEPT, { ...DUP, organization: null, location: KEPT.location })).toEqual(['name']);
    expect(conflictingFields(KEPT, { ...DUP, name: ` ${KEPT.name} `, organization: '  ', location: KEPT.location })).toEqual([]);
    expect(conflictingFields(KEPT, { ...DUP, language: 'en' })).toContain('language');
    expect(fieldText(KEPT, 'location')).toBe('Λάρισα, Θεσσαλία, GR');
  });

  it('fills an empty field from the other side whatever the choice', () => {
    expect(resolvedSide(KEPT, DUP, 'nextcloud_folder', 'duplicate')).toBe('kept');
    expect(resolvedSide(DUP, KEPT, 'nextcloud_folder', 'kept')).toBe('duplicate');
    expect(resolvedSide(KEPT, DUP, 'organization', 'duplicate')).toBe('duplicate');
    expect(resolvedSide(KEPT, DUP, 'organization', 'kept')).toBe('kept');
  });
});

describe('the request a set of choices makes', () => {
  it('sends the duplicate\'s side only for conflicting fields, the kept side elsewhere', () => {
    const choices = { ...KEPT_CHOICES, organization: 'duplicate' as const, language: 'duplicate' as const };
    expect(mergeBody(KEPT, DUP, choices, true)).toEqual({
      duplicate_id: DUP.id, dry_run: true,
      choices: { name: 'kept', organization: 'duplicate', location: 'kept', language: 'kept', nextcloud_folder: 'kept' },
    });
    expect(mergeBody(KEPT, DUP, KEPT_CHOICES, false)).toEqual({ duplicate_id: DUP.id, dry_run: false, choices: KEPT_CHOICES });
  });
});

describe('what moved, in words', () => {
  it('counts each kind with its singular or plural and skips the zeros', () => {
    expect(movedText({ ...ZERO, orders: 1, comms_entries: 1 }, 'el')).toBe('1 παραγγελία και 1 καταχώριση επικοινωνίας');
    expect(movedText({ ...ZERO, contacts: 2, orders: 1, tickets: 3 }, 'el')).toBe('2 επαφές, 1 παραγγελία και 3 εργασίες');
    expect(movedText({ ...ZERO, comms_entries: 1200, leads: 1 }, 'en')).toBe('1,200 comms entries and 1 lead');
    expect(movedText(ZERO, 'el')).toBe('τίποτα δεν μετακινείται');
    expect(movedText({ ...ZERO, media_records: 1 }, 'en')).toBe('1 media record');
  });

  it('says why a pair was suggested', () => {
    expect(reasonText({ kind: 'phone', value: '+306944111222' }, 'el')).toBe('ίδιο τηλέφωνο +306944111222');
    expect(reasonText({ kind: 'email', value: 'naos@example.gr' }, 'en')).toBe('same e-mail naos@example.gr');
    expect(reasonText({ kind: 'name', value: 'ι ν αγιου νικολαου' }, 'el')).toBe('ίδιο όνομα ι ν αγιου νικολαου');
  });
});

// --- the dialog against a stand-in server

let container: HTMLDivElement;
let root: Root;
beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

function render(node: ReactNode, permissions: string[] = ['crm:view', 'crm:edit']) {
  act(() => {
    root.render(
      <I18nProvider initial="el">
        <AuthContext.Provider value={{ claims: { sub: 'maria', permissions }, canEdit: permissions.includes('crm:edit'), me: { username: 'maria', permissions } as never }}>{node}</AuthContext.Provider>
      </I18nProvider>,
    );
  });
}
const settle = () => act(async () => { for (let i = 0; i < 8; i++) await new Promise((r) => setTimeout(r, 0)); });

interface Call { method: string; path: string; body: unknown; ifMatch: string | null }
/** Answers by method and path; records every request. */
function server(answer: (c: Call) => { status: number; body?: unknown; etag?: string }): Call[] {
  const calls: Call[] = [];
  stub.handler = async (req: Request) => {
    const text = await req.text();
    const c = { method: req.method, path: new URL(req.url, 'http://x').pathname, body: text ? JSON.parse(text) : undefined, ifMatch: req.headers.get('If-Match') };
    calls.push(c);
    const a = answer(c);
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(a.etag ? { ETag: a.etag } : {}) };
    return new Response(a.body === undefined ? null : JSON.stringify(a.body), { status: a.status, headers });
  };
  return calls;
}
const outcome = (moved: Partial<Moved>) => ({ customer: KEPT, dry_run: true, already_merged: false, record: { moved: { ...ZERO, ...moved } } });
const q = (id: string) => container.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;

describe('the merge dialog', () => {
  it('offers a side only for conflicting fields, previews the move and merges with the kept customer\'s ETag', async () => {
    const calls = server((c) => {
      if (c.method === 'GET' && c.path.endsWith(KEPT.id)) return { status: 200, body: KEPT, etag: '"3"' };
      if (c.method === 'GET' && c.path.endsWith(DUP.id)) return { status: 200, body: DUP, etag: '"7"' };
      return { status: 200, body: outcome({ orders: 1, comms_entries: 1 }), etag: '"4"' };
    });
    const onMerged = vi.fn();
    render(<MergeDialog kept={KEPT.id} duplicate={DUP.id} onClose={() => {}} onMerged={onMerged} />);
    await settle();
    expect(q('choice-organization-duplicate')).not.toBeNull();
    expect(q('choice-nextcloud_folder-duplicate')).toBeNull();
    expect(q('choice-language-kept')).toBeNull();
    expect((q('choice-name-kept') as HTMLInputElement).checked).toBe(true);
    expect(q('merge-preview')?.textContent).toBe('1 παραγγελία και 1 καταχώριση επικοινωνίας');

    act(() => { q('choice-organization-duplicate')?.click(); });
    await settle();
    expect(q('result-organization')?.textContent).toBe('Ενορία Αγ. Νικολάου');
    const dry = calls.filter((c) => c.method === 'POST');
    expect(dry.at(-1)).toMatchObject({ path: `/api/crm/customers/${KEPT.id}/merge`, ifMatch: '"3"', body: { dry_run: true, choices: { organization: 'duplicate' } } });

    act(() => { q('merge-confirm')?.click(); });
    await settle();
    expect(calls.at(-1)).toMatchObject({ method: 'POST', ifMatch: '"3"', body: { duplicate_id: DUP.id, dry_run: false, choices: { organization: 'duplicate', name: 'kept' } } });
    expect(onMerged).toHaveBeenCalledTimes(1);
  });

  it('swaps which customer stays', async () => {
    const calls = server((c) => {
      if (c.method === 'GET') return c.path.endsWith(KEPT.id) ? { status: 200, body: KEPT, etag: '"3"' } : { status: 200, body: DUP, etag: '"7"' };
      return { status: 200, body: outcome({}) };
    });
    render(<MergeDialog kept={KEPT.id} duplicate={DUP.id} onClose={() => {}} onMerged={() => {}} />);
    await settle();
    act(() => { q('merge-swap')?.click(); });
    await settle();
    expect(q('merge-kept')?.textContent).toContain(DUP.name);
    expect(calls.at(-1)).toMatchObject({ path: `/api/crm/customers/${DUP.id}/merge`, ifMatch: '"7"', body: { duplicate_id: KEPT.id } });
    expect(q('merge-preview')?.textContent).toBe('τίποτα δεν μετακινείται');
  });

  it('on 412 says someone changed the customer and reads both again', async () => {
    let version = 3;
    const calls = server((c) => {
      if (c.method === 'GET') return c.path.endsWith(KEPT.id) ? { status: 200, body: { ...KEPT, version }, etag: `"${version}"` } : { status: 200, body: DUP, etag: '"7"' };
      if ((c.body as { dry_run: boolean }).dry_run) return { status: 200, body: outcome({ notes: 2 }) };
      version = 5;
      return { status: 412, body: { error: { code: 'stale_version', message: 'stale' } } };
    });
    const onMerged = vi.fn();
    render(<MergeDialog kept={KEPT.id} duplicate={DUP.id} onClose={() => {}} onMerged={onMerged} />);
    await settle();
    act(() => { q('merge-confirm')?.click(); });
    await settle();
    expect(onMerged).not.toHaveBeenCalled();
    expect(container.textContent).toContain('Κάποιος άλλος άλλαξε τον πελάτη στο μεταξύ');
    expect(calls.filter((c) => c.method === 'GET' && c.path.endsWith(KEPT.id))).toHaveLength(2);
    expect(calls.at(-1)).toMatchObject({ method: 'POST', ifMatch: '"5"', body: { dry_run: true } });
    expect(q('merge-preview')?.textContent).toBe('2 σημειώσεις');
  });
});

describe('the duplicates page', () => {
  const pairs = [{ a: KEPT, b: DUP, reasons: [{ kind: 'phone', value: '+306944111222' }, { kind: 'name', value: 'ι ν αγιου νικολαου' }] }];
  it('lists each pair with its reasons in words and a merge button for editors', async () => {
    server(() => ({ status: 200, body: pairs }));
    render(<Duplicates />);
    await settle();
    expect(q('pair-reasons')?.textContent).toBe('ίδιο τηλέφωνο +306944111222; ίδιο όνομα ι ν αγιου νικολαου');
    expect(q('merge-pair')?.textContent).toBe('Συγχώνευση');
  });

  it('shows a viewer the pairs without a merge button', async () => {
    server(() => ({ status: 200, body: pairs }));
    render(<Duplicates />, ['crm:view']);
    await settle();
    expect(q('duplicate-pair')).not.toBeNull();
    expect(q('merge-pair')).toBeNull();
  });
});

describe('the customer page\'s merge pieces', () => {
  const record = {
    id: '00000000-0000-4000-8000-0000000000aa', kept_id: KEPT.id, duplicate_id: DUP.id, duplicate: DUP, choices: KEPT_CHOICES,
    merged_by: 'maria', merged_at: '2026-12-06T08:30:00Z', moved: { ...ZERO, orders: 1, comms_entries: 2 },
  };
  it('shows the merge history in words and «Συγχώνευση με…» to an editor', async () => {
    const calls = server(() => ({ status: 200, body: [record] }));
    render(<CustomerMerges c={KEPT} onMerged={() => {}} />);
    await settle();
    expect(calls[0]?.path).toBe(`/api/crm/customers/${KEPT.id}/merges`);
    const line = q('merge-history-line')?.textContent ?? '';
    expect(line).toContain('ο/η maria συγχώνευσε τον «Ιερός Ναός Αγίου Νικολάου» εδώ (1 παραγγελία και 2 καταχωρίσεις επικοινωνίας)');
    expect(q('merge-with')?.textContent).toBe('Συγχώνευση με…');
  });

  it('shows a viewer the history but no merge action, and nothing when there is no history', async () => {
    server(() => ({ status: 200, body: [record] }));
    render(<CustomerMerges c={KEPT} onMerged={() => {}} />, ['crm:view']);
    await settle();
    expect(q('merge-history-line')).not.toBeNull();
    expect(q('merge-with')).toBeNull();
    server(() => ({ status: 200, body: [] }));
    render(<CustomerMerges c={{ ...KEPT, version: 9 }} onMerged={() => {}} />, ['crm:view']);
    await settle();
    expect(q('merge-history')).toBeNull();
  });
});
