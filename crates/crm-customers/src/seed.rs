//! Realistic Greek customers from a seeded RNG, for benchmarks and demo data.
//!
//! The same `seed` always gives the same customers. About a third are parishes
//! ("Ιερός Ναός Αγίου Νικολάου Πειραιά", organization "Ιερά Μητρόπολη …", landline, parish
//! e-mail), half are people (priests often as "π. …", with a mobile number written in one of
//! the usual ways and a Greeklish e-mail, often linked to a parish), the rest are companies.
//! Only compiled with the `seed` feature.

use crm_core::Timestamp;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::error::Result;
use crate::model::{ContactInput, ContactType, Customer, Location, NewCustomer};

const MALE: &[&str] = &[
    "Γεώργιος",
    "Γιώργος",
    "Ιωάννης",
    "Γιάννης",
    "Κωνσταντίνος",
    "Κώστας",
    "Δημήτριος",
    "Δημήτρης",
    "Νικόλαος",
    "Νίκος",
    "Παναγιώτης",
    "Χρήστος",
    "Βασίλειος",
    "Βασίλης",
    "Αθανάσιος",
    "Θανάσης",
    "Μιχαήλ",
    "Ευάγγελος",
    "Σπυρίδων",
    "Αντώνιος",
    "Θεόδωρος",
    "Θοδωρής",
    "Αναστάσιος",
    "Ηλίας",
    "Στέφανος",
    "Εμμανουήλ",
    "Παύλος",
    "Αλέξανδρος",
    "Χαράλαμπος",
    "Μπάμπης",
    "Άγγελος",
    "Λάμπρος",
];

const FEMALE: &[&str] = &[
    "Μαρία",
    "Ελένη",
    "Αικατερίνη",
    "Βασιλική",
    "Σοφία",
    "Αγγελική",
    "Γεωργία",
    "Δήμητρα",
    "Κωνσταντίνα",
    "Παρασκευή",
    "Ευαγγελία",
    "Χριστίνα",
    "Ιωάννα",
    "Αναστασία",
    "Ειρήνη",
    "Δέσποινα",
];

/// (male form, female form)
const SURNAMES: &[(&str, &str)] = &[
    ("Παπαδόπουλος", "Παπαδοπούλου"),
    ("Παπανικολάου", "Παπανικολάου"),
    ("Γεωργίου", "Γεωργίου"),
    ("Οικονόμου", "Οικονόμου"),
    ("Νικολαΐδης", "Νικολαΐδου"),
    ("Καραγιάννης", "Καραγιάννη"),
    ("Παπαδάκης", "Παπαδάκη"),
    ("Βασιλείου", "Βασιλείου"),
    ("Μακρής", "Μακρή"),
    ("Αθανασίου", "Αθανασίου"),
    ("Πετρόπουλος", "Πετροπούλου"),
    ("Ιωάννου", "Ιωάννου"),
    ("Δημητρίου", "Δημητρίου"),
    ("Κωνσταντίνου", "Κωνσταντίνου"),
    ("Λαμπράκης", "Λαμπράκη"),
    ("Μπίμπης", "Μπίμπη"),
    ("Αντωνίου", "Αντωνίου"),
    ("Χριστοδούλου", "Χριστοδούλου"),
    ("Σταυρίδης", "Σταυρίδου"),
    ("Ευαγγέλου", "Ευαγγέλου"),
    ("Κουτσούκος", "Κουτσούκου"),
    ("Αλεξίου", "Αλεξίου"),
    ("Παππάς", "Παππά"),
    ("Μαυρίδης", "Μαυρίδου"),
    ("Τσακίρης", "Τσακίρη"),
    ("Ζαχαρίου", "Ζαχαρίου"),
    ("Θεοδωρόπουλος", "Θεοδωροπούλου"),
    ("Μιχαηλίδης", "Μιχαηλίδου"),
    ("Χατζηδάκης", "Χατζηδάκη"),
    ("Σπυρόπουλος", "Σπυροπούλου"),
    ("Ντόκος", "Ντόκου"),
    ("Γκίκας", "Γκίκα"),
    ("Μπακάλης", "Μπακάλη"),
    ("Ξενάκης", "Ξενάκη"),
    ("Ψαράς", "Ψαρά"),
    ("Φωτίου", "Φωτίου"),
    ("Κυριακίδης", "Κυριακίδου"),
    ("Τριανταφύλλου", "Τριανταφύλλου"),
    ("Αναγνώστου", "Αναγνώστου"),
    ("Ραφαηλίδης", "Ραφαηλίδου"),
];

