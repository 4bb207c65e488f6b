// The merge dialog's rules, free of React: which fields of two customers conflict, what the
// kept customer ends up with, the request body a set of choices makes, and what a merge moved
// in words. The server decides the same way (docs/API.md «Duplicate customers»): a field one
// side leaves empty takes the other side's value, so only fields both sides fill differently
// are a choice.
import type { Customer, Schemas } from '../api/client';

export type Side = Schemas['Side'];
export type Choices = Schemas['Choices'];
export type Moved = Schemas['Moved'];
export type Reason = Schemas['Reason'];
export type DuplicatePair = Schemas['DuplicatePair'];
export type MergeOutcome = Schemas['MergeOutcome'];
export type MergeRecord = Schemas['MergeRecord'];
export type MergeRequest = Schemas['MergeRequest'];

/** The scalar fields a merge settles, in the dialog's order. */
export const FIELDS = ['name', 'organization', 'location', 'language', 'nextcloud_folder'] as const;
export type MergeField = (typeof FIELDS)[number];

/** Every field from the kept customer: the server's default. */
export const KEPT_CHOICES: Choices = { name: 'kept', organization: 'kept', location: 'kept', language: 'kept', nextcloud_folder: 'kept' };

/** A field's value as one line of text ('' when empty); the location as «city, region, country». */
export function fieldText(c: Customer, f: MergeField): string {
  switch (f) {
    case 'location':
      return [c.location.city, c.location.region, c.location.country].map((x) => (x ?? '').trim()).filter(Boolean).join(', ');
    case 'organization':
      return (c.organization ?? '').trim();
    case 'nextcloud_folder':
      return (c.nextcloud_folder ?? '').trim();
    default:
      return (c[f] ?? '').trim();
  }
}

/** Whether both customers fill `f` and differ on it (so the user chooses a side). */
export function conflicts(kept: Customer, dup: Customer, f: MergeField): boolean {
  const a = fieldText(kept, f);
  const b = fieldText(dup, f);
  return a !== '' && b !== '' && a !== b;
}

/** The fields the user has to choose for, in the dialog's order. */
export function conflictingFields(kept: Customer, dup: Customer): MergeField[] {
  return FIELDS.filter((f) => conflicts(kept, dup, f));
}

/** Which customer a field's value comes from after the merge, given the user's choice. */
export function resolvedSide(kept: Customer, dup: Customer, f: MergeField, choice: Side): Side {
  if (fieldText(kept, f) === '') return fieldText(dup, f) === '' ? 'kept' : 'duplicate';
  if (fieldText(dup, f) === '') return 'kept';
  return choice;
}

/**
 * The body of `POST /customers/{kept}/merge`: a choice counts only for a conflicting field
 * (elsewhere `kept`, which the server would do anyway), so a choice left over from before a
 * swap never reaches the server.
 */
export function mergeBody(kept: Customer, dup: Customer, choices: Choices, dryRun: boolean): MergeRequest {
  const sent: Choices = { ...KEPT_CHOICES };
  for (const f of conflictingFields(kept, dup)) sent[f] = choices[f];
  return { duplicate_id: dup.id, choices: sent, dry_run: dryRun };
}

/** The kinds of records a merge moves, in the order they are listed. */
export const MOVED_KINDS = ['contacts', 'notes', 'tags', 'owned_items', 'orders', 'comms_entries', 'media_records', 'tickets', 'leads'] as const;
export type MovedKind = (typeof MOVED_KINDS)[number];

const MOVED_WORDS: Record<'el' | 'en', Record<MovedKind, [string, string]>> = {
  el: {
    contacts: ['επαφή', 'επαφές'], notes: ['σημείωση', 'σημειώσεις'], tags: ['ετικέτα', 'ετικέτες'],
    owned_items: ['είδος εξοπλισμού', 'είδη εξοπλισμού'], orders: ['παραγγελία', 'παραγγελίες'],
    comms_entries: ['καταχώριση επικοινωνίας', 'καταχωρίσεις επικοινωνίας'], media_records: ['αρχείο', 'αρχεία'],
    tickets: ['εργασία', 'εργασίες'], leads: ['ευκαιρία πώλησης', 'ευκαιρίες πώλησης'],
  },
  en: {
    contacts: ['contact', 'contacts'], notes: ['note', 'notes'], tags: ['tag', 'tags'],
    owned_items: ['owned item', 'owned items'], orders: ['order', 'orders'],
    comms_entries: ['comms entry', 'comms entries'], media_records: ['media record', 'media records'],
    tickets: ['ticket', 'tickets'], leads: ['lead', 'leads'],
  },
};

/** «1 παραγγελία», «3 επαφές» … for each kind that moved (none of the zeros). */
export function movedParts(moved: Moved, lang: 'el' | 'en'): string[] {
  return MOVED_KINDS.filter((k) => moved[k] > 0).map((k) => {
    const [one, many] = MOVED_WORDS[lang][k];
    return `${moved[k].toLocaleString(lang === 'el' ? 'el-GR' : 'en-GB')} ${moved[k] === 1 ? one : many}`;
  });
}

/** What moved, as one phrase: «1 παραγγελία, 2 επαφές και 1 καταχώριση επικοινωνίας»; nothing in words too. */
export function movedText(moved: Moved, lang: 'el' | 'en'): string {
  const parts = movedParts(moved, lang);
  if (parts.length === 0) return lang === 'el' ? 'τίποτα δεν μετακινείται' : 'nothing moves';
  if (parts.length === 1) return parts[0] as string;
  return `${parts.slice(0, -1).join(', ')} ${lang === 'el' ? 'και' : 'and'} ${parts[parts.length - 1]}`;
}

/** A suggestion's reason in words: «ίδιο τηλέφωνο +306944111222». */
export function reasonText(r: Reason, lang: 'el' | 'en'): string {
  const what = lang === 'el'
    ? { phone: 'ίδιο τηλέφωνο', email: 'ίδιο e-mail', name: 'ίδιο όνομα' }
    : { phone: 'same phone', email: 'same e-mail', name: 'same name' };
  return `${what[r.kind]} ${r.value}`;
}
