// Errors in the user's words: each API error envelope becomes one sentence in the UI's
// language, chosen by its code, the field it names and the kind of record it is about. No
// field paths, ids, English server text or internal codes reach the screen.
import type { ApiError } from './api/client';

export type Lang = 'el' | 'en';
type Two = readonly [el: string, en: string];

/** The kind of record an error is about, read from the request's URL. */
export type Entity = 'customer' | 'product' | 'order' | 'document' | 'file' | 'comms' | 'user' | 'ticket' | 'other';

export function entityOf(url: string | undefined): Entity {
  const path = url ? new URL(url, 'http://x').pathname : '';
  if (/\/(media|nextcloud)(\/|$)/.test(path)) return 'file';
  if (/^\/api\/crm\/orders\/[^/]+\/document$/.test(path)) return 'document';
  // the service desk: tickets, visits, macros, tags, a device's history, a ticket from an entry
  if (/^\/api\/crm\/(tickets|visits|macros|ticket-tags|serials)(\/|$)/.test(path) || /^\/api\/crm\/comms\/[^/]+\/ticket$/.test(path)) return 'ticket';
  if (path.startsWith('/api/crm/customers')) return 'customer';
  if (path.startsWith('/api/crm/products')) return 'product';
  if (path.startsWith('/api/crm/orders')) return 'order';
  if (path.startsWith('/api/crm/comms')) return 'comms';
  if (path.startsWith('/api/admin/users')) return 'user';
  return 'other';
}

