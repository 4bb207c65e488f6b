import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The console's `api` client captures fetch when its module loads: stub it first.
const fetchMock = vi.hoisted(() => {
  const m = vi.fn<(req: Request) => Promise<Response>>();
  globalThis.fetch = m as unknown as typeof fetch;
  return m;
});

import { ApiError, type Customer } from './api/client';
import { dictionaries, I18nProvider } from './i18n';
import { CustomerDetail } from './pages/CustomerDetail';
import { CustomerList, suggestFolder } from './pages/Customers';
import { ProductEditor } from './pages/Products';
import { Assign, PICKER_LIMIT } from './pages/Inbox';
import { AuthContext, ConfirmButton, describeError, ErrorBox } from './ui';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
let root: Root;
beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  fetchMock.mockReset();
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

function render(node: ReactNode, canEdit = true) {
  act(() => {
    root.render(
      <I18nProvider initial="el">
        <AuthContext.Provider value={{ claims: { sub: 'maria', permissions: [] }, canEdit }}>{node}</AuthContext.Provider>
      </I18nProvider>,
    );
  });
}

async function until(cond: () => boolean, ms = 2000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await act(async () => {
      await new Promise((r) => setTimeout(r, 10));
    });
  }
}

const customer = (name: string): Customer => ({
  id: crypto.randomUUID(), name, contacts: [{ type: 'phone', value: '691 234 5678', primary: true, e164: '+306912345678' }], notes: [],
  location: { city: 'Θεσσαλονίκη' }, language: 'el', tags: ['ναός'], owned_items: [], linked_user_ids: [],
  created_at: '2026-11-28T10:00:00Z', updated_at: '2026-11-28T10:00:00Z', version: 1,
});

describe('errors in words', () => {
  const t = dictionaries.el;
  it('says what is wrong with a field in one Greek sentence, without its path or the server text', () => {
    const text = describeError(new ApiError(422, 'invalid_field', 'items[1].quantity: must be positive', { field: 'items[1].quantity', reason: 'must be positive' }), t);
    expect(text).toBe('Η ποσότητα ενός είδους δεν είναι έγκυρη.');
  });
  it('puts known codes into Greek, and English in the English UI', () => {
    expect(describeError(new ApiError(0, 'network', 'Failed to fetch'), t)).toBe('Δεν υπάρχει σύνδεση με τον διακομιστή.');
    expect(describeError(new ApiError(503, 'nextcloud_unavailable', 'down'), t)).toBe('Τα αρχεία (Nextcloud) δεν απαντούν αυτή τη στιγμή· δοκιμάστε ξανά σε λίγο.');
    expect(describeError(new ApiError(0, 'network', ''), dictionaries.en)).toBe('The server cannot be reached.');
  });
  it('renders an alert', () => {
    render(<ErrorBox error={new ApiError(403, 'forbidden', 'missing crm:edit')} />);
    expect(container.querySelector('[role=alert]')?.textContent).toBe('Δεν έχετε δικαίωμα για αυτή την ενέργεια.');
  });
});

describe('ConfirmButton', () => {
  it('asks once more before it acts', () => {
    const onConfirm = vi.fn();
    render(<ConfirmButton label="Διαγραφή" onConfirm={onConfirm} />);
    act(() => container.querySelector('button')?.click());
    expect(onConfirm).not.toHaveBeenCalled();
    expect(container.textContent).toContain('Σίγουρα διαγραφή;');
    const yes = [...container.querySelectorAll('button')].find((b) => b.textContent === 'Ναι');
    act(() => yes?.click());
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });
});

