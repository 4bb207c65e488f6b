// A small own dictionary: Greek (the default) and English. Dates and money are always shown
// in the Greek locale (el-GR), whichever language the words are in.
import { createContext, useContext, useState, type ReactNode } from 'react';

const el = {
  langCode: 'el' as 'el' | 'en',
  appName: 'BellSystems CRM',
  login: 'Σύνδεση', username: 'Όνομα χρήστη', password: 'Κωδικός', logout: 'Αποσύνδεση',
  loginFailed: 'Λάθος όνομα χρήστη ή κωδικός.',
  products: 'Προϊόντα', customers: 'Πελάτες', orders: 'Παραγγελίες', inbox: 'Εισερχόμενα',
  search: 'Αναζήτηση', all: 'Όλα', allFem: 'Όλες', loading: 'Φόρτωση…', none: 'Δεν βρέθηκε τίποτα.',
  new: 'Νέο', newProduct: 'Νέο προϊόν', newCustomer: 'Νέος πελάτης', newOrder: 'Νέα παραγγελία',
  save: 'Αποθήκευση', saved: 'Αποθηκεύτηκε.', cancel: 'Άκυρο', edit: 'Επεξεργασία', delete: 'Διαγραφή',
  add: 'Προσθήκη', remove: 'Αφαίρεση', back: 'Πίσω', yes: 'Ναι', no: 'Όχι', reload: 'Ανανέωση',
  confirmDelete: 'Σίγουρα διαγραφή;', previous: 'Προηγούμενα', next: 'Επόμενα', more: 'Περισσότερα',
  pageOf: (from: number, to: number, total: number) => `${formatNumber(from)}–${formatNumber(to)} από ${formatNumber(total)}`,
  readOnly: 'Μόνο ανάγνωση',
  // products
  name: 'Όνομα', sku: 'Κωδικός (SKU)', category: 'Κατηγορία', description: 'Περιγραφή', price: 'Τιμή',
  currency: 'Νόμισμα', active: 'Ενεργό', inactive: 'Ανενεργό', activeOnly: 'Μόνο ενεργά', inactiveOnly: 'Μόνο ανενεργά',
  costs: 'Κόστος', pcb: 'Πλακέτα (PCB)', components: 'Εξαρτήματα', enclosure: 'Περίβλημα', labor_hours: 'Ώρες εργασίας',
  labor_rate: 'Κόστος ανά ώρα εργασίας', shipping_in: 'Μεταφορικά προμήθειας', costsTotal: 'Σύνολο κόστους',
  stock: 'Απόθεμα', on_hand: 'Σε απόθεμα', reserved: 'Δεσμευμένα', available: 'Διαθέσιμα',
  nextcloud_folder: 'Φάκελος Nextcloud', linked_device_type: 'Τύπος συσκευής',
  computedOnSave: 'Υπολογίζεται από τον διακομιστή κατά την αποθήκευση.',
  cat_controller: 'Ελεγκτής', cat_striker: 'Κρουστήρας', cat_clock: 'Ρολόι', cat_part: 'Ανταλλακτικό', cat_repair_service: 'Επισκευή',
  // customers
  organization: 'Φορέας', location: 'Τοποθεσία', city: 'Πόλη', region: 'Περιοχή', country: 'Χώρα',
  language: 'Γλώσσα', tags: 'Ετικέτες', tag: 'Ετικέτα', tagsHint: 'χωρισμένες με κόμμα', notes: 'Σημειώσεις',
  addNote: 'Προσθήκη σημείωσης', contacts: 'Επαφές', contact: 'Επαφή', phone: 'Τηλέφωνο',
  overview: 'Επισκόπηση', ownedItems: 'Εξοπλισμός', comms: 'Επικοινωνία', media: 'Αρχεία',
  searchCustomers: 'Όνομα, τηλέφωνο, e-mail, ετικέτα…',
  ct_email: 'E-mail', ct_phone: 'Τηλέφωνο', ct_whatsapp: 'WhatsApp', ct_other: 'Άλλο',
  label: 'Χαρακτηρισμός', value: 'Τιμή', contactValue: 'Στοιχείο επικοινωνίας', primary: 'Κύρια', type: 'Τύπος',
  oi_console_device: 'Συσκευή κονσόλας', oi_product: 'Προϊόν', oi_freetext: 'Ελεύθερο κείμενο',
  device_id: 'Αναγνωριστικό συσκευής', product: 'Προϊόν', quantity: 'Ποσότητα',
  serial_numbers: 'Σειριακοί αριθμοί', serial_number: 'Σειριακός αριθμός', serialsHint: 'χωρισμένοι με κόμμα',
  // orders
  order: 'Παραγγελία', orderNumber: 'Αριθμός', customer: 'Πελάτης', status: 'Κατάσταση', items: 'Είδη',
  unit_price: 'Τιμή μονάδας', line_total: 'Σύνολο γραμμής', subtotal: 'Υποσύνολο', discount: 'Έκπτωση',
  discountNone: 'Χωρίς έκπτωση', percentage: 'Ποσοστό %', fixed: 'Ποσό', reason: 'Αιτιολογία', total: 'Σύνολο',
  shipping: 'Αποστολή', method: 'Τρόπος αποστολής', carrier: 'Μεταφορέας', tracking_number: 'Αριθμός παρακολούθησης',
  destination: 'Προορισμός', shipped_at: 'Στάλθηκε', delivered_at: 'Παραδόθηκε',
  payment_status: 'Πληρωμή', invoice_path: 'Αρχείο τιμολογίου', history: 'Ιστορικό κατάστασης',
  addItem: 'Προσθήκη είδους', freeText: 'Ελεύθερο κείμενο', chooseProduct: 'Επιλέξτε προϊόν…',
  chooseCustomer: 'Αναζήτηση πελάτη…', changeStatus: 'Αλλαγή κατάστασης σε', date: 'Ημερομηνία',
  vat: 'ΦΠΑ', vatExemption: 'Αιτία απαλλαγής', vatExemptionHint: 'π.χ. Άρθρο 39α ΚΦΠΑ', pricesNet: 'Τιμές χωρίς ΦΠΑ', pricesGross: 'Τιμές με ΦΠΑ',
  amount: 'Αξία', netTotal: 'Καθαρή αξία', vatAt: (rate: number) => `ΦΠΑ ${rate} %`, vatTotal: 'Σύνολο ΦΠΑ', payable: 'Πληρωτέο',
  livePreview: 'Προεπισκόπηση καθώς γράφετε· τα ποσά της παραγγελίας τα ορίζει ο διακομιστής κατά την αποθήκευση.',
  savedFigures: 'Τα ποσά όπως τα υπολόγισε ο διακομιστής.',
  totalsDiffer: (live: string, server: string) => `Προσοχή: η προεπισκόπηση έδωσε πληρωτέο ${live}, ο διακομιστής ${server}· ισχύει του διακομιστή.`,
  lineDiffers: (live: string) => `Η προεπισκόπηση έδωσε ${live}`,
  quotationPdf: 'Προσφορά (PDF)', confirmationPdf: 'Επιβεβαίωση (PDF)', doc_quotation: 'Προσφορά', doc_confirmation: 'Επιβεβαίωση',
  searchOrders: 'Αριθμός ή πελάτης',
  newEmail: 'Νέο e-mail', emailTo: 'Προς', send: 'Αποστολή', sent: 'Στάλθηκε.', sentWithWarning: 'Στάλθηκε, αλλά δεν καταχωρίστηκε πλήρως (δείτε το χρονολόγιο).',
  attachDocuments: 'Επισύναψη εγγράφων παραγγελίας (PDF)', noOrderDocuments: 'Ο πελάτης δεν έχει παραγγελίες.',
  wholeNumber: (min: number) => `Ακέραιος αριθμός από ${formatNumber(min)} και πάνω, π.χ. 1.200.`,
  st_draft: 'Πρόχειρη', st_confirmed: 'Επιβεβαιωμένη', st_in_production: 'Σε παραγωγή', st_shipped: 'Απεσταλμένη',
  st_delivered: 'Παραδομένη', st_cancelled: 'Ακυρωμένη',
  pay_pending: 'Εκκρεμεί', pay_partial: 'Μερική', pay_paid: 'Εξοφλημένη', pay_refunded: 'Επιστροφή',
  it_product: 'Προϊόν', it_service: 'Υπηρεσία', it_freetext: 'Ελεύθερο',
  // comms
  timeline: 'Χρονολόγιο', direction: 'Κατεύθυνση', subject: 'Θέμα', body: 'Κείμενο', occurred_at: 'Πότε',
  logEntry: 'Καταχώριση', logged: 'Καταχωρίστηκε.',
  cm_email: 'E-mail', cm_whatsapp: 'WhatsApp', cm_call: 'Κλήση', cm_sms: 'SMS', cm_note: 'Σημείωση', cm_in_person: 'Επίσκεψη',
  dir_inbound: 'Εισερχόμενη', dir_outbound: 'Εξερχόμενη', dir_internal: 'Εσωτερική',
  orderCreated: 'Νέα παραγγελία', orderStatus: 'Αλλαγή κατάστασης', fileEvent: 'Αρχείο', noteEvent: 'Σημείωση',
  sender: 'Αποστολέας', assign: 'Ανάθεση', assignTo: 'Ανάθεση σε πελάτη', addContact: 'Προσθήκη αποστολέα στις επαφές',
  allFromSender: 'Όλα του ίδιου αποστολέα', andMore: (n: number) => `και ${formatNumber(n)} ακόμη`, assigned: (n: number) => `Ανατέθηκαν ${n}.`, inboxEmpty: 'Τα εισερχόμενα είναι άδεια.',
  waiting: (n: number) => (n === 1 ? '1 περιμένει' : `${formatNumber(n)} περιμένουν`),
  // media
  upload: 'Μεταφόρτωση', subfolder: 'Υποφάκελος', sentMedia: 'Απεσταλμένα', receivedMedia: 'Ληφθέντα', internal: 'Εσωτερικά',
  download: 'Λήψη', noFolder: 'Ο πελάτης δεν έχει φάκελο στο Nextcloud. Ορίστε έναν για να ανεβάσετε αρχεία:',
  setFolder: 'Ορισμός φακέλου', folderUnavailable: 'Ο φάκελος στο Nextcloud δεν διαβάστηκε.', size: 'Μέγεθος',
  badDateTime: 'Η ώρα γράφεται ως ηη/μμ/εεεε ωω:λλ, π.χ. 28/11/2026 15:05.', dateTimeHint: 'ηη/μμ/εεεε ωω:λλ',
  md_received: 'Ληφθέν', md_sent: 'Απεσταλμένο', md_internal: 'Εσωτερικό', chooseFile: 'Επιλογή αρχείου',
  filesNotConfigured: 'Τα αρχεία (Nextcloud) δεν έχουν ρυθμιστεί, οπότε δεν γίνεται μεταφόρτωση· ζητήστε από τον διαχειριστή να τα ρυθμίσει.',
  fs_not_found: 'Ο φάκελος του πελάτη δεν υπάρχει στο Nextcloud.', fs_invalid_folder: 'Ο φάκελος του πελάτη δεν είναι έγκυρος.',
  fs_unavailable: 'Το Nextcloud δεν απαντά αυτή τη στιγμή· δοκιμάστε ξανά σε λίγο.',
  // errors (the API's are put into words in errors.ts)
  conflict: 'Κάποιος άλλος άλλαξε αυτή την εγγραφή στο μεταξύ. Οι αλλαγές σας ΔΕΝ αποθηκεύτηκαν· εμφανίζεται η τρέχουσα έκδοση.',
  err_not_found: 'Δεν βρέθηκε.',
  err_other: 'Σφάλμα',
};