// What a 422 names, by field (array indices dropped: `items[1].quantity` → `items[].quantity`).
const FIELDS: Record<string, Two> = {
  phone: ['Το τηλέφωνο δεν είναι έγκυρο.', 'The phone number is not valid.'],
  email: ['Η διεύθυνση e-mail δεν είναι έγκυρη.', 'The e-mail address is not valid.'],
  'contacts[].value': ['Μια επαφή δεν είναι συμπληρωμένη σωστά.', 'A contact is not filled in correctly.'],
  'contacts[].label': ['Η ετικέτα μιας επαφής είναι πολύ μεγάλη.', 'A contact label is too long.'],
  contacts: ['Οι επαφές δεν είναι συμπληρωμένες σωστά.', 'The contacts are not filled in correctly.'],
  name: ['Το όνομα λείπει ή δεν είναι έγκυρο.', 'The name is missing or not valid.'],
  organization: ['Ο οργανισμός δεν είναι έγκυρος.', 'The organization is not valid.'],
  location: ['Η τοποθεσία δεν είναι έγκυρη.', 'The location is not valid.'],
  tags: ['Οι ετικέτες δεν είναι έγκυρες.', 'The tags are not valid.'],
  notes: ['Η σημείωση δεν είναι έγκυρη.', 'The note is not valid.'],
  owned_items: ['Ο εξοπλισμός δεν είναι συμπληρωμένος σωστά.', 'The owned items are not filled in correctly.'],
  sku: ['Ο κωδικός (SKU) λείπει ή δεν είναι έγκυρος.', 'The SKU is missing or not valid.'],
  price: ['Η τιμή δεν είναι έγκυρη.', 'The price is not valid.'],
  costs: ['Ένα από τα κόστη δεν είναι έγκυρο.', 'One of the costs is not valid.'],
  stock: ['Το απόθεμα δεν είναι έγκυρο (τα δεσμευμένα δεν ξεπερνούν τα διαθέσιμα).', 'The stock is not valid (reserved cannot exceed on hand).'],
  'items[].quantity': ['Η ποσότητα ενός είδους δεν είναι έγκυρη.', 'The quantity of an item is not valid.'],
  'items[].unit_price': ['Η τιμή μονάδας ενός είδους δεν είναι έγκυρη.', 'The unit price of an item is not valid.'],
  'items[].product_id': ['Το προϊόν ενός είδους δεν υπάρχει.', 'The product of an item does not exist.'],
  items: ['Ένα είδος της παραγγελίας δεν είναι συμπληρωμένο σωστά.', 'An item of the order is not filled in correctly.'],
  discount: ['Η έκπτωση δεν είναι έγκυρη.', 'The discount is not valid.'],
  status: ['Αυτή η αλλαγή κατάστασης δεν επιτρέπεται.', 'This status change is not allowed.'],
  customer_id: ['Ο πελάτης δεν βρέθηκε.', 'The customer was not found.'],
  order_id: ['Η παραγγελία δεν βρέθηκε.', 'The order was not found.'],
  kind: ['Αυτό το έγγραφο δεν υπάρχει για την παραγγελία.', 'This document does not exist for the order.'],
  order_documents: ['Ένα από τα έγγραφα παραγγελίας δεν επισυνάφθηκε (η παραγγελία δεν βρέθηκε).', 'One of the order documents could not be attached (the order was not found).'],
  vat_rate: ['Ο συντελεστής ΦΠΑ δεν είναι έγκυρος (24, 13, 6 ή 0 %).', 'The VAT rate is not valid (24, 13, 6 or 0 %).'],
  'items[].vat_rate': ['Ο συντελεστής ΦΠΑ ενός είδους δεν είναι έγκυρος.', 'The VAT rate of an item is not valid.'],
  'items[].vat_exemption': ['Ένα είδος με ΦΠΑ 0 % χρειάζεται αιτία απαλλαγής (και μόνο αυτό).', 'An item at 0 % VAT needs an exemption reason (and only such an item has one).'],
  discount_exceeds: ['Η έκπτωση δεν μπορεί να ξεπερνά το σύνολο.', 'The discount cannot exceed the subtotal.'],
  nextcloud_folder: ['Ο φάκελος στο Nextcloud δεν είναι έγκυρος.', 'The Nextcloud folder is not valid.'],
  folder: ['Ο φάκελος στο Nextcloud δεν είναι έγκυρος.', 'The Nextcloud folder is not valid.'],
  nextcloud_path: ['Ο φάκελος στο Nextcloud δεν είναι έγκυρος.', 'The Nextcloud folder is not valid.'],
  path: ['Ο φάκελος στο Nextcloud δεν είναι έγκυρος.', 'The Nextcloud folder is not valid.'],
  file: ['Το αρχείο δεν είναι έγκυρο.', 'The file is not valid.'],
  subject: ['Το θέμα δεν είναι έγκυρο.', 'The subject is not valid.'],
  body: ['Το κείμενο δεν είναι έγκυρο.', 'The text is not valid.'],
  text: ['Το κείμενο δεν είναι έγκυρο.', 'The text is not valid.'],
  to: ['Ένας παραλήπτης του e-mail δεν είναι έγκυρη διεύθυνση.', 'A recipient of the e-mail is not a valid address.'],
  cc: ['Μια διεύθυνση κοινοποίησης δεν είναι έγκυρη.', 'A Cc address is not valid.'],
  attachments: ['Ένα συνημμένο δεν βρέθηκε στο Nextcloud ή είναι πολύ μεγάλο.', 'An attachment was not found in Nextcloud or is too large.'],
  in_reply_to: ['Το e-mail στο οποίο απαντάτε δεν αναγνωρίστηκε.', 'The e-mail you are replying to was not recognised.'],
  account: ['Ο λογαριασμός e-mail δεν υπάρχει.', 'The e-mail account does not exist.'],
  number: ['Ο αριθμός τηλεφώνου δεν είναι έγκυρος για κλήση.', 'The phone number cannot be dialled.'],
  template: ['Το πρότυπο WhatsApp δεν είναι συμπληρωμένο σωστά (όνομα και γλώσσα).', 'The WhatsApp template is not filled in correctly (name and language).'],
  media: ['Το αρχείο για το WhatsApp δεν βρέθηκε ή δεν υποστηρίζεται.', 'The file for WhatsApp was not found or is not supported.'],
  window: ['Πέρασαν 24 ώρες από το τελευταίο μήνυμα του πελάτη· στείλτε εγκεκριμένο πρότυπο.', '24 hours have passed since the customer last wrote; send an approved template.'],
  occurred_at: ['Η ημερομηνία δεν είναι έγκυρη.', 'The date is not valid.'],
  username: ['Το όνομα χρήστη δεν είναι έγκυρο.', 'The user name is not valid.'],
  password: ['Ο κωδικός δεν είναι έγκυρος.', 'The password is not valid.'],
  permissions: ['Τα δικαιώματα δεν είναι έγκυρα.', 'The permissions are not valid.'],
  extension: ['Το εσωτερικό τηλεφώνου είναι 2 έως 10 ψηφία.', 'The phone extension is 2 to 10 digits.'],
  signature: ['Η υπογραφή e-mail δεν είναι έγκυρη (έως 2.000 χαρακτήρες).', 'The e-mail signature is not valid (at most 2,000 characters).'],
  technician: ['Ο τεχνικός λείπει ή δεν είναι έγκυρος.', 'The technician is missing or not valid.'],
  starts_at: ['Η ώρα έναρξης δεν είναι έγκυρη.', 'The start time is not valid.'],
  ends_at: ['Η λήξη της επίσκεψης πρέπει να είναι μετά την έναρξη.', 'The visit must end after it starts.'],
  'parts[].quantity': ['Η ποσότητα ενός ανταλλακτικού πρέπει να είναι θετικός ακέραιος.', 'The quantity of a part must be a positive whole number.'],
  'parts[].product_id': ['Το προϊόν ενός ανταλλακτικού δεν υπάρχει.', 'The product of a part does not exist.'],
  assignee: ['Ο υπεύθυνος δεν είναι έγκυρος.', 'The assignee is not valid.'],
  due_at: ['Η προθεσμία δεν είναι έγκυρη.', 'The due date is not valid.'],
  owned_item_serial: ['Ο σειριακός αριθμός δεν είναι έγκυρος.', 'The serial number is not valid.'],
  serial: ['Ο σειριακός αριθμός δεν είναι έγκυρος.', 'The serial number is not valid.'],
  entry_id: ['Η καταχώριση δεν βρέθηκε ή ανήκει σε άλλον πελάτη.', 'The entry was not found or belongs to another customer.'],
  display_name: ['Το εμφανιζόμενο όνομα δεν είναι έγκυρο (μία γραμμή, έως 100 χαρακτήρες).', 'The display name is not valid (one line, at most 100 characters).'],
};
const ANY_FIELD: Two = ['Μία από τις τιμές δεν είναι έγκυρη.', 'One of the values is not valid.'];

