// The words of duplicate suggestions, the merge dialog and the merge history, Greek and
// English, kept beside the pages so the shared dictionary (i18n.tsx) stays small.
import { useI18n } from '../i18n';
import type { MergeField } from './logic';

const el = {
  duplicates: 'Πιθανά διπλότυπα', duplicatesHint: 'Πελάτες με κοινό τηλέφωνο, e-mail ή σχεδόν ίδιο όνομα.',
  noDuplicates: 'Δεν βρέθηκαν πιθανά διπλότυπα.', merge: 'Συγχώνευση', mergeWith: 'Συγχώνευση με…',
  pair: 'Ζεύγος', reasons: 'Γιατί', customer: 'Πελάτης', older: 'παλαιότερος',
  dialogTitle: 'Συγχώνευση πελατών', stays: 'Μένει', goes: 'Συγχωνεύεται και διαγράφεται', swap: '⇄ Αλλαγή: να μείνει ο άλλος',
  keep: 'Κράτησε', keepThis: 'αυτό', field: 'Πεδίο', result: 'Μετά τη συγχώνευση',
  contacts: 'Επαφές', tags: 'Ετικέτες', noConflicts: 'Κανένα πεδίο δεν διαφέρει· τα κενά συμπληρώνονται από τον άλλο.',
  preview: 'Τι θα μετακινηθεί', previewing: 'Υπολογισμός…', confirm: 'Συγχώνευση', merging: 'Συγχώνευση…', cancel: 'Άκυρο',
  stale: 'Κάποιος άλλος άλλαξε τον πελάτη στο μεταξύ· η προεπισκόπηση ανανεώθηκε, ελέγξτε την και δοκιμάστε ξανά.',
  merged: (n: string) => `Ο πελάτης «${n}» συγχωνεύτηκε.`,
  findOther: 'Αναζήτηση πελάτη', findHint: 'όνομα, τηλέφωνο ή e-mail', noneFound: 'Κανένας πελάτης.',
  history: 'Ιστορικό συγχωνεύσεων',
  historyLine: (who: string, when: string, dup: string, moved: string) => `${when}: ο/η ${who} συγχώνευσε τον «${dup}» εδώ (${moved}).`,
  fields: { name: 'Όνομα', organization: 'Οργανισμός', location: 'Τοποθεσία', language: 'Γλώσσα', nextcloud_folder: 'Φάκελος Nextcloud' } as Record<MergeField, string>,
  empty: '—',
};
export type MergeDict = typeof el;

const en: MergeDict = {
  duplicates: 'Possible duplicates', duplicatesHint: 'Customers sharing a phone, an e-mail or a nearly identical name.',
  noDuplicates: 'No possible duplicates found.', merge: 'Merge', mergeWith: 'Merge with…',
  pair: 'Pair', reasons: 'Why', customer: 'Customer', older: 'older',
  dialogTitle: 'Merge customers', stays: 'Stays', goes: 'Merged in and deleted', swap: '⇄ Swap: keep the other one',
  keep: 'Keep', keepThis: 'this', field: 'Field', result: 'After the merge',
  contacts: 'Contacts', tags: 'Tags', noConflicts: 'No field differs; empty ones are filled from the other customer.',
  preview: 'What will move', previewing: 'Working it out…', confirm: 'Merge', merging: 'Merging…', cancel: 'Cancel',
  stale: 'Someone else changed the customer meanwhile; the preview was reloaded, check it and try again.',
  merged: (n: string) => `Customer “${n}” was merged.`,
  findOther: 'Find a customer', findHint: 'name, phone or e-mail', noneFound: 'No customer.',
  history: 'Merge history',
  historyLine: (who: string, when: string, dup: string, moved: string) => `${when}: ${who} merged “${dup}” into this customer (${moved}).`,
  fields: { name: 'Name', organization: 'Organization', location: 'Location', language: 'Language', nextcloud_folder: 'Nextcloud folder' },
  empty: '—',
};

export function mergeText(lang: 'el' | 'en'): MergeDict {
  return lang === 'el' ? el : en;
}

export function useMergeText(): MergeDict & { lang: 'el' | 'en' } {
  const { lang } = useI18n();
  return { ...mergeText(lang), lang };
}
