// The words of the sales pipeline (board, lead page, new lead), Greek and English, kept beside
// the pages so the shared dictionary (i18n.tsx) stays small.
import { useI18n } from '../i18n';
import type { FormProblem, LeadStatus, Source } from './logic';

const el = {
  sales: 'Πωλήσεις', board: 'Πίνακας πωλήσεων', pipeline: 'Ροή', newLead: 'Νέα ευκαιρία', lead: 'Ευκαιρία',
  title: 'Τίτλος', source: 'Πηγή', value: 'Εκτιμώμενη αξία', weighted: 'σταθμισμένη', close: 'Αναμενόμενο κλείσιμο',
  owner: 'Υπεύθυνος', tags: 'Ετικέτες (με κόμμα)', stage: 'Στάδιο', status: 'Κατάσταση', lostReason: 'Λόγος απώλειας',
  prospect: 'Υποψήφιος πελάτης', name: 'Όνομα', organization: 'Οργανισμός / ενορία', phone: 'Τηλέφωνο', email: 'E-mail',
  customer: 'Πελάτης', lines: 'Γραμμές προσφοράς', description: 'Περιγραφή', quantity: 'Ποσότητα', unitPrice: 'Τιμή μονάδας',
  addLine: '+ Γραμμή', remove: 'Αφαίρεση', save: 'Αποθήκευση', saved: 'Αποθηκεύτηκε.', create: 'Δημιουργία', cancel: 'Άκυρο',
  leads: (n: number) => `${n} ${n === 1 ? 'ευκαιρία' : 'ευκαιρίες'}`, openTotal: 'Ανοιχτές', perOwner: 'Ανά υπεύθυνο', nobody: '— κανείς —',
  dragHint: 'Σύρετε μια κάρτα σε άλλο στάδιο για να τη μετακινήσετε.',
  moved: (t: string, s: string) => `Η «${t}» πήγε στο «${s}».`,
  staleMove: (t: string) => `Κάποιος άλλος άλλαξε την «${t}» στο μεταξύ· ο πίνακας ανανεώθηκε, δοκιμάστε ξανά.`,
  conflictMove: (t: string, why: string) => `Ο διακομιστής δεν δέχτηκε τη μετακίνηση της «${t}»: ${why} Ο πίνακας ανανεώθηκε.`,
  reloaded: 'Ο πίνακας ανανεώθηκε.',
  askReason: (t: string, s: string) => `Γιατί χάθηκε η «${t}»; (μετακίνηση στο «${s}»)`, reasonNeeded: 'Γράψτε τον λόγο απώλειας.',
  confirmMove: 'Μετακίνηση',
  history: 'Ιστορικό σταδίων', owners: 'Ιστορικό υπευθύνων', from: 'από', until: 'έως', now: 'σήμερα', by: 'από τον/την',
  created: 'Δημιουργία', comms: 'Επικοινωνίες', commsBefore: 'Μηνύματα από τα στοιχεία επικοινωνίας του υποψήφιου (πριν γίνει πελάτης).',
  commsAfter: 'Οι επικοινωνίες του πελάτη και όσα μηνύματα από τα στοιχεία του υποψήφιου δεν έχουν ανατεθεί.',
  noComms: 'Καμία επικοινωνία.', none: 'Καμία.',
  convert: 'Μετατροπή σε πελάτη', draftOrder: 'δημιουργία πρόχειρης παραγγελίας', converted: 'Η ευκαιρία μετατράπηκε.',
  customerCreated: 'Δημιουργήθηκε νέος πελάτης.', customerMatched: 'Βρέθηκε υπάρχων πελάτης με τα ίδια στοιχεία.',
  openCustomer: 'Καρτέλα πελάτη', openOrder: 'Πρόχειρη παραγγελία', convertOnlyWon: 'Μόνο μια κερδισμένη ευκαιρία μετατρέπεται σε πελάτη.',
  stale: 'Κάποιος άλλος άλλαξε την ευκαιρία στο μεταξύ· δείτε την τωρινή της μορφή και δοκιμάστε ξανά.',
  viewer: 'Μόνο προβολή', back: '← Πίνακας', showing: (n: number, total: number) => `Εμφανίζονται ${n} από ${total}.`,
  p_missing: (f: string) => `Συμπληρώστε: ${f}.`, p_amount: (f: string) => `Γράψτε ποσό όπως 1250,50: ${f}.`, p_date: (f: string) => `Γράψτε ημερομηνία: ${f}.`,
  lineN: (i: number) => `γραμμή ${i}`, contacts: 'τηλέφωνο ή e-mail',
};
export type SalesDict = typeof el;