export type Dict = typeof el;

const en: Dict = {
  langCode: 'en',
  appName: 'BellSystems CRM',
  login: 'Log in', username: 'User name', password: 'Password', logout: 'Log out',
  loginFailed: 'Wrong user name or password.',
  products: 'Products', customers: 'Customers', orders: 'Orders', inbox: 'Inbox',
  search: 'Search', all: 'All', allFem: 'All', loading: 'Loading…', none: 'Nothing found.',
  new: 'New', newProduct: 'New product', newCustomer: 'New customer', newOrder: 'New order',
  save: 'Save', saved: 'Saved.', cancel: 'Cancel', edit: 'Edit', delete: 'Delete',
  add: 'Add', remove: 'Remove', back: 'Back', yes: 'Yes', no: 'No', reload: 'Reload',
  confirmDelete: 'Really delete?', previous: 'Previous', next: 'Next', more: 'More',
  pageOf: (from: number, to: number, total: number) => `${formatNumber(from)}–${formatNumber(to)} of ${formatNumber(total)}`,
  readOnly: 'Read only',
  name: 'Name', sku: 'SKU', category: 'Category', description: 'Description', price: 'Price',
  currency: 'Currency', active: 'Active', inactive: 'Inactive', activeOnly: 'Active only', inactiveOnly: 'Inactive only',
  costs: 'Costs', pcb: 'PCB', components: 'Components', enclosure: 'Enclosure', labor_hours: 'Labour hours',
  labor_rate: 'Labour rate', shipping_in: 'Inbound shipping', costsTotal: 'Total cost',
  stock: 'Stock', on_hand: 'On hand', reserved: 'Reserved', available: 'Available',
  nextcloud_folder: 'Nextcloud folder', linked_device_type: 'Device type',
  computedOnSave: 'Computed by the server when saved.',
  cat_controller: 'Controller', cat_striker: 'Striker', cat_clock: 'Clock', cat_part: 'Part', cat_repair_service: 'Repair service',
  organization: 'Organization', location: 'Location', city: 'City', region: 'Region', country: 'Country',
  language: 'Language', tags: 'Tags', tag: 'Tag', tagsHint: 'comma-separated', notes: 'Notes',
  addNote: 'Add note', contacts: 'Contacts', contact: 'Contact', phone: 'Phone',
  overview: 'Overview', ownedItems: 'Owned items', comms: 'Comms', media: 'Media',
  searchCustomers: 'Name, phone, e-mail, tag…',
  ct_email: 'E-mail', ct_phone: 'Phone', ct_whatsapp: 'WhatsApp', ct_other: 'Other',
  label: 'Label', value: 'Value', contactValue: 'Contact detail', primary: 'Primary', type: 'Type',
  oi_console_device: 'Console device', oi_product: 'Product', oi_freetext: 'Free text',
  device_id: 'Device id', product: 'Product', quantity: 'Quantity',
  serial_numbers: 'Serial numbers', serial_number: 'Serial number', serialsHint: 'comma-separated',
  order: 'Order', orderNumber: 'Number', customer: 'Customer', status: 'Status', items: 'Items',
  unit_price: 'Unit price', line_total: 'Line total', subtotal: 'Subtotal', discount: 'Discount',
  discountNone: 'No discount', percentage: 'Percent %', fixed: 'Amount', reason: 'Reason', total: 'Total',
  shipping: 'Shipping', method: 'Method', carrier: 'Carrier', tracking_number: 'Tracking number',
  destination: 'Destination', shipped_at: 'Shipped', delivered_at: 'Delivered',
  payment_status: 'Payment', invoice_path: 'Invoice (path)', history: 'Status history',
  addItem: 'Add item', freeText: 'Free text', chooseProduct: 'Choose a product…',
  chooseCustomer: 'Find a customer…', changeStatus: 'Change status to', date: 'Date',
  vat: 'VAT', vatExemption: 'Exemption reason', vatExemptionHint: 'e.g. Article 39a VAT Code', pricesNet: 'Prices without VAT', pricesGross: 'Prices with VAT',
  amount: 'Amount', netTotal: 'Net amount', vatAt: (rate: number) => `VAT ${rate} %`, vatTotal: 'Total VAT', payable: 'Payable',
  livePreview: 'Preview as you type; the order\'s amounts are set by the server when saved.',
  savedFigures: 'The amounts as the server computed them.',
  totalsDiffer: (live: string, server: string) => `Note: the preview gave ${live} payable, the server ${server}; the server's figure stands.`,
  lineDiffers: (live: string) => `The preview gave ${live}`,
  quotationPdf: 'Quotation (PDF)', confirmationPdf: 'Confirmation (PDF)', doc_quotation: 'Quotation', doc_confirmation: 'Confirmation',
  searchOrders: 'Number or customer',
  newEmail: 'New e-mail', emailTo: 'To', send: 'Send', sent: 'Sent.', sentWithWarning: 'Sent, but not fully recorded (see the timeline).',
  attachDocuments: 'Attach order documents (PDF)', noOrderDocuments: 'The customer has no orders.',
  wholeNumber: (min: number) => `A whole number of at least ${formatNumber(min)}, e.g. 1.200.`,
  st_draft: 'Draft', st_confirmed: 'Confirmed', st_in_production: 'In production', st_shipped: 'Shipped',
  st_delivered: 'Delivered', st_cancelled: 'Cancelled',
  pay_pending: 'Pending', pay_partial: 'Partial', pay_paid: 'Paid', pay_refunded: 'Refunded',
  it_product: 'Product', it_service: 'Service', it_freetext: 'Free text',
  timeline: 'Timeline', direction: 'Direction', subject: 'Subject', body: 'Text', occurred_at: 'When',
  logEntry: 'Log', logged: 'Logged.',
  cm_email: 'E-mail', cm_whatsapp: 'WhatsApp', cm_call: 'Call', cm_sms: 'SMS', cm_note: 'Note', cm_in_person: 'Visit',
  dir_inbound: 'Inbound', dir_outbound: 'Outbound', dir_internal: 'Internal',
  orderCreated: 'Order created', orderStatus: 'Status change', fileEvent: 'File', noteEvent: 'Note',
  sender: 'Sender', assign: 'Assign', assignTo: 'Assign to customer', addContact: 'Add the sender to the contacts',
  allFromSender: 'All from the same sender', andMore: (n: number) => `and ${formatNumber(n)} more`, assigned: (n: number) => `${n} assigned.`, inboxEmpty: 'The inbox is empty.',
  waiting: (n: number) => `${formatNumber(n)} waiting`,
  upload: 'Upload', subfolder: 'Subfolder', sentMedia: 'Sent Media', receivedMedia: 'Received Media', internal: 'Internal',
  download: 'Download', noFolder: 'This customer has no Nextcloud folder. Set one to upload files:',
  setFolder: 'Set folder', folderUnavailable: 'The Nextcloud folder was not read.', size: 'Size',
  badDateTime: 'Write the time as dd/mm/yyyy hh:mm, e.g. 28/11/2026 15:05.', dateTimeHint: 'dd/mm/yyyy hh:mm',
  md_received: 'Received', md_sent: 'Sent', md_internal: 'Internal', chooseFile: 'Choose file',
  filesNotConfigured: 'Files (Nextcloud) are not set up, so nothing can be uploaded; ask the administrator to set them up.',
  fs_not_found: "The customer's folder does not exist in Nextcloud.", fs_invalid_folder: "The customer's folder is not valid.",
  fs_unavailable: 'Nextcloud is not answering at the moment; try again shortly.',
  conflict: 'Someone else changed this record meanwhile. Your changes were NOT saved; the current version is shown.',
  err_not_found: 'Not found.',
  err_other: 'Error',
};

