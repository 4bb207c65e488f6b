// The words of the service desk (ticket queue, board, ticket page, visits, serial history),
// Greek and English, kept beside the pages so the shared dictionary (i18n.tsx) stays small.
import { useI18n } from '../i18n';
import type { ActivityKindName, Kind, MacroAction, MacroProblem, Priority, Status, VisitStatus, Visibility } from './logic';

const el = {
  tickets: 'Εργασίες', queue: 'Ουρά εργασιών', board: 'Πίνακας', list: 'Λίστα', newTicket: 'Νέα εργασία',
  ticket: 'Εργασία', number: 'Αριθμός', subject: 'Θέμα', description: 'Περιγραφή', customer: 'Πελάτης',
  status: 'Κατάσταση', priority: 'Προτεραιότητα', kind: 'Είδος', assignee: 'Υπεύθυνος', due: 'Προθεσμία',
  tags: 'Ετικέτες', tag: 'Ετικέτα', overdue: 'Εκπρόθεσμες', overdueBadge: 'εκπρόθεσμη', all: 'Όλες', any: 'Όλα',
  sort: 'Ταξινόμηση', sortNewest: 'Νεότερες πρώτα', sortDue: 'Προθεσμία πρώτα', created: 'Δημιουργήθηκε', updated: 'Ενημερώθηκε',
  unassigned: '— κανείς —', none: 'Καμία.', moveTo: 'Μετακίνηση σε', save: 'Αποθήκευση', saved: 'Αποθηκεύτηκε.',
  filters: 'Φίλτρα', clear: 'Καθαρισμός', serial: 'Σειριακός αριθμός', order: 'Παραγγελία',
  conflict: 'Κάποιος άλλος άλλαξε την εργασία στο μεταξύ· δείτε την τωρινή της μορφή και δοκιμάστε ξανά.',
  // the ticket page
  activity: 'Ιστορικό', notes: 'Σημειώσεις', addNote: 'Προσθήκη σημείωσης', internal: 'Εσωτερική', toCustomer: 'Προς τον πελάτη',
  internalHint: 'μόνο για την ομάδα', customerHint: 'ό,τι ειπώθηκε στον πελάτη',
  visits: 'Επισκέψεις', scheduleVisit: 'Προγραμματισμός επίσκεψης', startsAt: 'Από', endsAt: 'Έως', technician: 'Τεχνικός',
  address: 'Διεύθυνση', addressHint: 'κενό: η τοποθεσία του πελάτη', outcome: 'Αποτέλεσμα', parts: 'Ανταλλακτικά',
  addPart: '+ Ανταλλακτικό', product: 'Προϊόν', chooseProduct: '— επιλέξτε προϊόν —', quantity: 'Ποσότητα', remove: 'Αφαίρεση',
  complete: 'Ολοκλήρωση', completeVisit: 'Ολοκλήρωση επίσκεψης', cancelVisit: 'Ακύρωση επίσκεψης', cancel: 'Άκυρο',
  inStock: (n: number) => `διαθέσιμα: ${n}`,
  vProduct: (i: number) => `Επιλέξτε προϊόν στη γραμμή ${i}.`,
  vQuantity: (i: number) => `Η ποσότητα στη γραμμή ${i} πρέπει να είναι θετικός ακέραιος.`,
  vWhen: 'Γράψτε ημερομηνία και ώρα όπως 06/12/2026 10:00.', vOrder: 'Η λήξη πρέπει να είναι μετά την έναρξη.',
  macros: 'Μακροεντολές', applyMacro: 'Εφαρμογή', chooseMacro: '— επιλέξτε μακροεντολή —', macroApplied: 'Η μακροεντολή εφαρμόστηκε.',
  linkedEntries: 'Συνδεδεμένες επικοινωνίες', linkEntry: 'Σύνδεση', entryId: 'Κωδικός καταχώρισης',
  created_ticket: 'Η εργασία δημιουργήθηκε.', createFromEntry: 'Νέα εργασία', creating: 'Δημιουργία…',
  serialHistory: 'Ιστορικό συσκευής', owner: 'Κάτοχος', warranty: 'Εγγύηση', warrantyUntil: 'Εγγύηση έως', purchased: 'Αγορά',
  w_active: 'Σε ισχύ', w_expired: 'Έληξε', w_unknown: 'Άγνωστη', orders: 'Παραγγελίες', history: 'Ιστορικό',
  openTickets: 'Ανοιχτές εργασίες', newFor: 'Νέα εργασία για τον πελάτη', create: 'Δημιουργία', viewer: 'Μόνο προβολή',
  // timeline
  tl_created: 'Νέα εργασία', tl_status: 'Εργασία', tl_visit: 'Επίσκεψη',
  // the board's drag and drop
  dragHint: 'Σύρετε μια κάρτα σε άλλη στήλη για να αλλάξει η κατάστασή της.',
  moved: (n: string, s: string) => `Η ${n} έγινε «${s}».`,
  refused: (n: string, cur: string, to: string, allowed: string) => `Ο διακομιστής δεν δέχτηκε την αλλαγή: η ${n} είναι «${cur}» και δεν μπορεί να γίνει «${to}»· από εκεί επιτρέπεται: ${allowed}. Ο πίνακας ανανεώθηκε.`,
  staleMove: (n: string) => `Κάποιος άλλος άλλαξε την ${n} στο μεταξύ· ο πίνακας ανανεώθηκε, δοκιμάστε ξανά.`,
  reloaded: 'Ο πίνακας ανανεώθηκε.',
  // macros
  manageMacros: 'Μακροεντολές', newMacro: 'Νέα μακροεντολή', editMacro: 'Επεξεργασία', deleteMacro: 'Διαγραφή', sure: 'Σίγουρα;',
  macroName: 'Όνομα', steps: 'Ενέργειες', setStatus: 'Ορισμός κατάστασης', setPriority: 'Ορισμός προτεραιότητας',
  keep: '— χωρίς αλλαγή —', assignTo: 'Ανάθεση σε', unassign: 'Χωρίς υπεύθυνο', username: 'Όνομα χρήστη',
  addTags: 'Προσθήκη ετικετών (με κόμμα)', noteTemplate: 'Σημείωση', noteHint: '{customer}: το όνομα του πελάτη, {ticket}: ο αριθμός της εργασίας',
  macroSaved: 'Η μακροεντολή αποθηκεύτηκε.', macroStale: (n: string) => `Κάποιος άλλος άλλαξε τη μακροεντολή «${n}» στο μεταξύ· η λίστα ανανεώθηκε, επεξεργαστείτε την ξανά.`, macroDeleted: 'Η μακροεντολή διαγράφηκε.', noMacros: 'Δεν υπάρχουν μακροεντολές.',
  kept: (n: number) => `και ${n} ακόμη ${n === 1 ? 'ενέργεια που διατηρείται' : 'ενέργειες που διατηρούνται'}`,
  a_status: (s: string) => `Κατάσταση → ${s}`, a_priority: (p: string) => `Προτεραιότητα → ${p}`, a_assignee: (u: string) => `Ανάθεση σε ${u}`,
  a_unassign: 'Χωρίς υπεύθυνο', a_tag: (t: string) => `+ ετικέτα «${t}»`, a_untag: (t: string) => `− ετικέτα «${t}»`, a_note: (v: string) => `Σημείωση (${v})`,
  m_name_missing: 'Δώστε όνομα στη μακροεντολή.', m_name_long: 'Το όνομα έχει έως 100 χαρακτήρες.', m_name_line: 'Το όνομα γράφεται σε μία γραμμή.',
  m_assignee_missing: 'Γράψτε σε ποιον χρήστη ανατίθεται.', m_assignee_long: 'Το όνομα χρήστη έχει έως 100 χαρακτήρες.', m_assignee_line: 'Το όνομα χρήστη γράφεται σε μία γραμμή.',
  m_tag_long: (t: string) => `Η ετικέτα «${t}» έχει πάνω από 50 χαρακτήρες.`, m_tag_line: (t: string) => `Η ετικέτα «${t}» γράφεται σε μία γραμμή.`,
  m_note_long: 'Η σημείωση έχει έως 20.000 χαρακτήρες.',
  m_placeholder: (p: string) => `Το ${p} δεν συμπληρώνεται· η σημείωση δέχεται μόνο {customer} και {ticket}.`,
  m_none: 'Επιλέξτε τουλάχιστον μία ενέργεια.', m_many: 'Μια μακροεντολή έχει έως 50 ενέργειες.',
  // linking a timeline entry to an open ticket
  linkToTicket: 'Σύνδεση με εργασία', chooseTicket: '— επιλέξτε εργασία —', linkedTo: 'Συνδέεται με', entryLinked: 'Συνδέθηκε.',
};
export type TicketDict = typeof el;

