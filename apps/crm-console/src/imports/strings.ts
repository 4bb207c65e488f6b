// The words of the import wizard, Greek and English, kept beside the page so the shared
// dictionary (i18n.tsx) stays small.
import { useI18n } from '../i18n';
import type { Field, JobStatus, MappingProblem, OutcomeKind } from './logic';

const el = {
  imports: 'Εισαγωγή', title: 'Εισαγωγή πελατών από CSV', viewer: 'Η εισαγωγή χρειάζεται δικαίωμα επεξεργασίας.',
  s_upload: '1. Αρχείο', s_map: '2. Στήλες', s_report: '3. Δοκιμή', s_run: '4. Εκτέλεση', s_result: '5. Αποτέλεσμα',
  chooseFile: 'Επιλέξτε αρχείο CSV (UTF-8, Windows-1253 ή ISO-8859-7· με κόμμα ή ερωτηματικό).', uploading: 'Ανέβασμα…',
  read: (enc: string, delim: string, rows: number) => `Διαβάστηκε ως ${enc}, με ${delim}· ${rows} γραμμές.`,
  encodings: { utf8: 'UTF-8', utf8_bom: 'UTF-8 (με BOM)', windows1253: 'Windows-1253 (Excel)', iso8859_7: 'ISO-8859-7' } as Record<string, string>,
  delimiters: { comma: 'κόμμα', semicolon: 'ερωτηματικό', tab: 'tab' } as Record<string, string>,
  column: 'Στήλη', field: 'Πεδίο', suggested: 'προτεινόμενο', key: 'Ταύτιση με υπάρχοντες πελάτες',
  keyContacts: 'Με τηλέφωνο ή e-mail', keyColumn: (h: string) => `Μόνο με τη στήλη «${h}»`,
  preview: 'Προεπισκόπηση', previewHint: (n: number, total: number) => `Οι πρώτες ${n} από ${total} γραμμές, όπως θα αποθηκευτούν.`,
  row: 'Γραμμή', name: 'Όνομα', organization: 'Οργανισμός', contacts: 'Επικοινωνία', city: 'Πόλη', tags: 'Ετικέτες', problem: 'Πρόβλημα',
  dryRun: 'Δοκιμαστική εκτέλεση', planning: 'Έλεγχος…', back: '← Πίσω', another: 'Νέα εισαγωγή',
  report: 'Τι θα γίνει', reportHint: 'Δεν γράφτηκε τίποτα ακόμη.', total: 'Σύνολο γραμμών',
  run: 'Εκτέλεση εισαγωγής', running: 'Εισαγωγή σε εξέλιξη…', cancel: 'Διακοπή', cancelling: 'Διακόπτεται μετά την τρέχουσα δέσμη…',
  progress: (done: number, total: number) => `${done} από ${total} γραμμές`,
  more: 'Περισσότερες', noRows: 'Καμία γραμμή.', customer: 'Καρτέλα', duplicateOf: (r: number) => `ίδιος με τη γραμμή ${r}`,
  fieldsChanged: (f: string) => `προστίθενται: ${f}`,
  downloadErrors: 'Λήψη γραμμών με σφάλμα (CSV)', toCustomers: 'Στους πελάτες',
  outcomes: { create: 'Νέοι', update: 'Ενημέρωση', unchanged: 'Χωρίς αλλαγή', skip: 'Διπλές στο αρχείο', error: 'Σφάλματα' } as Record<OutcomeKind, string>,
  statuses: { planned: 'Έτοιμη', running: 'Σε εξέλιξη', done: 'Ολοκληρώθηκε', cancelled: 'Διακόπηκε', failed: 'Απέτυχε' } as Record<JobStatus, string>,
  cancelledHint: 'Γράφτηκαν μόνο ολόκληρες δέσμες· εισαγάγετε ξανά το ίδιο αρχείο για τις υπόλοιπες.',
  fields: {
    name: 'Όνομα', organization: 'Οργανισμός / ενορία', phone: 'Τηλέφωνο', mobile: 'Κινητό', email: 'E-mail', whatsapp: 'WhatsApp',
    city: 'Πόλη', region: 'Περιοχή / νομός', tags: 'Ετικέτες', notes: 'Σημειώσεις', language: 'Γλώσσα', ignore: '— να μη γίνει εισαγωγή —',
  } as Record<Field, string>,
  p_length: (n: number) => `Η αντιστοίχιση πρέπει να έχει ${n} στήλες.`,
  p_noName: 'Αντιστοιχίστε μια στήλη στο «Όνομα» ή στον «Οργανισμό».',
  p_twice: (f: string, cols: string) => `Το «${f}» μπορεί να είναι σε μία μόνο στήλη (είναι στις ${cols}).`,
};