/// Dedications of churches, in the genitive.
const SAINTS: &[&str] = &[
    "Αγίου Νικολάου",
    "Αγίου Γεωργίου",
    "Αγίου Δημητρίου",
    "Αγίας Παρασκευής",
    "Αγίας Τριάδος",
    "Αγίου Αθανασίου",
    "Αγίου Ιωάννου Προδρόμου",
    "Κοιμήσεως της Θεοτόκου",
    "Ευαγγελισμού της Θεοτόκου",
    "Αγίων Αποστόλων",
    "Αγίου Σπυρίδωνος",
    "Αγίου Παντελεήμονος",
    "Αγίας Μαρίνης",
    "Αγίας Αικατερίνης",
    "Αγίου Στεφάνου",
    "Αγίων Κωνσταντίνου και Ελένης",
    "Μεταμορφώσεως του Σωτήρος",
    "Αγίου Χαραλάμπους",
    "Αγίας Ειρήνης",
    "Αγίου Ελευθερίου",
    "Αγίου Τίτου",
    "Αγίου Μηνά",
    "Παναγίας Φανερωμένης",
    "Οσίου Λουκά",
];

/// (city, genitive, region, metropolis, landline area code)
const CITIES: &[(&str, &str, &str, &str, &str)] = &[
    ("Αθήνα", "Αθηνών", "Αττική", "Αθηνών", "210"),
    ("Πειραιάς", "Πειραιά", "Αττική", "Πειραιώς", "210"),
    (
        "Θεσσαλονίκη",
        "Θεσσαλονίκης",
        "Κεντρική Μακεδονία",
        "Θεσσαλονίκης",
        "2310",
    ),
    ("Πάτρα", "Πατρών", "Δυτική Ελλάδα", "Πατρών", "2610"),
    ("Ηράκλειο", "Ηρακλείου", "Κρήτη", "Κρήτης", "2810"),
    (
        "Λάρισα",
        "Λαρίσης",
        "Θεσσαλία",
        "Λαρίσης και Τυρνάβου",
        "2410",
    ),
    ("Βόλος", "Βόλου", "Θεσσαλία", "Δημητριάδος", "24210"),
    ("Ιωάννινα", "Ιωαννίνων", "Ήπειρος", "Ιωαννίνων", "26510"),
    (
        "Χανιά",
        "Χανίων",
        "Κρήτη",
        "Κυδωνίας και Αποκορώνου",
        "28210",
    ),
    (
        "Καλαμάτα",
        "Καλαμάτας",
        "Πελοπόννησος",
        "Μεσσηνίας",
        "27210",
    ),
    (
        "Κομοτηνή",
        "Κομοτηνής",
        "Ανατολική Μακεδονία και Θράκη",
        "Μαρωνείας",
        "25310",
    ),
    ("Ρόδος", "Ρόδου", "Νότιο Αιγαίο", "Ρόδου", "22410"),
    ("Κέρκυρα", "Κερκύρας", "Ιόνια Νησιά", "Κερκύρας", "26610"),
    ("Τρίπολη", "Τριπόλεως", "Πελοπόννησος", "Μαντινείας", "2710"),
    (
        "Σέρρες",
        "Σερρών",
        "Κεντρική Μακεδονία",
        "Σερρών και Νιγρίτης",
        "23210",
    ),
    (
        "Καβάλα",
        "Καβάλας",
        "Ανατολική Μακεδονία και Θράκη",
        "Φιλίππων",
        "2510",
    ),
    (
        "Άγιος Νικόλαος",
        "Αγίου Νικολάου",
        "Κρήτη",
        "Πέτρας",
        "28410",
    ),
    ("Ναύπλιο", "Ναυπλίου", "Πελοπόννησος", "Αργολίδος", "27520"),
    ("Χαλκίδα", "Χαλκίδος", "Στερεά Ελλάδα", "Χαλκίδος", "22210"),
    ("Λαμία", "Λαμίας", "Στερεά Ελλάδα", "Φθιώτιδος", "22310"),
];

const DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.gr",
    "otenet.gr",
    "hotmail.com",
    "windowslive.com",
];

const PARISH_TAGS: &[&str] = &[
    "καμπαναριό",
    "ρολόι",
    "συμβόλαιο",
    "service",
    "Κρήτη",
    "νησί",
];
const PERSON_TAGS: &[&str] = &["ιερέας", "vip", "πελάτης", "επίτροπος", "service", "ψάλτης"];
const COMPANY_TAGS: &[&str] = &["συνεργάτης", "προμηθευτής", "ηλεκτρολόγος", "vip"];
const COMPANY_KINDS: &[&str] = &[
    "Κωδωνοποιία",
    "Ηλεκτρολογικά",
    "Τεχνική Εταιρεία",
    "Ωρολογοποιία",
    "Μεταλλουργία",
];