const en: SalesDict = {
  sales: 'Sales', board: 'Sales board', pipeline: 'Pipeline', newLead: 'New lead', lead: 'Lead',
  title: 'Title', source: 'Source', value: 'Estimated value', weighted: 'weighted', close: 'Expected close',
  owner: 'Owner', tags: 'Tags (comma-separated)', stage: 'Stage', status: 'Status', lostReason: 'Lost reason',
  prospect: 'Prospect', name: 'Name', organization: 'Organisation / parish', phone: 'Phone', email: 'E-mail',
  customer: 'Customer', lines: 'Quoted lines', description: 'Description', quantity: 'Quantity', unitPrice: 'Unit price',
  addLine: '+ Line', remove: 'Remove', save: 'Save', saved: 'Saved.', create: 'Create', cancel: 'Cancel',
  leads: (n: number) => `${n} ${n === 1 ? 'lead' : 'leads'}`, openTotal: 'Open', perOwner: 'Per owner', nobody: '— nobody —',
  dragHint: 'Drag a card to another stage to move it.',
  moved: (t: string, s: string) => `“${t}” moved to “${s}”.`,
  staleMove: (t: string) => `Someone else changed “${t}” meanwhile; the board was reloaded, try again.`,
  conflictMove: (t: string, why: string) => `The server refused to move “${t}”: ${why} The board was reloaded.`,
  reloaded: 'The board was reloaded.',
  askReason: (t: string, s: string) => `Why was “${t}” lost? (moving to “${s}”)`, reasonNeeded: 'Write the lost reason.',
  confirmMove: 'Move',
  history: 'Stage history', owners: 'Owner history', from: 'from', until: 'until', now: 'now', by: 'by',
  created: 'Created', comms: 'Communications', commsBefore: 'Messages from the prospect’s contacts (before they became a customer).',
  commsAfter: 'The customer’s communications and the unassigned messages from the prospect’s contacts.',
  noComms: 'No communications.', none: 'None.',
  convert: 'Convert to customer', draftOrder: 'create a draft order', converted: 'The lead was converted.',
  customerCreated: 'A new customer was created.', customerMatched: 'An existing customer with the same contacts was found.',
  openCustomer: 'Customer card', openOrder: 'Draft order', convertOnlyWon: 'Only a won lead converts into a customer.',
  stale: 'Someone else changed the lead meanwhile; see it as it is now and try again.',
  viewer: 'View only', back: '← Board', showing: (n: number, total: number) => `Showing ${n} of ${total}.`,
  p_missing: (f: string) => `Fill in: ${f}.`, p_amount: (f: string) => `Write an amount such as 1250.50: ${f}.`, p_date: (f: string) => `Write a date: ${f}.`,
  lineN: (i: number) => `line ${i}`, contacts: 'a phone or an e-mail',
};

const STATUS: Record<'el' | 'en', Record<LeadStatus, string>> = {
  el: { open: 'Ανοιχτή', won: 'Κερδήθηκε', lost: 'Χάθηκε' },
  en: { open: 'Open', won: 'Won', lost: 'Lost' },
};
const SOURCE: Record<'el' | 'en', Record<Source, string>> = {
  el: { phone: 'Τηλέφωνο', email: 'E-mail', whatsapp: 'WhatsApp', web: 'Ιστότοπος', fair: 'Έκθεση', referral: 'Σύσταση', other: 'Άλλο' },
  en: { phone: 'Phone', email: 'E-mail', whatsapp: 'WhatsApp', web: 'Website', fair: 'Fair', referral: 'Referral', other: 'Other' },
};

export type SalesText = SalesDict & { lang: 'el' | 'en'; st: (s: LeadStatus) => string; src: (s: Source) => string };

export function salesText(lang: 'el' | 'en'): SalesText {
  const d = lang === 'en' ? en : el;
  return { ...d, lang, st: (s) => STATUS[lang][s] ?? s, src: (s) => SOURCE[lang][s] ?? s };
}

export function useSalesText(): SalesText {
  return salesText(useI18n().t.langCode);
}

/** A form problem in words, naming the field as the form labels it. */
export function problemText(p: FormProblem, w: SalesText): string {
  const line = /^lines\[(\d+)\]\.(\w+)$/.exec(p.field);
  const label = line
    ? `${w.lines}, ${w.lineN(Number(line[1]) + 1)}: ${({ description: w.description, quantity: w.quantity, unit_price: w.unitPrice } as Record<string, string>)[line[2] as string] ?? line[2]}`
    : ({ title: w.title, estimated_value: w.value, expected_close: w.close, 'prospect.name': w.name, 'prospect.contacts': w.contacts } as Record<string, string>)[p.field] ?? p.field;
  return p.problem === 'missing' ? w.p_missing(label) : p.problem === 'amount' ? w.p_amount(label) : w.p_date(label);
}