/** The FIELDS key for a field path and the server's reason (used to tell, never shown). */
export function fieldKey(field: string, reason = ''): string | null {
  const f = field.replace(/\[\d+\]/g, '[]');
  if (f === 'contacts[].value' && /phone/i.test(reason)) return 'phone';
  if (f === 'contacts[].value' && /e-?mail/i.test(reason)) return 'email';
  if (f === 'discount.value' && /exceed/i.test(reason)) return 'discount_exceeds';
  if (f in FIELDS) return f;
  const head = f.split('.')[0] ?? f;
  if (head in FIELDS) return head;
  const bare = head.replace(/\[\]$/, '');
  return bare in FIELDS ? bare : null;
}

const NOT_FOUND: Record<Entity, Two> = {
  customer: ['Ο πελάτης δεν βρέθηκε (ίσως διαγράφηκε).', 'The customer was not found (maybe deleted).'],
  product: ['Το προϊόν δεν βρέθηκε (ίσως διαγράφηκε).', 'The product was not found (maybe deleted).'],
  order: ['Η παραγγελία δεν βρέθηκε (ίσως διαγράφηκε).', 'The order was not found (maybe deleted).'],
  document: ['Η παραγγελία δεν βρέθηκε, οπότε το έγγραφο δεν δημιουργήθηκε.', 'The order was not found, so the document was not made.'],
  file: ['Το αρχείο δεν βρέθηκε.', 'The file was not found.'],
  comms: ['Η καταχώριση δεν βρέθηκε.', 'The entry was not found.'],
  user: ['Ο χρήστης δεν βρέθηκε (ίσως διαγράφηκε).', 'The user was not found (maybe deleted).'],
  ticket: ['Δεν βρέθηκε (η εργασία, η επίσκεψη ή ο σειριακός αριθμός).', 'Not found (the ticket, the visit or the serial number).'],
  other: ['Δεν βρέθηκε.', 'Not found.'],
};
const DUPLICATE: Record<Entity, Two> = {
  customer: ['Υπάρχει ήδη πελάτης με αυτά τα στοιχεία.', 'A customer with these details exists already.'],
  product: ['Υπάρχει ήδη προϊόν με αυτόν τον κωδικό (SKU).', 'A product with this SKU exists already.'],
  order: ['Υπάρχει ήδη παραγγελία με αυτόν τον αριθμό.', 'An order with this number exists already.'],
  document: ['Το έγγραφο δεν δημιουργήθηκε.', 'The document was not made.'],
  file: ['Υπάρχει ήδη αρχείο με αυτό το όνομα.', 'A file with this name exists already.'],
  comms: ['Η καταχώριση υπάρχει ήδη.', 'The entry exists already.'],
  user: ['Υπάρχει ήδη χρήστης με αυτό το όνομα.', 'A user with this name exists already.'],
  ticket: ['Η αλλαγή δεν έγινε: η εργασία δεν το επιτρέπει στην τωρινή της κατάσταση.', 'The change was not made: the ticket does not allow it as it stands.'],
  other: ['Υπάρχει ήδη.', 'It exists already.'],
};
const IN_USE: Record<Entity, Two> = {
  customer: ['Ο πελάτης έχει παραγγελίες και δεν διαγράφεται.', 'The customer has orders and cannot be deleted.'],
  product: ['Το προϊόν υπάρχει σε παραγγελίες και δεν διαγράφεται.', 'The product is in orders and cannot be deleted.'],
  order: ['Η παραγγελία χρησιμοποιείται αλλού και δεν διαγράφεται.', 'The order is used elsewhere and cannot be deleted.'],
  document: ['Το έγγραφο δεν δημιουργήθηκε.', 'The document was not made.'],
  file: ['Το αρχείο χρησιμοποιείται και δεν διαγράφεται.', 'The file is in use and cannot be deleted.'],
  comms: ['Η καταχώριση χρησιμοποιείται και δεν διαγράφεται.', 'The entry is in use and cannot be deleted.'],
  user: ['Ο χρήστης χρησιμοποιείται και δεν διαγράφεται.', 'The user is in use and cannot be deleted.'],
  ticket: ['Χρησιμοποιείται και δεν διαγράφεται.', 'It is in use and cannot be deleted.'],
  other: ['Άλλες εγγραφές αναφέρονται σε αυτή, γι’ αυτό δεν διαγράφεται.', 'Other records refer to it, so it cannot be deleted.'],
};
const CUSTOMER_LINKED: Two = ['Ο πελάτης έχει επικοινωνία ή αρχεία και δεν διαγράφεται.', 'The customer has comms or files and cannot be deleted.'];

