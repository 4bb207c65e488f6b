//! Realistic comms entries from a seeded RNG, for benchmarks and demo data.
//!
//! Messages are short Greek texts about bells, clocks and visits, with a skewed vocabulary
//! (a few words are everywhere, most are rare), as a real log would have. The same seed gives
//! the same entries. Only compiled with the `seed` feature.

use crm_core::Timestamp;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use uuid::Uuid;

use crate::model::{CommsType, Direction, NewEntry};

/// Words of the log, most frequent first.
const WORDS: &[&str] = &[
    "καμπάνα",
    "ρολόι",
    "μηχανισμός",
    "επίσκεψη",
    "ναός",
    "πατήρ",
    "ευχαριστούμε",
    "πρόγραμμα",
    "χτύπημα",
    "ώρα",
    "καμπαναριό",
    "τεχνικός",
    "προσφορά",
    "τιμή",
    "παραγγελία",
    "εγκατάσταση",
    "βλάβη",
    "ρύθμιση",
    "σήμερα",
    "αύριο",
    "Κυριακή",
    "λειτουργία",
    "εσπερινός",
    "πένθιμο",
    "χαρμόσυνο",
    "γιορτή",
    "πανηγύρι",
    "ηλεκτρομαγνήτης",
    "σφυρί",
    "κινητήρας",
    "πλακέτα",
    "τροφοδοτικό",
    "καλώδιο",
    "κεραία",
    "GPS",
    "συγχρονισμός",
    "χειριστήριο",
    "τηλεχειριστήριο",
    "εφαρμογή",
    "κινητό",
    "φωτογραφία",
    "βίντεο",
    "ήχος",
    "θόρυβος",
    "σκουριά",
    "λίπανση",
    "συντήρηση",
    "εγγύηση",
    "τιμολόγιο",
    "απόδειξη",
    "πληρωμή",
    "κατάθεση",
    "τράπεζα",
    "μεταφορά",
    "γερανός",
    "σκαλωσιά",
    "ύψος",
    "βάρος",
    "κιλά",
    "διάμετρος",
    "χαλκός",
    "μπρούντζος",
    "χυτήριο",
    "επιγραφή",
    "δωρεά",
    "επιτροπή",
    "μητρόπολη",
    "επίσκοπος",
    "ενορία",
    "μοναστήρι",
    "ηγούμενος",
    "παρεκκλήσι",
    "εξωκλήσι",
    "χωριό",
    "νησί",
    "πλοίο",
    "αποστολή",
    "courier",
    "δέμα",
    "ανταλλακτικό",
    "ασφάλεια",
    "διακόπτης",
    "ρελέ",
    "αισθητήρας",
    "κεραυνός",
    "αλεξικέραυνο",
    "γείωση",
    "υγρασία",
    "παγωνιά",
    "καύσωνας",
    "σεισμός",
    "ζημιά",
    "αποζημίωση",
    "Πάσχα",
    "Χριστούγεννα",
    "Δεκαπενταύγουστος",
    "Ανάσταση",
    "Επιτάφιος",
    "γάμος",
    "βάπτιση",
    "κηδεία",
    "μνημόσυνο",
    "ψάλτης",
    "νεωκόρος",
    "επίτροπος",
    "πρόεδρος",
    "κοινότητα",
    "δήμος",
];

const SUBJECTS: &[&str] = &[
    "Βλάβη στο ρολόι του καμπαναριού",
    "Προσφορά για νέα καμπάνα",
    "Πρόγραμμα χτυπημάτων για το Πάσχα",
    "Επίσκεψη τεχνικού",
    "Τιμολόγιο παραγγελίας",
    "Ευχαριστήριο",
    "Ρύθμιση ώρας μετά την αλλαγή",
    "Φωτογραφίες από το καμπαναριό",
    "Αναβάθμιση μηχανισμού",
    "Ερώτηση για εγγύηση",
];

/// One word, skewed towards the start of [`WORDS`].
fn word(rng: &mut StdRng) -> &'static str {
    let u: f64 = rng.r#gen();
    let n = WORDS.len() as f64;
    // u³ puts about half of all draws on the first eighth of the vocabulary
    let i = ((u * u * u) * n) as usize;
    WORDS.get(i).copied().unwrap_or("καμπάνα")
}

/// A message body of `min..max` words.
pub fn text(rng: &mut StdRng, min: usize, max: usize) -> String {
    let n = rng.gen_range(min..max);
    let mut s = String::with_capacity(n * 10);
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(word(rng));
    }
    s
}

/// A random entry for `customer` (or, when `None`, an inbox entry from a random mobile
/// number), at a random time in 2020–2026.
pub fn entry(rng: &mut StdRng, customer: Option<Uuid>) -> NewEntry {
    let kind = *[
        CommsType::Email,
        CommsType::Whatsapp,
        CommsType::Whatsapp,
        CommsType::Call,
        CommsType::Call,
        CommsType::Note,
        CommsType::Sms,
        CommsType::InPerson,
    ]
    .choose(rng)
    .unwrap_or(&CommsType::Call);
    let direction = match kind {
        CommsType::Note => Direction::Internal,
        _ if rng.gen_bool(0.6) => Direction::Inbound,
        _ => Direction::Outbound,
    };
    let mut n = NewEntry::new(kind, direction, customer);
    if customer.is_none() {
        n.sender = Some(format!("69{:08}", rng.gen_range(0..100_000_000u32)));
    }
    if kind == CommsType::Email {
        n.subject = SUBJECTS.choose(rng).map(|s| (*s).to_owned());
        n.body = Some(text(rng, 20, 80));
    } else {
        n.body = Some(text(rng, 3, 25));
    }
    n.ext_message_id = Some(format!("seed-{}", Uuid::from_u128(rng.r#gen())));
    let seconds = rng.gen_range(1_577_836_800..1_798_761_600i64); // 2020-01-01 .. 2027-01-01
    n.occurred_at = time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .map(Timestamp::from);
    n
}