const en: TicketDict = {
  tickets: 'Tickets', queue: 'Ticket queue', board: 'Board', list: 'List', newTicket: 'New ticket',
  ticket: 'Ticket', number: 'Number', subject: 'Subject', description: 'Description', customer: 'Customer',
  status: 'Status', priority: 'Priority', kind: 'Kind', assignee: 'Assignee', due: 'Due',
  tags: 'Tags', tag: 'Tag', overdue: 'Overdue', overdueBadge: 'overdue', all: 'All', any: 'All',
  sort: 'Order', sortNewest: 'Newest first', sortDue: 'Due first', created: 'Created', updated: 'Updated',
  unassigned: '— nobody —', none: 'None.', moveTo: 'Move to', save: 'Save', saved: 'Saved.',
  filters: 'Filters', clear: 'Clear', serial: 'Serial number', order: 'Order',
  conflict: 'Someone else changed the ticket meanwhile; look at its current form and try again.',
  activity: 'Activity', notes: 'Notes', addNote: 'Add note', internal: 'Internal', toCustomer: 'To the customer',
  internalHint: 'for the team only', customerHint: 'what the customer was told',
  visits: 'Visits', scheduleVisit: 'Schedule a visit', startsAt: 'From', endsAt: 'Until', technician: 'Technician',
  address: 'Address', addressHint: 'empty: the customer’s location', outcome: 'Outcome', parts: 'Parts',
  addPart: '+ Part', product: 'Product', chooseProduct: '— choose a product —', quantity: 'Quantity', remove: 'Remove',
  complete: 'Complete', completeVisit: 'Complete visit', cancelVisit: 'Cancel visit', cancel: 'Cancel',
  inStock: (n: number) => `in stock: ${n}`,
  vProduct: (i: number) => `Choose a product on line ${i}.`,
  vQuantity: (i: number) => `The quantity on line ${i} must be a positive whole number.`,
  vWhen: 'Write a date and time like 06/12/2026 10:00.', vOrder: 'The end must be after the start.',
  macros: 'Macros', applyMacro: 'Apply', chooseMacro: '— choose a macro —', macroApplied: 'The macro was applied.',
  linkedEntries: 'Linked conversations', linkEntry: 'Link', entryId: 'Entry id',
  created_ticket: 'The ticket was created.', createFromEntry: 'New ticket', creating: 'Creating…',
  serialHistory: 'Device history', owner: 'Owner', warranty: 'Warranty', warrantyUntil: 'Warranty until', purchased: 'Purchased',
  w_active: 'Active', w_expired: 'Expired', w_unknown: 'Unknown', orders: 'Orders', history: 'History',
  openTickets: 'Open tickets', newFor: 'New ticket for the customer', create: 'Create', viewer: 'View only',
  tl_created: 'New ticket', tl_status: 'Ticket', tl_visit: 'Visit',
  dragHint: 'Drag a card to another column to change its status.',
  moved: (n: string, s: string) => `${n} is now «${s}».`,
  refused: (n: string, cur: string, to: string, allowed: string) => `The server refused the change: ${n} is «${cur}» and cannot become «${to}»; from there it may become: ${allowed}. The board was reloaded.`,
  staleMove: (n: string) => `Someone else changed ${n} meanwhile; the board was reloaded, try again.`,
  reloaded: 'The board was reloaded.',
  manageMacros: 'Macros', newMacro: 'New macro', editMacro: 'Edit', deleteMacro: 'Delete', sure: 'Sure?',
  macroName: 'Name', steps: 'Actions', setStatus: 'Set status', setPriority: 'Set priority',
  keep: '— leave as is —', assignTo: 'Assign to', unassign: 'Nobody', username: 'User name',
  addTags: 'Add tags (comma-separated)', noteTemplate: 'Note', noteHint: '{customer}: the customer’s name, {ticket}: the ticket’s number',
  macroSaved: 'The macro was saved.', macroStale: (n: string) => `Someone else changed the macro «${n}» meanwhile; the list was reloaded, edit it again.`, macroDeleted: 'The macro was deleted.', noMacros: 'There are no macros.',
  kept: (n: number) => `and ${n} more ${n === 1 ? 'action' : 'actions'}, kept as they are`,
  a_status: (s: string) => `Status → ${s}`, a_priority: (p: string) => `Priority → ${p}`, a_assignee: (u: string) => `Assign to ${u}`,
  a_unassign: 'Unassign', a_tag: (t: string) => `+ tag «${t}»`, a_untag: (t: string) => `− tag «${t}»`, a_note: (v: string) => `Note (${v})`,
  m_name_missing: 'Give the macro a name.', m_name_long: 'The name has at most 100 characters.', m_name_line: 'The name is one line.',
  m_assignee_missing: 'Write which user it is assigned to.', m_assignee_long: 'A user name has at most 100 characters.', m_assignee_line: 'A user name is one line.',
  m_tag_long: (t: string) => `The tag «${t}» is longer than 50 characters.`, m_tag_line: (t: string) => `The tag «${t}» is one line.`,
  m_note_long: 'The note has at most 20,000 characters.',
  m_placeholder: (p: string) => `${p} is not filled in; the note takes only {customer} and {ticket}.`,
  m_none: 'Choose at least one action.', m_many: 'A macro has at most 50 actions.',
  linkToTicket: 'Link to ticket', chooseTicket: '— choose a ticket —', linkedTo: 'Linked to', entryLinked: 'Linked.',
};

