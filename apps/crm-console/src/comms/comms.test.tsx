import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The console's `api` client captures fetch when its module loads: stub it first.
const fetchMock = vi.hoisted(() => {
  const m = vi.fn<(req: Request | string, init?: RequestInit) => Promise<Response>>();
  globalThis.fetch = m as unknown as typeof fetch;
  return m;
});

import type { Entry } from '../api/client';
import { I18nProvider } from '../i18n';
import { EntryView } from '../pages/Comms';
import { AuthContext } from '../ui';
import { CallButton } from './actions';
import { addressesOf, highlight, isManual, looksLikeHtml, plainPreview, replyDraft, tickOf, windowWording, withSignature } from './logic';
import { forgetMe } from './me';
import { commsText } from './text';
import ThreadView from './ThreadView';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const el = commsText('el');
const en = commsText('en');

function entry(p: Partial<Entry>): Entry {
  return {
    id: '00000000-0000-4000-8000-00000000000a', type: 'email', direction: 'inbound', attachments: [], meta: {} as Entry['meta'],
    occurred_at: '2026-12-01T10:00:00Z', created_at: '2026-12-01T10:00:00Z', updated_at: '2026-12-01T10:00:00Z', version: 1, ...p,
  } as Entry;
}

describe('the WhatsApp service window in words', () => {
  const now = new Date(2026, 11, 6, 15, 5);
  const at = (h: number, m = 0, day = 6) => new Date(2026, 11, day, h, m).toISOString();

  it('says since when the customer wrote and until when text may go out', () => {
    expect(windowWording({ open: true, last_inbound_at: at(12, 5), closes_at: at(18, 5) }, now, el)).toBe(
      'Ο πελάτης έγραψε πριν από 3 ώρες — μπορείτε να στείλετε κείμενο έως 18:05',
    );
    expect(windowWording({ open: true, last_inbound_at: at(14, 50), closes_at: at(14, 50, 7) }, now, el)).toBe(
      'Ο πελάτης έγραψε πριν από 15 λεπτά — μπορείτε να στείλετε κείμενο έως αύριο 14:50',
    );
    expect(windowWording({ open: true, last_inbound_at: at(14, 5), closes_at: at(14, 5, 7) }, now, en)).toBe(
      'The customer wrote 1 hour ago — you can send text until tomorrow 14:05',
    );
  });

  it('says only a template may go out once 24 hours have passed, or before the customer wrote', () => {
    expect(windowWording({ open: false, last_inbound_at: at(9, 0, 4), closes_at: at(9, 0, 5) }, now, el)).toBe('Πέρασαν 24 ώρες — μόνο εγκεκριμένο πρότυπο');
    expect(windowWording({ open: false, last_inbound_at: null, closes_at: null }, now, el)).toBe('Ο πελάτης δεν έχει γράψει ακόμη — μόνο εγκεκριμένο πρότυπο');
  });
});

