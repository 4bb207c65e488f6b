// The words of the comms actions (composers, thread view, WhatsApp box, calls, search,
// missed calls), Greek and English, kept beside their components so the shared dictionary
// (i18n.tsx) only names the menu items.
import { useI18n } from '../i18n';

const el = {
  reply: 'Απάντηση', replyAll: 'Απάντηση σε όλους', cc: 'Κοιν.', signatureAdded: 'Η υπογραφή σας προστίθεται στο τέλος.',
  attachments: 'Συνημμένα', attachFromFolder: 'Από τον φάκελο του πελάτη', uploadAttach: 'Ανέβασμα και επισύναψη',
  noFolder: 'Ο πελάτης δεν έχει φάκελο στο Nextcloud.', emptyFolder: 'Ο φάκελος είναι άδειος.', up: '‹ Πάνω',
  replyingTo: 'Απάντηση στο', thread: 'Συνομιλία', openThread: 'Άνοιγμα συνομιλίας', closeThread: 'Κλείσιμο',
  showImages: 'Εμφάνιση εικόνων', imagesBlocked: (n: number) => (n === 1 ? 'Αποκλείστηκε 1 εξωτερική εικόνα.' : `Αποκλείστηκαν ${n} εξωτερικές εικόνες.`),
  olderMessages: (n: number) => `Παλαιότερα μηνύματα (${n})`, from: 'Από', to: 'Προς', download: 'Λήψη',
  whatsapp: 'WhatsApp', waText: 'Μήνυμα', waSend: 'Αποστολή WhatsApp', waTemplate: 'Πρότυπο', waTemplateName: 'Όνομα προτύπου',
  waLanguage: 'Γλώσσα προτύπου', waParams: 'Παράμετροι (μία ανά γραμμή)', waMedia: 'Αρχείο από τον φάκελο', waCaption: 'Λεζάντα',
  waNoFile: '— κανένα αρχείο —', waRecent: 'Τελευταία απεσταλμένα',
  tick_pending: 'Σε αναμονή', tick_sent: 'Στάλθηκε', tick_delivered: 'Παραδόθηκε', tick_read: 'Διαβάστηκε', tick_failed: 'Απέτυχε',
  call: 'Κλήση', calling: 'Κλήση…', callPlaced: (ext: string) => `Χτυπά το εσωτερικό σας (${ext}) — σηκώστε το για να καλέσει τον πελάτη.`,
  callPlacedNoExt: 'Χτυπά το εσωτερικό σας — σηκώστε το για να καλέσει τον πελάτη.',
  noExtension: 'Δεν έχετε ορίσει εσωτερικό τηλεφώνου· ζητήστε από τον διαχειριστή να το ορίσει στον λογαριασμό σας.',
  email: 'E-mail', actions: 'Ενέργειες',
  missedCalls: 'Αναπάντητες', missedTitle: 'Αναπάντητες κλήσεις', callBack: 'Επιστροφή κλήσης', unknownCaller: 'Άγνωστος αριθμός',
  globalSearch: 'Αναζήτηση επικοινωνίας', navSearch: 'Αναζήτηση', searchPlaceholder: 'Λέξεις από e-mail, WhatsApp, σημειώσεις…',
  hits: (n: number, exact: boolean) => `${exact ? '' : 'Τουλάχιστον '}${n} ${n === 1 ? 'αποτέλεσμα' : 'αποτελέσματα'}`,
  unassigned: 'Χωρίς πελάτη', edit: 'Επεξεργασία', deleted: 'Η καταχώριση διαγράφηκε.', changedMeanwhile: 'Κάποιος άλλος άλλαξε αυτή την καταχώριση στο μεταξύ· δείτε την τωρινή μορφή της και δοκιμάστε ξανά.',
  open: 'Άνοιγμα',
  // the service window
  windowOpen: (ago: string, until: string) => `Ο πελάτης έγραψε ${ago} — μπορείτε να στείλετε κείμενο έως ${until}`,
  windowClosed: 'Πέρασαν 24 ώρες — μόνο εγκεκριμένο πρότυπο',
  windowNever: 'Ο πελάτης δεν έχει γράψει ακόμη — μόνο εγκεκριμένο πρότυπο',
  agoMinutes: (n: number) => (n <= 1 ? 'πριν από 1 λεπτό' : `πριν από ${n} λεπτά`),
  agoHours: (n: number) => (n === 1 ? 'πριν από 1 ώρα' : `πριν από ${n} ώρες`),
  tomorrow: 'αύριο',
  quoteHead: (when: string, who: string) => `Στις ${when}, ο/η ${who} έγραψε:`,
};
export type CommsDict = typeof el;