const STATUS: Record<'el' | 'en', Record<Status, string>> = {
  el: { new: 'Νέα', open: 'Ανοιχτή', scheduled: 'Προγραμματισμένη', in_progress: 'Σε εξέλιξη', waiting_customer: 'Αναμονή πελάτη', resolved: 'Επιλύθηκε', closed: 'Κλειστή' },
  en: { new: 'New', open: 'Open', scheduled: 'Scheduled', in_progress: 'In progress', waiting_customer: 'Waiting for customer', resolved: 'Resolved', closed: 'Closed' },
};
const PRIORITY: Record<'el' | 'en', Record<Priority, string>> = {
  el: { low: 'Χαμηλή', normal: 'Κανονική', high: 'Υψηλή', urgent: 'Επείγουσα' },
  en: { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' },
};
const KIND: Record<'el' | 'en', Record<Kind, string>> = {
  el: { repair: 'Επισκευή', installation: 'Εγκατάσταση', maintenance: 'Συντήρηση', question: 'Ερώτηση', complaint: 'Παράπονο' },
  en: { repair: 'Repair', installation: 'Installation', maintenance: 'Maintenance', question: 'Question', complaint: 'Complaint' },
};
const VISIT: Record<'el' | 'en', Record<VisitStatus, string>> = {
  el: { scheduled: 'Προγραμματισμένη', completed: 'Ολοκληρώθηκε', cancelled: 'Ακυρώθηκε' },
  en: { scheduled: 'Scheduled', completed: 'Completed', cancelled: 'Cancelled' },
};
const VISIBILITY: Record<'el' | 'en', Record<Visibility, string>> = {
  el: { internal: 'Εσωτερική', customer: 'Προς τον πελάτη' },
  en: { internal: 'Internal', customer: 'To the customer' },
};
const ACTIVITY: Record<'el' | 'en', Record<ActivityKindName, string>> = {
  el: {
    created: 'δημιούργησε την εργασία', status_changed: 'άλλαξε την κατάσταση', assigned: 'άλλαξε τον υπεύθυνο',
    priority_changed: 'άλλαξε την προτεραιότητα', visit_scheduled: 'προγραμμάτισε επίσκεψη', visit_completed: 'ολοκλήρωσε επίσκεψη',
    visit_cancelled: 'ακύρωσε επίσκεψη', comment_added: 'πρόσθεσε σημείωση', entry_linked: 'συνέδεσε επικοινωνία',
    tag_added: 'πρόσθεσε ετικέτα', tag_removed: 'αφαίρεσε ετικέτα', macro_applied: 'εφάρμοσε μακροεντολή',
  },
  en: {
    created: 'created the ticket', status_changed: 'changed the status', assigned: 'changed the assignee',
    priority_changed: 'changed the priority', visit_scheduled: 'scheduled a visit', visit_completed: 'completed a visit',
    visit_cancelled: 'cancelled a visit', comment_added: 'added a note', entry_linked: 'linked a conversation',
    tag_added: 'added a tag', tag_removed: 'removed a tag', macro_applied: 'applied a macro',
  },
};

export interface TicketText extends TicketDict {
  lang: 'el' | 'en';
  status: string;
  st: (s: Status) => string;
  pr: (p: Priority) => string;
  kd: (k: Kind) => string;
  vs: (s: VisitStatus) => string;
  vis: (v: Visibility) => string;
  act: (k: ActivityKindName) => string;
}

export function ticketText(lang: 'el' | 'en'): TicketText {
  const d = lang === 'en' ? en : el;
  return {
    ...d,
    lang,
    st: (s) => STATUS[lang][s] ?? s,
    pr: (p) => PRIORITY[lang][p] ?? p,
    kd: (k) => KIND[lang][k] ?? k,
    vs: (s) => VISIT[lang][s] ?? s,
    vis: (v) => VISIBILITY[lang][v] ?? v,
    act: (k) => ACTIVITY[lang][k] ?? k,
  };
}

export function useTicketText(): TicketText {
  return ticketText(useI18n().t.langCode);
}

/** A macro form's problem in words (`macroBody`'s refusal). */
export function macroProblem(p: MacroProblem, w: TicketText): string {
  switch (p.field) {
    case 'name': return p.problem === 'missing' ? w.m_name_missing : p.problem === 'long' ? w.m_name_long : w.m_name_line;
    case 'assignee': return p.problem === 'missing' ? w.m_assignee_missing : p.problem === 'long' ? w.m_assignee_long : w.m_assignee_line;
    case 'tags': return p.problem === 'long' ? w.m_tag_long(p.tag) : w.m_tag_line(p.tag);
    case 'note': return p.problem === 'long' ? w.m_note_long : w.m_placeholder(p.placeholder ?? '{}');
    case 'actions': return p.problem === 'none' ? w.m_none : w.m_many;
  }
}

/** A macro's step in words («Κατάσταση → Ανοιχτή», «+ ετικέτα «Εγγύηση»»). */
export function macroStep(a: MacroAction, w: TicketText): string {
  switch (a.action) {
    case 'set_status': return w.a_status(w.st(a.status));
    case 'set_priority': return w.a_priority(w.pr(a.priority));
    case 'set_assignee': return a.assignee ? w.a_assignee(a.assignee) : w.a_unassign;
    case 'add_tag': return w.a_tag(a.tag);
    case 'remove_tag': return w.a_untag(a.tag);
    case 'add_note': return w.a_note(w.vis(a.visibility ?? 'internal'));
  }
}
