import { describe, expect, it } from 'vitest';
import { ApiError } from './api/client';
import { entityOf, errorSentence, fieldKey } from './errors';

const err = (status: number, code: string, message = '', details?: unknown, url?: string) => new ApiError(status, code, message, details, url);
const C = 'http://127.0.0.1/api/crm/customers/5b0c7c7e-1f2a-4a8e-9a55-0a1b2c3d4e5f';

describe('errors in the user words', () => {
  it('an invalid phone is one Greek sentence without the field path or the English reason', () => {
    const e = err(422, 'invalid_field', 'contacts[0].value: is not a phone number (Greek, or international with +)', { field: 'contacts[0].value', reason: 'is not a phone number (Greek, or international with +)' }, 'http://x/api/crm/customers');
    expect(errorSentence(e, 'el')).toBe('Το τηλέφωνο δεν είναι έγκυρο.');
    expect(errorSentence(e, 'en')).toBe('The phone number is not valid.');
  });

  it('names each field in words', () => {
    const cases: [string, string, string][] = [
      ['contacts[1].value', 'is not an e-mail address (name@domain)', 'Η διεύθυνση e-mail δεν είναι έγκυρη.'],
      ['items[1].quantity', 'must be above 0', 'Η ποσότητα ενός είδους δεν είναι έγκυρη.'],
      ['discount.value', 'must be between 0 and 100', 'Η έκπτωση δεν είναι έγκυρη.'],
      ['costs.pcb', 'is negative', 'Ένα από τα κόστη δεν είναι έγκυρο.'],
      ['name', 'is required', 'Το όνομα λείπει ή δεν είναι έγκυρο.'],
      ['something_new', 'whatever', 'Μία από τις τιμές δεν είναι έγκυρη.'],
      ['discount.value', 'a fixed discount cannot exceed the subtotal (10)', 'Η έκπτωση δεν μπορεί να ξεπερνά το σύνολο.'],
      ['items[1].vat_exemption', 'a 0 % line needs the reason it is exempt from VAT', 'Ένα είδος με ΦΠΑ 0 % χρειάζεται αιτία απαλλαγής (και μόνο αυτό).'],
      ['vat_rate', 'must be 24, 13, 6 or 0', 'Ο συντελεστής ΦΠΑ δεν είναι έγκυρος (24, 13, 6 ή 0 %).'],
      ['order_documents[0].order_id', 'not an order of this customer', 'Ένα από τα έγγραφα παραγγελίας δεν επισυνάφθηκε (η παραγγελία δεν βρέθηκε).'],
    ];
    for (const [field, reason, want] of cases) expect(errorSentence(err(422, 'invalid_field', '', { field, reason }), 'el')).toBe(want);
  });

  it('an order document that cannot be made says so in Greek', () => {
    const D = 'http://x/api/crm/orders/5b0c7c7e-1f2a-4a8e-9a55-0a1b2c3d4e5f/document?kind=quotation';
    expect(entityOf(D)).toBe('document');
    expect(errorSentence(err(500, 'internal', 'krilla failed', undefined, D), 'el')).toBe('Το PDF δεν δημιουργήθηκε· δοκιμάστε ξανά σε λίγο.');
    expect(errorSentence(err(404, 'not_found', '', undefined, D), 'el')).toBe('Η παραγγελία δεν βρέθηκε, οπότε το έγγραφο δεν δημιουργήθηκε.');
    expect(errorSentence(err(500, 'internal', '', undefined, D), 'en')).toBe('The PDF could not be made; try again shortly.');
  });

  it('a customer with orders is not deleted: says so', () => {
    const e = err(409, 'in_use', 'the customer has 2 orders', undefined, C);
    expect(errorSentence(e, 'el')).toBe('Ο πελάτης έχει παραγγελίες και δεν διαγράφεται.');
    expect(errorSentence(err(409, 'in_use', '', undefined, 'http://x/api/crm/products/1'), 'el')).toBe('Το προϊόν υπάρχει σε παραγγελίες και δεν διαγράφεται.');
  });

  it('a feature that is not set up sends the user to the administrator, without its code', () => {
    const text = errorSentence(err(503, 'nextcloud_not_configured', 'Nextcloud is not configured', undefined, 'http://x/api/crm/customers/1/media'), 'el');
    expect(text).toBe('Τα αρχεία (Nextcloud) δεν έχουν ρυθμιστεί· ζητήστε από τον διαχειριστή να τα ρυθμίσει.');
    expect(errorSentence(err(503, 'pbx_not_configured', ''), 'el')).toBe('Το τηλεφωνικό κέντρο δεν έχει ρυθμιστεί· ζητήστε από τον διαχειριστή να το ρυθμίσει.');
    expect(errorSentence(err(503, 'nextcloud_not_configured', ''), 'en')).toBe('Files (Nextcloud) is not set up; ask the administrator to set it up.');
  });

  it('never shows codes, ids, paths or English server text in Greek', () => {
    const samples = [
      err(404, 'not_found', 'no customer 5b0c7c7e-1f2a-4a8e-9a55-0a1b2c3d4e5f', undefined, C),
      err(409, 'conflict', 'sku VESPER exists', undefined, 'http://x/api/crm/products'),
      err(412, 'stale_version', 'version 3 is current'),
      err(503, 'nextcloud_unavailable', 'connection refused'),
      err(503, 'store_unavailable', 'firestore deadline exceeded'),
      err(500, 'internal', 'internal error'),
      err(502, 'http_502', 'Bad Gateway'),
      err(0, 'network', 'Failed to fetch'),
      err(418, 'teapot', 'I am a teapot'),
      err(422, 'invalid_field', 'items[3].product_id: no product 5b0c7c7e', { field: 'items[3].product_id', reason: 'no product 5b0c7c7e' }),
    ];
    for (const e of samples) {
      const text = errorSentence(e, 'el');
      expect(text, e.code).not.toMatch(/[a-z]{3,}_[a-z]|[0-9a-f]{8}-|\[\d\]|refused|exists|version|internal|Bad|Failed|teapot|deadline/);
      expect(text.split(/[.;·]\s/).length, `one sentence: ${text}`).toBeLessThanOrEqual(2);
    }
    expect(errorSentence(samples[0] as ApiError, 'el')).toBe('Ο πελάτης δεν βρέθηκε (ίσως διαγράφηκε).');
    expect(errorSentence(samples[1] as ApiError, 'el')).toBe('Υπάρχει ήδη προϊόν με αυτόν τον κωδικό (SKU).');
  });

  it('reads the record kind from the URL and the field key from the path', () => {
    expect(entityOf('http://x/api/crm/customers/1/media')).toBe('file');
    expect(entityOf('/api/crm/orders/1')).toBe('order');
    expect(entityOf(undefined)).toBe('other');
    expect(fieldKey('stock.reserved')).toBe('stock');
    expect(fieldKey('contacts[2].label')).toBe('contacts[].label');
  });
});