const FEATURES: Record<string, Two> = {
  nextcloud: ['Τα αρχεία (Nextcloud)', 'Files (Nextcloud)'],
  email: ['Το e-mail', 'E-mail'],
  smtp: ['Το e-mail', 'E-mail'],
  whatsapp: ['Το WhatsApp', 'WhatsApp'],
  pbx: ['Το τηλεφωνικό κέντρο', 'The phone system'],
  store: ['Η βάση δεδομένων', 'The database'],
};

const CODES: Record<string, Two> = {
  network: ['Δεν υπάρχει σύνδεση με τον διακομιστή.', 'The server cannot be reached.'],
  unauthorized: ['Η σύνδεση έληξε· συνδεθείτε ξανά.', 'The session expired; please log in again.'],
  forbidden: ['Δεν έχετε δικαίωμα για αυτή την ενέργεια.', 'You are not allowed to do this.'],
  stale_version: ['Κάποιος άλλος άλλαξε αυτή την εγγραφή στο μεταξύ.', 'Someone else changed this record meanwhile.'],
  payload_too_large: ['Το αρχείο είναι πολύ μεγάλο.', 'The file is too large.'],
  nextcloud_locked: ['Το αρχείο είναι κλειδωμένο στο Nextcloud· δοκιμάστε ξανά σε λίγο.', 'The file is locked in Nextcloud; try again shortly.'],
  nextcloud_forbidden: ['Το Nextcloud δεν επιτρέπει αυτή την ενέργεια.', 'Nextcloud does not allow this.'],
  nextcloud_insufficient_storage: ['Ο χώρος στο Nextcloud εξαντλήθηκε.', 'Nextcloud is out of space.'],
  nextcloud_conflict: ['Ο φάκελος στο Nextcloud δεν υπάρχει.', 'The Nextcloud folder does not exist.'],
  already_exists: DUPLICATE.file,
  internal: ['Σφάλμα του διακομιστή· δοκιμάστε ξανά σε λίγο.', 'A server error; try again shortly.'],
  smtp_rejected: ['Ο διακομιστής e-mail δεν δέχτηκε το μήνυμα· ελέγξτε τις διευθύνσεις των παραληπτών.', 'The mail server did not accept the message; check the recipients’ addresses.'],
  user_exists: ['Υπάρχει ήδη χρήστης με αυτό το όνομα.', 'A user with this name exists already.'],
  last_admin: ['Πρέπει να μείνει τουλάχιστον ένας ενεργός διαχειριστής· η αλλαγή δεν έγινε.', 'At least one active administrator must remain; the change was not made.'],
};