describe('reply headers', () => {
  const inbound = entry({
    subject: 'Καμπάνα ναού',
    body: 'Καλημέρα,\nπότε έρχεστε;',
    sender: 'papas@naos.gr',
    meta: {
      message_id: '<abc123@naos.gr>',
      from: [{ name: 'Π. Γεώργιος', address: 'papas@naos.gr' }],
      to: [{ name: null, address: 'office@bells.gr' }, { name: null, address: 'epitropos@naos.gr' }],
      cc: [{ name: null, address: 'Papas@naos.gr' }, { name: null, address: 'tameio@naos.gr' }],
      imap: { account: 'office@bells.gr' },
    } as unknown as Entry['meta'],
  });

  it('answers the sender, with «Re:», the quoted text and the Message-ID without brackets', () => {
    const d = replyDraft(inbound, 'reply', ['office@bells.gr'], 'Στις 01/12/2026, ο/η Π. Γεώργιος έγραψε:');
    expect(d).toEqual({
      to: ['papas@naos.gr'],
      cc: [],
      subject: 'Re: Καμπάνα ναού',
      in_reply_to: 'abc123@naos.gr',
      text: '\n\nΣτις 01/12/2026, ο/η Π. Γεώργιος έγραψε:\n> Καλημέρα,\n> πότε έρχεστε;\n',
    });
  });

  it('reply-all copies the other recipients, never the office itself nor the sender twice', () => {
    const d = replyDraft(inbound, 'replyAll', ['office@bells.gr'], '');
    expect(d.to).toEqual(['papas@naos.gr']);
    expect(d.cc).toEqual(['epitropos@naos.gr', 'tameio@naos.gr']);
  });

  it('keeps an existing «Re:»/«ΑΠ:» and answers our own sent mail to its recipients', () => {
    const ours = entry({ direction: 'outbound', subject: 'ΑΠ: Προσφορά', meta: { message_id: 'x@bells.gr', from: 'office@bells.gr', to: ['a@naos.gr'], cc: ['b@naos.gr'] } as unknown as Entry['meta'] });
    const d = replyDraft(ours, 'replyAll', [], '');
    expect(d).toMatchObject({ to: ['a@naos.gr'], cc: ['b@naos.gr'], subject: 'ΑΠ: Προσφορά', in_reply_to: 'x@bells.gr' });
  });

  it('reads addresses in every shape the mail channel stores, and appends the signature once', () => {
    expect(addressesOf([{ address: 'a@b.gr' }, 'Μαρία <m@b.gr>', 'c@b.gr'])).toEqual(['a@b.gr', 'm@b.gr', 'c@b.gr']);
    expect(addressesOf(null)).toEqual([]);
    const once = withSignature('Ευχαριστώ\n', 'Μαρία\nBellSystems');
    expect(once).toBe('Ευχαριστώ\n\n-- \nΜαρία\nBellSystems');
    expect(withSignature(once, 'Μαρία\nBellSystems')).toBe(once);
    expect(withSignature('x', null)).toBe('x');
  });
});

describe('delivery ticks', () => {
  const meta = (delivery: unknown) => ({ meta: { delivery } as unknown as Entry['meta'] });
  it('shows ✓ sent, ✓✓ delivered, ✓✓ read and ✗ failed with the reason', () => {
    expect(tickOf(meta(undefined))).toEqual({ state: 'pending', symbol: '…', reason: null });
    expect(tickOf(meta({ status: 'sent' }))).toMatchObject({ state: 'sent', symbol: '✓' });
    expect(tickOf(meta({ status: 'delivered' }))).toMatchObject({ state: 'delivered', symbol: '✓✓' });
    expect(tickOf(meta({ status: 'read' }))).toMatchObject({ state: 'read', symbol: '✓✓' });
    expect(tickOf(meta({ status: 'failed', errors: [{ code: 131047, title: 'Re-engagement message', error_data: { details: 'More than 24 hours have passed' } }] }))).toEqual({
      state: 'failed', symbol: '✗', reason: 'Re-engagement message: More than 24 hours have passed',
    });
  });
});

describe('search highlighting and manual entries', () => {
  it('marks the query words, blind to case and Greek accents', () => {
    expect(highlight('Η ΚΑΜΠΑΝΑ του ναού', 'καμπάνα ναου')).toEqual([
      { text: 'Η ', hit: false }, { text: 'ΚΑΜΠΑΝΑ', hit: true }, { text: ' του ', hit: false }, { text: 'ναού', hit: true },
    ]);
    expect(highlight('κείμενο', '')).toEqual([{ text: 'κείμενο', hit: false }]);
  });
  it('previews an HTML mail on the timeline as plain text, never as markup', () => {
    const html = '<p>Καλημέρα &amp; χρόνια πολλά</p><script>alert(1)</script><div>Γεώργιος<br>Ναός</div>';
    expect(looksLikeHtml(html)).toBe(true);
    expect(looksLikeHtml('2 < 3 και 5 > 4')).toBe(false);
    expect(plainPreview(html)).toBe('Καλημέρα & χρόνια πολλά\nΓεώργιος\nΝαός');
  });
  it('lets people edit only what people logged', () => {
    expect(isManual({ type: 'note', ext_message_id: null, logged_by: 'maria' })).toBe(true);
    expect(isManual({ type: 'call', ext_message_id: 'L1', logged_by: 'pbx' })).toBe(false);
    expect(isManual({ type: 'email', ext_message_id: null, logged_by: 'maria' })).toBe(false);
  });
});

// --- components --------------------------------------------------------------------------------