export type Lang = 'el' | 'en';
export const dictionaries: Record<Lang, Dict> = { el, en };

type StringKey = { [K in keyof Dict]: Dict[K] extends string ? K : never }[keyof Dict];

interface I18n {
  lang: Lang;
  t: Dict;
  setLang: (l: Lang) => void;
  /** Looks up a key built at run time (`st_${status}`), falling back to the raw value. */
  tr: (prefix: string, value: string) => string;
}

const Ctx = createContext<I18n>({ lang: 'el', t: el, setLang: () => {}, tr: (_p, v) => v });

const LANG_KEY = 'crm.lang';

export function I18nProvider({ children, initial }: { children: ReactNode; initial?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => {
    if (initial) return initial;
    const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(LANG_KEY) : null;
    return saved === 'en' ? 'en' : 'el';
  });
  const setLang = (l: Lang) => {
    localStorage.setItem(LANG_KEY, l);
    document.documentElement.lang = l;
    setLangState(l);
  };
  const t = dictionaries[lang];
  const tr = (prefix: string, value: string) => {
    const v = (t as unknown as Record<string, unknown>)[prefix + value];
    return typeof v === 'string' ? v : value;
  };
  return <Ctx.Provider value={{ lang, t, setLang, tr }}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  return useContext(Ctx);
}