describe('the customer list', () => {
  it('asks the server as the user types and shows what it answers', async () => {
    fetchMock.mockImplementation(async (req: Request) => {
      const q = new URL(req.url).searchParams.get('search');
      const list = q === 'αγιου' ? [customer('Ιερός Ναός Αγίου Νικολάου')] : [customer('Άλλος')];
      return new Response(JSON.stringify({ customers: list, total: list.length }), { headers: { 'content-type': 'application/json' } });
    });
    render(<CustomerList />);
    await until(() => container.textContent?.includes('Άλλος') ?? false);
    const input = container.querySelector('input[type=search]') as HTMLInputElement;
    act(() => {
      const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
      set?.call(input, 'αγιου');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await until(() => container.querySelector('table[data-query="αγιου"]') !== null);
    expect(container.textContent).toContain('Ιερός Ναός Αγίου Νικολάου');
    expect(container.textContent).toContain('691 234 5678');
    const urls = fetchMock.mock.calls.map(([r]) => decodeURIComponent(new URL(r.url).search));
    expect(urls.some((u) => u.includes('search=αγιου'))).toBe(true);
  });

  it('shows no create button to a view-only user', async () => {
    fetchMock.mockResolvedValue(new Response(JSON.stringify({ customers: [], total: 0 }), { headers: { 'content-type': 'application/json' } }));
    render(<CustomerList />, false);
    await until(() => container.textContent?.includes('Δεν βρέθηκε τίποτα.') ?? false);
    expect(container.querySelector('a.primary, button.primary')).toBeNull();
  });
});

describe('suggestFolder', () => {
  it('writes the name in capitals without accents', () => {
    expect(suggestFolder('Ιερός Ναός Αγίου Νικολάου')).toBe('05_Customers/ΙΕΡΟΣ_ΝΑΟΣ_ΑΓΙΟΥ_ΝΙΚΟΛΑΟΥ');
    expect(suggestFolder('  ')).toBe('');
  });
});

describe('the inbox customer picker', () => {
  const entry = { id: 'e1', type: 'sms', direction: 'inbound', sender: '+30 697 000 1111', body: 'x', occurred_at: '2026-11-28T10:00:00Z' } as never;
  it('shows organisation, city and phone beside each name, up to 20, and says how many more matched', async () => {
    const list = Array.from({ length: PICKER_LIMIT }, (_, i) => ({ ...customer(`Παπαδόπουλος ${i + 1}`), organization: i === 0 ? 'Ι.Ν. Αγίου Δημητρίου' : null }));
    fetchMock.mockImplementation(async () => new Response(JSON.stringify({ customers: list, total: 27 }), { headers: { 'content-type': 'application/json' } }));
    render(<Assign entry={entry} onDone={() => {}} />);
    const input = container.querySelector('input[type=search]') as HTMLInputElement;
    act(() => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(input, 'παπα');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await until(() => container.querySelectorAll('.suggestions button').length > 0);
    const buttons = [...container.querySelectorAll('.suggestions button')].map((b) => b.textContent);
    expect(buttons).toHaveLength(20);
    expect(buttons[0]).toBe('Ανάθεση → Παπαδόπουλος 1 — Ι.Ν. Αγίου Δημητρίου · Θεσσαλονίκη · 691 234 5678');
    expect(buttons[1]).toBe('Ανάθεση → Παπαδόπουλος 2 — Θεσσαλονίκη · 691 234 5678');
    expect(container.querySelector('.suggestions li.muted')?.textContent).toBe('και 7 ακόμη');
    const asked = new URL(fetchMock.mock.calls[0]![0].url).searchParams;
    expect(asked.get('limit')).toBe('20');
  });
});

describe('labels that read naturally in Greek', () => {
  const labels = () => [...container.querySelectorAll('label span, .field > span, th')].map((x) => x.textContent?.trim());
  it('names the enclosure cost and the stock on hand and available as people say them', async () => {
    render(<ProductEditor id={null} />);
    await act(async () => { await new Promise((r) => setTimeout(r, 10)); }); // the new product "loads" at once
    await until(() => labels().includes('Περίβλημα'));
    expect(labels()).toEqual(expect.arrayContaining(['Περίβλημα', 'Σε απόθεμα', 'Διαθέσιμα', 'Κόστος ανά ώρα εργασίας', 'Μεταφορικά προμήθειας']));
    expect(container.textContent).not.toMatch(/Κουτί|Ελεύθερα|Διαθέσιμα στην αποθήκη/);
  });
  it("heads a contact's value «Στοιχείο επικοινωνίας»", async () => {
    const c = customer('Νικολάου Μαρία');
    fetchMock.mockImplementation(async () => new Response(JSON.stringify(c), { headers: { 'content-type': 'application/json', etag: '"1"' } }));
    window.history.replaceState(null, '', `/customers/${c.id}?tab=contacts`);
    render(<CustomerDetail id={c.id} />);
    await until(() => labels().includes('Στοιχείο επικοινωνίας'));
    expect(labels()).toEqual(expect.arrayContaining(['Τύπος', 'Στοιχείο επικοινωνίας', 'Χαρακτηρισμός', 'Κύρια']));
    window.history.replaceState(null, '', '/');
  });
});