/// A simple ELOT-style Greeklish, for e-mail addresses.
fn greeklish(s: &str) -> String {
    let folded = crate::search::fold(s);
    let mut out = String::with_capacity(folded.len());
    let chars: Vec<char> = folded.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        let (t, used) = match (c, next) {
            ('ο', Some('υ')) => ("ou", 2),
            ('μ', Some('π')) if i == 0 => ("b", 2),
            ('ν', Some('τ')) if i == 0 => ("d", 2),
            ('α', Some('υ')) => ("av", 2),
            ('ε', Some('υ')) => ("ev", 2),
            ('α', _) => ("a", 1),
            ('β', _) => ("v", 1),
            ('γ', _) => ("g", 1),
            ('δ', _) => ("d", 1),
            ('ε', _) => ("e", 1),
            ('ζ', _) => ("z", 1),
            ('η', _) => ("i", 1),
            ('θ', _) => ("th", 1),
            ('ι', _) => ("i", 1),
            ('κ', _) => ("k", 1),
            ('λ', _) => ("l", 1),
            ('μ', _) => ("m", 1),
            ('ν', _) => ("n", 1),
            ('ξ', _) => ("x", 1),
            ('ο', _) => ("o", 1),
            ('π', _) => ("p", 1),
            ('ρ', _) => ("r", 1),
            ('σ', _) => ("s", 1),
            ('τ', _) => ("t", 1),
            ('υ', _) => ("y", 1),
            ('φ', _) => ("f", 1),
            ('χ', _) => ("ch", 1),
            ('ψ', _) => ("ps", 1),
            ('ω', _) => ("o", 1),
            (c, _) if c.is_ascii_alphanumeric() => {
                out.push(c);
                i += 1;
                continue;
            }
            _ => ("", 1),
        };
        out.push_str(t);
        i += used;
    }
    out
}

