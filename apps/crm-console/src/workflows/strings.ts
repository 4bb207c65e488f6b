// The words of workflow automation (list, editor, test run, run history), Greek and English,
// kept beside the pages so the shared dictionary (i18n.tsx) stays small.
import { useI18n } from '../i18n';
import type { FieldProblem, RunStatus } from './logic';

const el = {
  workflows: 'Αυτοματισμοί', newWorkflow: 'Νέος αυτοματισμός', name: 'Όνομα', trigger: 'Έναυσμα', enabled: 'Ενεργός',
  version: 'Έκδοση', lastRuns: 'Τελευταίες εκτελέσεις', none: 'Κανένας αυτοματισμός ακόμη.', noRuns: 'Καμία εκτέλεση.',
  back: '← Αυτοματισμοί', save: 'Αποθήκευση', saved: (v: number) => `Αποθηκεύτηκε ως έκδοση ${v}.`, viewer: 'Μόνο προβολή',
  mode: 'Πότε ξεκινά', manual: 'Χειροκίνητα (από την κονσόλα ή το API)', every: 'Κάθε Ν λεπτά', cron: 'Πρόγραμμα (cron)', event: 'Με γεγονός',
  everyMinutes: 'Λεπτά', cronExpr: 'Cron (λεπτό ώρα ημέρα μήνας ημέρα-εβδομάδας)', timezone: 'Ζώνη ώρας', eventName: 'Γεγονός', choose: '— επιλέξτε —',
  steps: 'Βήματα', step: (i: number) => `Βήμα ${i}`, addStep: '+ Βήμα', kind: 'Είδος', key: 'Κλειδί', remove: 'Αφαίρεση', up: '↑', down: '↓',
  next: 'Μετά', auto: '(το επόμενο βήμα)', end: '(τέλος)', onError: 'Σε σφάλμα', noHandler: '(η εκτέλεση αποτυγχάνει)',
  branch: (b: string) => ({ then: 'Αν ναι', else: 'Αλλιώς', body: 'Σώμα επανάληψης', default: 'Προεπιλογή' } as Record<string, string>)[b] ?? `Περίπτωση «${b}»`,
  addCase: '+ Περίπτωση', unavailable: 'μη διαθέσιμο σε αυτόν τον διακομιστή', caseValue: 'Τιμή περίπτωσης', required: 'υποχρεωτικό', oneOf: 'ένα από αυτά',
  groups: { logic: 'Λογική', output: 'Ενέργειες', utility: 'Βοηθητικά', ai: 'Τεχνητή νοημοσύνη' } as Record<string, string>,
  enable: 'Ενεργοποίηση', disable: 'Απενεργοποίηση', isEnabled: 'Ενεργός', isDisabled: 'Ανενεργός',
  testRun: 'Δοκιμαστική εκτέλεση', sample: 'Δεδομένα εναύσματος (JSON)', run: 'Εκτέλεση', runSavedOnly: 'Εκτελείται η αποθηκευμένη έκδοση· οι ενέργειές της γίνονται πραγματικά.',
  badJson: 'Τα δεδομένα δεν είναι έγκυρο JSON.', result: 'Αποτέλεσμα',
  history: 'Ιστορικό εκτελέσεων', started: 'Έναρξη', finished: 'Λήξη', status: 'Κατάσταση', stepsN: 'Βήματα', open: 'Άνοιγμα',
  node: 'Βήμα', input: 'Είσοδος', output: 'Έξοδος', error: 'Σφάλμα', duration: 'Διάρκεια', retry: 'Επανάληψη από το βήμα που απέτυχε', cancel: 'Ακύρωση',
  failedAt: (n: string) => `Απέτυχε στο βήμα «${n}».`, close: 'Κλείσιμο', reload: 'Ανανέωση',
  problem: (label: string) => `Το πεδίο «${label}» δεν είναι έγκυρο.`, missing: (label: string) => `Συμπληρώστε: ${label}.`,
  notNumber: (label: string) => `Γράψτε αριθμό: ${label}.`, notJson: (label: string) => `Γράψτε έγκυρο JSON: ${label}.`,
  serverSays: 'Ο διακομιστής:',
};
export type WorkflowDict = typeof el;