const en: CommsDict = {
  reply: 'Reply', replyAll: 'Reply all', cc: 'Cc', signatureAdded: 'Your signature is added at the end.',
  attachments: 'Attachments', attachFromFolder: 'From the customer’s folder', uploadAttach: 'Upload and attach',
  noFolder: 'The customer has no Nextcloud folder.', emptyFolder: 'The folder is empty.', up: '‹ Up',
  replyingTo: 'Replying to', thread: 'Conversation', openThread: 'Open conversation', closeThread: 'Close',
  showImages: 'Show images', imagesBlocked: (n: number) => (n === 1 ? '1 remote image blocked.' : `${n} remote images blocked.`),
  olderMessages: (n: number) => `Older messages (${n})`, from: 'From', to: 'To', download: 'Download',
  whatsapp: 'WhatsApp', waText: 'Message', waSend: 'Send WhatsApp', waTemplate: 'Template', waTemplateName: 'Template name',
  waLanguage: 'Template language', waParams: 'Parameters (one per line)', waMedia: 'File from the folder', waCaption: 'Caption',
  waNoFile: '— no file —', waRecent: 'Recently sent',
  tick_pending: 'Pending', tick_sent: 'Sent', tick_delivered: 'Delivered', tick_read: 'Read', tick_failed: 'Failed',
  call: 'Call', calling: 'Calling…', callPlaced: (ext: string) => `Your extension (${ext}) is ringing — pick it up to call the customer.`,
  callPlacedNoExt: 'Your extension is ringing — pick it up to call the customer.',
  noExtension: 'You have no phone extension set; ask the administrator to set one on your account.',
  email: 'E-mail', actions: 'Actions',
  missedCalls: 'Missed calls', missedTitle: 'Missed calls', callBack: 'Call back', unknownCaller: 'Unknown number',
  globalSearch: 'Search conversations', navSearch: 'Search', searchPlaceholder: 'Words from e-mail, WhatsApp, notes…',
  hits: (n: number, exact: boolean) => `${exact ? '' : 'At least '}${n} ${n === 1 ? 'result' : 'results'}`,
  unassigned: 'No customer', edit: 'Edit', deleted: 'The entry was deleted.', changedMeanwhile: 'Someone else changed this entry meanwhile; look at its current form and try again.',
  open: 'Open',
  windowOpen: (ago: string, until: string) => `The customer wrote ${ago} — you can send text until ${until}`,
  windowClosed: '24 hours have passed — approved template only',
  windowNever: 'The customer has not written yet — approved template only',
  agoMinutes: (n: number) => (n <= 1 ? '1 minute ago' : `${n} minutes ago`),
  agoHours: (n: number) => (n === 1 ? '1 hour ago' : `${n} hours ago`),
  tomorrow: 'tomorrow',
  quoteHead: (when: string, who: string) => `On ${when}, ${who} wrote:`,
};

export const commsDictionaries = { el, en };

export function commsText(lang: 'el' | 'en'): CommsDict {
  return lang === 'en' ? en : el;
}

export function useCommsText(): CommsDict {
  return commsText(useI18n().t.langCode);
}