/// A deterministic source of customers.
#[derive(Debug)]
pub struct Generator {
    rng: StdRng,
    serial: u64,
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            serial: 0,
        }
    }

    fn pick<'a, T>(&mut self, from: &'a [T]) -> &'a T {
        // the lists above are never empty
        &from[self.rng.gen_range(0..from.len())]
    }

    fn mobile(&mut self) -> String {
        let n: u32 = self.rng.gen_range(0..10_000_000);
        let second = self.rng.gen_range(0..10);
        let digits = format!("69{second}{n:07}");
        match self.rng.gen_range(0..5) {
            0 => digits,
            1 => format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..]),
            2 => format!("+30 {} {} {}", &digits[..3], &digits[3..6], &digits[6..]),
            3 => format!("0030{digits}"),
            _ => format!("+30{digits}"),
        }
    }

    fn landline(&mut self, area: &str) -> String {
        let rest_len = 10 - area.len();
        let max = 10u64.pow(u32::try_from(rest_len).unwrap_or(6));
        let mut rest = self.rng.gen_range(max / 10..max).to_string();
        // Greek landlines never continue the area code with 0 or 1
        rest.replace_range(0..1, &self.rng.gen_range(2..10).to_string());
        format!("{area} {rest}")
    }

    fn tags(&mut self, base: &[&str], pool: &[&str], max_extra: usize) -> Vec<String> {
        let mut tags: Vec<String> = base.iter().map(|t| (*t).to_owned()).collect();
        let extra = self.rng.gen_range(0..=max_extra);
        for t in pool.choose_multiple(&mut self.rng, extra) {
            tags.push((*t).to_owned());
        }
        tags
    }

    fn contact(
        kind: ContactType,
        value: String,
        label: Option<&str>,
        primary: bool,
    ) -> ContactInput {
        ContactInput {
            kind,
            label: label.map(str::to_owned),
            value,
            primary,
        }
    }

    /// The next customer as a client would send it.
    pub fn new_customer(&mut self) -> NewCustomer {
        self.serial += 1;
        let serial = self.serial;
        let &(city, city_gen, region, metropolis, area) = self.pick(CITIES);
        let location = Location {
            city: Some(city.to_owned()),
            country: Some("GR".to_owned()),
            region: Some(region.to_owned()),
        };
        let roll = self.rng.gen_range(0..100);
        if roll < 35 {
            let saint = *self.pick(SAINTS);
            let name = if self.rng.gen_bool(0.8) {
                format!("Ιερός Ναός {saint} {city_gen}")
            } else {
                format!("Ενορία {saint} {city_gen}")
            };
            let mut contacts = vec![Self::contact(
                ContactType::Phone,
                self.landline(area),
                Some("γραφείο"),
                true,
            )];
            if self.rng.gen_bool(0.7) {
                let local: String = greeklish(saint)
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .take(14)
                    .collect();
                contacts.push(Self::contact(
                    ContactType::Email,
                    format!("in.{local}{serial}@{}", self.pick(DOMAINS)),
                    None,
                    false,
                ));
            }
            NewCustomer {
                name,
                organization: Some(format!("Ιερά Μητρόπολη {metropolis}")),
                contacts,
                location,
                tags: self.tags(&["ενορία"], PARISH_TAGS, 2),
                nextcloud_folder: Some(format!("05_Customers/ΕΝΟΡΙΑ_{serial}")),
                ..NewCustomer::default()
            }
        } else if roll < 85 {
            let female = self.rng.gen_bool(0.3);
            let first = if female {
                *self.pick(FEMALE)
            } else {
                *self.pick(MALE)
            };
            let &(male_surname, female_surname) = self.pick(SURNAMES);
            let surname = if female { female_surname } else { male_surname };
            let priest = !female && self.rng.gen_bool(0.4);
            let name = match (priest, self.rng.gen_bool(0.5)) {
                (true, _) => format!("π. {first} {surname}"),
                (false, true) => format!("{first} {surname}"),
                (false, false) => format!("{surname} {first}"),
            };
            let organization = (priest || self.rng.gen_bool(0.4))
                .then(|| format!("Ιερός Ναός {} {city_gen}", self.pick(SAINTS)));
            let mut contacts = vec![Self::contact(
                ContactType::Phone,
                self.mobile(),
                Some("κινητό"),
                true,
            )];
            if self.rng.gen_bool(0.3) {
                contacts.push(Self::contact(
                    ContactType::Whatsapp,
                    self.mobile(),
                    None,
                    false,
                ));
            }
            if self.rng.gen_bool(0.7) {
                let domain = *self.pick(DOMAINS);
                contacts.push(Self::contact(
                    ContactType::Email,
                    format!(
                        "{}.{}{}@{domain}",
                        greeklish(first),
                        greeklish(surname),
                        serial % 1000
                    ),
                    None,
                    false,
                ));
            }
            let base: &[&str] = if priest { &["ιερέας"] } else { &[] };
            NewCustomer {
                name,
                organization,
                contacts,
                location,
                tags: self.tags(base, PERSON_TAGS, 2),
                ..NewCustomer::default()
            }
        } else {
            let &(surname, _) = self.pick(SURNAMES);
            let kind = *self.pick(COMPANY_KINDS);
            let name = format!(
                "{kind} {surname} {}",
                if self.rng.gen_bool(0.5) {
                    "Α.Ε."
                } else {
                    "Ο.Ε."
                }
            );
            let contacts = vec![
                Self::contact(ContactType::Phone, self.landline(area), None, true),
                Self::contact(
                    ContactType::Email,
                    format!("info@{}{serial}.gr", greeklish(surname)),
                    None,
                    false,
                ),
            ];
            NewCustomer {
                name,
                organization: None,
                contacts,
                location,
                tags: self.tags(&[], COMPANY_TAGS, 2),
                ..NewCustomer::default()
            }
        }
    }

    /// The next customer as stored: validated, with an id from the same RNG and `created_at`
    /// one second after the previous one's, starting at `start`.
    pub fn customer(&mut self, start: Timestamp) -> Result<Customer> {
        let new = self.new_customer();
        let id = uuid::Builder::from_random_bytes(self.rng.r#gen()).into_uuid();
        let seconds = i64::try_from(self.serial).unwrap_or(i64::MAX);
        let at = Timestamp::from(start.into_inner() + time_seconds(seconds));
        new.into_customer(id, at)
    }
}

fn time_seconds(s: i64) -> std::time::Duration {
    std::time::Duration::from_secs(u64::try_from(s).unwrap_or(0))
}

/// `n` stored customers from `seed` (see [`Generator::customer`]).
pub fn customers(n: usize, seed: u64, start: Timestamp) -> Result<Vec<Customer>> {
    let mut g = Generator::new(seed);
    (0..n).map(|_| g.customer(start)).collect()
}

/// `n` customers as a client would create them, from `seed`.
pub fn new_customers(n: usize, seed: u64) -> Vec<NewCustomer> {
    let mut g = Generator::new(seed);
    (0..n).map(|_| g.new_customer()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_valid() {
        let start = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let a = customers(500, 7, start).unwrap();
        let b = customers(500, 7, start).unwrap();
        assert_eq!(a, b);
        assert!(a.iter().any(|c| c.name.starts_with("Ιερός Ναός")));
        assert!(a.iter().any(|c| c.name.starts_with("π. ")));
        assert!(a.iter().all(|c| !c.contacts.is_empty()));
        let ids: std::collections::HashSet<_> = a.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), 500);
    }

    #[test]
    fn greeklish_for_addresses() {
        assert_eq!(greeklish("Παπαδόπουλος"), "papadopoulos");
        assert_eq!(greeklish("Μπίμπης"), "bimpis");
        assert_eq!(greeklish("Χρήστος"), "christos");
    }
}