// What an administrator may not do to themselves (422 whose reason says "yourself"), by field.
const SELF: Record<string, Two> = {
  disabled: ['Δεν μπορείτε να απενεργοποιήσετε τον εαυτό σας· πρέπει να το κάνει άλλος διαχειριστής.', 'You cannot disable yourself; another administrator must.'],
  permissions: ['Δεν μπορείτε να αφαιρέσετε από τον εαυτό σας τη διαχείριση· πρέπει να το κάνει άλλος διαχειριστής.', 'You cannot take administration from yourself; another administrator must.'],
  username: ['Δεν μπορείτε να διαγράψετε τον εαυτό σας· πρέπει να το κάνει άλλος διαχειριστής.', 'You cannot delete yourself; another administrator must.'],
};

const DOCUMENT_FAILED: Two = ['Το PDF δεν δημιουργήθηκε· δοκιμάστε ξανά σε λίγο.', 'The PDF could not be made; try again shortly.'];

const pick = ([el, en]: Two, lang: Lang) => (lang === 'en' ? en : el);

/**
 * A service desk 409 in words, told apart by the server's message (read, never shown; only
 * the product's name, the user's own data, is quoted): too little stock for a part, a status
 * move the workflow does not allow, a closed ticket, a visit no longer scheduled.
 */
function ticketConflict(message: string, lang: Lang): string | null {
  const stock = /not enough of product (.+) \([0-9a-f-]{36}\) in stock/.exec(message);
  if (stock) {
    return lang === 'en'
      ? `Not enough «${stock[1]}» in stock; the visit was not completed.`
      : `Δεν υπάρχει αρκετό απόθεμα από «${stock[1]}»· η επίσκεψη δεν ολοκληρώθηκε.`;
  }
  if (/cannot become/.test(message)) return pick(FIELDS.status as Two, lang);
  if (/is closed: reopen/.test(message)) return pick(['Η εργασία είναι κλειστή· ανοίξτε την ξανά για να προγραμματίσετε επίσκεψη.', 'The ticket is closed; reopen it to schedule a visit.'], lang);
  if (/^the visit is/.test(message)) return pick(['Η επίσκεψη δεν είναι πια προγραμματισμένη (ολοκληρώθηκε ή ακυρώθηκε).', 'The visit is no longer scheduled (completed or cancelled).'], lang);
  if (/macro named/.test(message)) return pick(['Υπάρχει ήδη μακροεντολή με αυτό το όνομα.', 'A macro with this name exists already.'], lang);
  return null;
}