export type { StringKey };

// --- formats: always Greek ------------------------------------------------------------------

const moneyFormats = new Map<string, Intl.NumberFormat>();
export function formatMoney(value: number | string | null | undefined, currency = 'EUR'): string {
  if (value === null || value === undefined || value === '') return '';
  let f = moneyFormats.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat('el-GR', { style: 'currency', currency });
    } catch {
      f = new Intl.NumberFormat('el-GR', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    moneyFormats.set(currency, f);
  }
  // Display only: the exact decimal stays a string everywhere else.
  return f.format(Number(value));
}

const numberFormat = new Intl.NumberFormat('el-GR', { maximumFractionDigits: 6 });
export function formatNumber(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  return numberFormat.format(Number(value));
}

// 24-hour times, four-digit years: «28/11/2026, 15:05».
const dateTimeFormat = new Intl.DateTimeFormat('el-GR', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : dateTimeFormat.format(d);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A local time as typed in a Greek date-time field: «28/11/2026 15:05» (24-hour). */
export function formatDateTimeInput(d: Date): string {
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Reads «28/11/2026 15:05» (or «28/11/2026, 15:05», or 28-11-2026 15.05) as a local time; null if it is not one. */
export function parseDateTimeInput(v: string): Date | null {
  const m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}),?\s+(\d{1,2})[:.](\d{2})\s*$/.exec(v);
  if (!m) return null;
  const [day, month, year, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  const d = new Date(year, month - 1, day, hour, minute);
  const same = d.getFullYear() === year && d.getMonth() === month - 1 && d.getDate() === day && d.getHours() === hour && d.getMinutes() === minute;
  return same && hour < 24 && minute < 60 ? d : null;
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${numberFormat.format(Math.round(n / 102.4) / 10)} KB`;
  return `${numberFormat.format(Math.round(n / 104857.6) / 10)} MB`;
}