const en: WorkflowDict = {
  workflows: 'Automations', newWorkflow: 'New automation', name: 'Name', trigger: 'Trigger', enabled: 'Enabled',
  version: 'Version', lastRuns: 'Latest runs', none: 'No automations yet.', noRuns: 'No runs.',
  back: '← Automations', save: 'Save', saved: (v: number) => `Saved as version ${v}.`, viewer: 'View only',
  mode: 'Starts', manual: 'Manually (from the console or the API)', every: 'Every N minutes', cron: 'Schedule (cron)', event: 'On an event',
  everyMinutes: 'Minutes', cronExpr: 'Cron (minute hour day month weekday)', timezone: 'Time zone', eventName: 'Event', choose: '— choose —',
  steps: 'Steps', step: (i: number) => `Step ${i}`, addStep: '+ Step', kind: 'Kind', key: 'Key', remove: 'Remove', up: '↑', down: '↓',
  next: 'Then', auto: '(the following step)', end: '(end)', onError: 'On error', noHandler: '(the run fails)',
  branch: (b: string) => ({ then: 'If yes', else: 'Otherwise', body: 'Loop body', default: 'Default' } as Record<string, string>)[b] ?? `Case “${b}”`,
  addCase: '+ Case', unavailable: 'not available on this server', caseValue: 'Case value', required: 'required', oneOf: 'one of these',
  groups: { logic: 'Logic', output: 'Actions', utility: 'Utilities', ai: 'AI' },
  enable: 'Enable', disable: 'Disable', isEnabled: 'Enabled', isDisabled: 'Disabled',
  testRun: 'Test run', sample: 'Trigger data (JSON)', run: 'Run', runSavedOnly: 'The saved version runs; its actions really happen.',
  badJson: 'The data is not valid JSON.', result: 'Result',
  history: 'Run history', started: 'Started', finished: 'Finished', status: 'Status', stepsN: 'Steps', open: 'Open',
  node: 'Step', input: 'Input', output: 'Output', error: 'Error', duration: 'Duration', retry: 'Retry from the failed step', cancel: 'Cancel',
  failedAt: (n: string) => `Failed at step “${n}”.`, close: 'Close', reload: 'Reload',
  problem: (label: string) => `The field “${label}” is not valid.`, missing: (label: string) => `Fill in: ${label}.`,
  notNumber: (label: string) => `Write a number: ${label}.`, notJson: (label: string) => `Write valid JSON: ${label}.`,
  serverSays: 'The server:',
};

const STATUS: Record<'el' | 'en', Record<RunStatus, string>> = {
  el: { running: 'Εκτελείται', waiting: 'Σε αναμονή', succeeded: 'Ολοκληρώθηκε', failed: 'Απέτυχε', cancelled: 'Ακυρώθηκε' },
  en: { running: 'Running', waiting: 'Waiting', succeeded: 'Succeeded', failed: 'Failed', cancelled: 'Cancelled' },
};
/** The badge colour of a run's status. */
export const STATUS_COLOUR: Record<RunStatus, string> = { running: '#2563eb', waiting: '#a66300', succeeded: '#15803d', failed: '#b91c1c', cancelled: '#6b7280' };

// The config fields' labels, by name (a name not here shows as it is).
const FIELD_LABELS: Record<'el' | 'en', Record<string, string>> = {
  el: {
    condition: 'Συνθήκη', value: 'Τιμή', amount: 'Πόσο', unit: 'Μονάδα', items: 'Στοιχεία (λίστα)', max: 'Μέγιστες επαναλήψεις', name: 'Όνομα μεταβλητής',
    source: 'Πηγή', message: 'Μήνυμα', to: 'Προς', customer_id: 'Πελάτης (id)', text: 'Κείμενο', template: 'Πρότυπο WhatsApp', language: 'Γλώσσα',
    parameters: 'Παράμετροι προτύπου (JSON)', subject: 'Θέμα', body: 'Κείμενο', account: 'Λογαριασμός', title: 'Τίτλος', user: 'Χρήστης',
    ticket_id: 'Ticket (id)', url: 'Διεύθυνση URL', method: 'Μέθοδος', headers: 'Κεφαλίδες (JSON)', timeout_seconds: 'Χρονικό όριο (δευτ.)',
    intents: 'Προθέσεις (με κόμμα)', fields: 'Πεδία (με κόμμα)', prompt: 'Οδηγία', system: 'Ρόλος συστήματος', kind: 'Είδος', priority: 'Προτεραιότητα', phone: 'Τηλέφωνο',
    every_minutes: 'Λεπτά', cron: 'Cron', timezone: 'Ζώνη ώρας', key: 'Κλειδί', next: 'Μετά', on_error: 'Σε σφάλμα',
  },
  en: {},
};
const UNITS: Record<'el' | 'en', Record<string, string>> = {
  el: { minutes: 'λεπτά', hours: 'ώρες', days: 'ημέρες', weeks: 'εβδομάδες', months: 'μήνες' },
  en: {},
};

export type WorkflowText = WorkflowDict & {
  lang: 'el' | 'en';
  st: (s: RunStatus) => string;
  label: (field: string) => string;
  choice: (v: string) => string;
};

export function workflowText(lang: 'el' | 'en'): WorkflowText {
  const d = lang === 'en' ? en : el;
  return {
    ...d,
    lang,
    st: (s) => STATUS[lang][s] ?? s,
    label: (name) => {
      const b = /^branches\.(.+)$/.exec(name);
      if (b) return d.branch(b[1] as string);
      const c = name.replace(/^config\./, '');
      return FIELD_LABELS[lang][c] ?? c;
    },
    choice: (v) => UNITS[lang][v] ?? v,
  };
}

export function useWorkflowText(): WorkflowText {
  return workflowText(useI18n().t.langCode);
}

/** A field problem in words, naming the field as the form labels it. */
export function problemText(p: FieldProblem, w: WorkflowText): string {
  const last = p.field.replace(/^definition\./, '').replace(/^nodes\[\d+\]\./, '').replace(/^trigger\./, '');
  const label = w.label(last);
  if (p.reason === 'missing') return w.missing(label);
  if (p.reason === 'number') return w.notNumber(label);
  if (p.reason === 'json') return w.notJson(label);
  return w.problem(label);
}