/** One sentence in `lang` for an API error. */
export function errorSentence(e: ApiError, lang: Lang): string {
  const entity = entityOf(e.url);
  const code = e.code;
  if (code === 'invalid_field') {
    const d = (e.details ?? {}) as { field?: unknown; reason?: unknown };
    const key = typeof d.field === 'string' ? fieldKey(d.field, typeof d.reason === 'string' ? d.reason : '') : null;
    const self = typeof d.field === 'string' && typeof d.reason === 'string' && /yourself/i.test(d.reason) ? SELF[d.field] : undefined;
    if (self) return pick(self, lang);
    return pick((key && FIELDS[key]) || ANY_FIELD, lang);
  }
  if (code === 'not_found' || (e.status === 404 && !(code in CODES))) return pick(NOT_FOUND[entity], lang);
  if (entity === 'ticket' && e.status === 409) return ticketConflict(e.message, lang) ?? pick(DUPLICATE.ticket, lang);
  if (code === 'conflict') return pick(DUPLICATE[entity], lang);
  if (code === 'last_admin' || code === 'user_exists') return pick(CODES[code] as Two, lang);
  if (code === 'in_use') {
    if (entity === 'customer' && e.message && !/order/i.test(e.message)) return pick(CUSTOMER_LINKED, lang);
    return pick(IN_USE[entity], lang);
  }
  if (e.status === 412) return pick(CODES.stale_version as Two, lang);
  if (e.status >= 500 && entity === 'document') return pick(DOCUMENT_FAILED, lang);
  const known = CODES[code];
  if (known) return pick(known, lang);
  const configured = /^(.+)_not_configured$/.exec(code);
  if (configured) {
    const what = FEATURES[configured[1] as string];
    if (what) {
      return lang === 'en'
        ? `${what[1]} is not set up; ask the administrator to set it up.`
        : `${what[0]} δεν ${what[0].startsWith('Τα ') ? 'έχουν' : 'έχει'} ρυθμιστεί· ζητήστε από τον διαχειριστή να ${what[0].startsWith('Τα ') ? 'τα' : what[0].startsWith('Η ') ? 'τη' : 'το'} ρυθμίσει.`;
    }
    return pick(['Αυτή η λειτουργία δεν έχει ρυθμιστεί· ζητήστε από τον διαχειριστή να τη ρυθμίσει.', 'This feature is not set up; ask the administrator to set it up.'], lang);
  }
  const feature = /^([a-z]+)_/.exec(code)?.[1];
  if (e.status === 503 || /_unavailable$|_unauthorized$/.test(code)) {
    const what = feature ? FEATURES[feature] : undefined;
    if (what) {
      return lang === 'en'
        ? `${what[1]} is not answering at the moment; try again shortly.`
        : `${what[0]} δεν ${what[0].startsWith('Τα ') ? 'απαντούν' : 'απαντά'} αυτή τη στιγμή· δοκιμάστε ξανά σε λίγο.`;
    }
    return pick(['Η υπηρεσία δεν είναι διαθέσιμη αυτή τη στιγμή· δοκιμάστε ξανά σε λίγο.', 'The service is not available at the moment; try again shortly.'], lang);
  }
  if (e.status === 413) return pick(CODES.payload_too_large as Two, lang);
  if (e.status === 401) return pick(CODES.unauthorized as Two, lang);
  if (e.status === 403) return pick(CODES.forbidden as Two, lang);
  if (e.status === 409) return pick(DUPLICATE[entity], lang);
  if (e.status >= 500) return pick(CODES.internal as Two, lang);
  if (e.status === 400 || e.status === 422) return pick(ANY_FIELD, lang);
  return lang === 'en' ? `Something went wrong (error ${e.status}).` : `Κάτι πήγε στραβά (σφάλμα ${e.status}).`;
}

/** Whether an error says a feature is not set up (its controls are then hidden). */
export function isNotConfigured(e: unknown): boolean {
  return typeof e === 'object' && e !== null && /_not_configured$/.test(String((e as { code?: unknown }).code ?? ''));
}