let container: HTMLDivElement;
let root: Root;
beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  fetchMock.mockReset();
  forgetMe();
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

function render(node: React.ReactNode, canEdit = true) {
  act(() => {
    root.render(
      <I18nProvider initial="el">
        <AuthContext.Provider value={{ claims: { sub: 'maria', permissions: canEdit ? ['crm:view', 'crm:edit'] : ['crm:view'] }, canEdit, me: null }}>{node}</AuthContext.Provider>
      </I18nProvider>,
    );
  });
}
async function until(cond: () => boolean, ms = 2000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await act(async () => { await new Promise((r) => setTimeout(r, 10)); });
  }
}
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const urlOf = (r: Request | string) => new URL(typeof r === 'string' ? r : r.url, 'http://localhost');

describe('timeline entries', () => {
  it('offer reply on e-mail and WhatsApp, ticks on sent WhatsApp, and no buttons to view-only users', () => {
    const onReply = vi.fn();
    const wa = entry({ type: 'whatsapp', direction: 'outbound', body: 'Καλημέρα', meta: { delivery: { status: 'read' } } as unknown as Entry['meta'] });
    render(<><EntryView e={entry({ subject: 'Θέμα' })} actions={{ onReply }} /><EntryView e={wa} actions={{ onReply }} /></>);
    expect(container.querySelectorAll('[data-testid="reply"]').length).toBe(1);
    expect(container.querySelector('[data-testid="reply-all"]')).not.toBeNull();
    expect(container.querySelector('[data-testid="tick"]')?.getAttribute('data-state')).toBe('read');
    act(() => (container.querySelector('[data-testid="reply-all"]') as HTMLElement).click());
    expect(onReply).toHaveBeenCalledWith(expect.objectContaining({ type: 'email' }), 'replyAll');
    render(<EntryView e={entry({ subject: 'Θέμα' })} actions={{ onReply }} />, false);
    expect(container.querySelector('[data-testid="reply"]')).toBeNull();
  });
});

describe('click-to-call', () => {
  it('sends the number without an extension and says so in Greek when the user has none', async () => {
    const bodies: unknown[] = [];
    fetchMock.mockImplementation(async (req) => {
      const u = urlOf(req);
      if (u.pathname === '/api/auth/me') return json({ username: 'maria', permissions: ['crm:edit'], extension: null });
      if (u.pathname === '/api/crm/calls/originate') {
        bodies.push(await (req as Request).json());
        return json({ error: { code: 'invalid_field', message: 'no extension', details: { field: 'extension', reason: 'none' } } }, 422);
      }
      return json({}, 404);
    });
    render(<CallButton number="2101234567" />);
    act(() => (container.querySelector('[data-testid="call"]') as HTMLElement).click());
    await until(() => !!container.querySelector('[role="alert"]'));
    expect(bodies).toEqual([{ number: '2101234567' }]);
    expect(container.querySelector('[role="alert"]')?.textContent).toBe(el.noExtension);
  });
});

describe('the thread view', () => {
  it('lists a long conversation oldest first, the newest at once and the rest on request', async () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      entry({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, subject: `Μήνυμα ${i}`, body: `<p>κείμενο ${i}</p><img src="https://t.example/${i}.gif">`, occurred_at: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString() }),
    );
    fetchMock.mockImplementation(async (req) => (urlOf(req).pathname.endsWith('/thread') ? json({ entries: many }) : json({}, 404)));
    const last = many[199] as Entry;
    render(<ThreadView entryId={last.id} onClose={() => undefined} />);
    await until(() => container.querySelectorAll('[data-testid="thread-message"]').length > 0);
    const shown = [...container.querySelectorAll('[data-testid="thread-message"] .thread-head strong + .muted')].map((x) => x.textContent);
    expect(shown.length).toBe(20);
    expect(shown[0]).toBe('Μήνυμα 180');
    expect(shown[19]).toBe('Μήνυμα 199');
    // The opened message's body is shown as HTML (sanitised: see sanitize.test.ts, and the e2e in Chromium).
    expect(container.querySelector('.mail-html')?.textContent).toContain('κείμενο 199');
    act(() => (container.querySelector('button.older') as HTMLElement).click());
    expect(container.querySelectorAll('[data-testid="thread-message"]').length).toBe(120);
  });
});