type ImportText = typeof el;

const en: ImportText = {
  imports: 'Import', title: 'Import customers from CSV', viewer: 'Importing needs the edit permission.',
  s_upload: '1. File', s_map: '2. Columns', s_report: '3. Dry run', s_run: '4. Run', s_result: '5. Result',
  chooseFile: 'Choose a CSV file (UTF-8, Windows-1253 or ISO-8859-7; comma or semicolon).', uploading: 'Uploading…',
  read: (enc: string, delim: string, rows: number) => `Read as ${enc}, ${delim}-separated; ${rows} rows.`,
  encodings: { utf8: 'UTF-8', utf8_bom: 'UTF-8 (with BOM)', windows1253: 'Windows-1253 (Excel)', iso8859_7: 'ISO-8859-7' },
  delimiters: { comma: 'comma', semicolon: 'semicolon', tab: 'tab' },
  column: 'Column', field: 'Field', suggested: 'suggested', key: 'Match existing customers',
  keyContacts: 'By phone or e-mail', keyColumn: (h: string) => `By the column “${h}” only`,
  preview: 'Preview', previewHint: (n: number, total: number) => `The first ${n} of ${total} rows, as they would be stored.`,
  row: 'Row', name: 'Name', organization: 'Organization', contacts: 'Contacts', city: 'City', tags: 'Tags', problem: 'Problem',
  dryRun: 'Dry run', planning: 'Checking…', back: '← Back', another: 'New import',
  report: 'What would happen', reportHint: 'Nothing is written yet.', total: 'Rows',
  run: 'Run the import', running: 'Importing…', cancel: 'Stop', cancelling: 'Stopping after the current batch…',
  progress: (done: number, total: number) => `${done} of ${total} rows`,
  more: 'More', noRows: 'No rows.', customer: 'Open', duplicateOf: (r: number) => `same as row ${r}`,
  fieldsChanged: (f: string) => `adds: ${f}`,
  downloadErrors: 'Download the rows in error (CSV)', toCustomers: 'To the customers',
  outcomes: { create: 'New', update: 'Update', unchanged: 'Unchanged', skip: 'Duplicates in the file', error: 'Errors' },
  statuses: { planned: 'Ready', running: 'Running', done: 'Done', cancelled: 'Stopped', failed: 'Failed' },
  cancelledHint: 'Only whole batches were written; import the same file again for the rest.',
  fields: {
    name: 'Name', organization: 'Organization / parish', phone: 'Phone', mobile: 'Mobile', email: 'E-mail', whatsapp: 'WhatsApp',
    city: 'City', region: 'Region', tags: 'Tags', notes: 'Notes', language: 'Language', ignore: '— do not import —',
  },
  p_length: (n: number) => `The mapping must have ${n} columns.`,
  p_noName: 'Map a column to “Name” or “Organization”.',
  p_twice: (f: string, cols: string) => `“${f}” can be in one column only (it is in ${cols}).`,
};

export function importText(lang: 'el' | 'en'): ImportText {
  return lang === 'en' ? en : el;
}

export function useImportText(): ImportText {
  return importText(useI18n().lang);
}

export function mappingProblemText(p: MappingProblem, w: ImportText): string {
  if (p.kind === 'length') return w.p_length(p.columns);
  if (p.kind === 'noName') return w.p_noName;
  return w.p_twice(w.fields[p.field], p.columns.join(', '));
}
