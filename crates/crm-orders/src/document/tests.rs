use super::*;
use std::process::Command;

fn money(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn at(rfc3339: &str) -> Timestamp {
    Timestamp::parse(rfc3339).unwrap()
}

fn line(description: &str, quantity: &str, price: &str, rate: u8, amount: &str) -> Line {
    Line {
        description: description.to_owned(),
        serials: Vec::new(),
        quantity: money(quantity),
        unit_price: money(price),
        vat_rate: rate,
        vat_exemption: None,
        amount: money(amount),
    }
}

/// A 3-line quotation: a bell with serial numbers, a clapper at 1,5 × 40,123456, and an
/// installation exempt from VAT, with a 10 % discount.
fn quotation() -> Sheet {
    let mut bell = line(
        "Καμπάνα μπρούντζινη 50 kg — χυτή, με βάση και μηχανισμό κρούσης",
        "1",
        "1000",
        24,
        "1000",
    );
    bell.serials = vec!["BS-0001".to_owned(), "BS-0002".to_owned()];
    let clapper = line("Γλωσσίδι", "1.5", "40.123456", 24, "60.19");
    let mut install = line("Τοποθέτηση σε Ιερό Ναό", "1", "200", 0, "200");
    install.vat_exemption = Some("Άρθρο 22 του Κώδικα ΦΠΑ".to_owned());
    Sheet {
        kind: Kind::Quotation,
        number: "ORD-2026-001".to_owned(),
        date: at("2026-07-31T22:30:00Z"),
        valid_until: Some(at("2026-08-31T10:00:00Z")),
        company: Party {
            name: "BellSystems Καμπάνες Α.Ε.".to_owned(),
            lines: vec![
                "Λεωφόρος Κηφισίας 100, 11526 Αθήνα".to_owned(),
                "ΑΦΜ 099999999 — ΔΟΥ Ψυχικού".to_owned(),
                "210 1234567 · info@bellsystems.gr".to_owned(),
            ],
        },
        customer: Party {
            name: "Ιερός Ναός Αγίου Νικολάου".to_owned(),
            lines: vec![
                "Πλατεία Αγίου Νικολάου 1, Πάτρα".to_owned(),
                "ΑΦΜ 090000001".to_owned(),
            ],
        },
        currency: "EUR".to_owned(),
        prices_include_vat: false,
        lines: vec![bell, clapper, install],
        subtotal: money("1260.19"),
        discount: Some(("Έκπτωση 10%".to_owned(), money("126.02"))),
        vat: vec![
            VatLine {
                rate: 24,
                net: money("954.17"),
                vat: money("229.00"),
            },
            VatLine {
                rate: 0,
                net: money("180.00"),
                vat: money("0"),
            },
        ],
        net_total: money("1134.17"),
        vat_total: money("229.00"),
        total: money("1363.17"),
        notes: Some(
            "Παράδοση σε 60 ημέρες από την παραγγελία.\nΠληρωμή: 50% προκαταβολή.".to_owned(),
        ),
    }
}

/// The pages of `pdf` as `pdftotext -layout` reads them. Fails (never skips) without poppler.
fn pdftotext(pdf: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sheet.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = match Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(output) => output,
        Err(e) => panic!(
            "pdftotext could not run ({e}): install poppler-utils (apt-get install -y poppler-utils)"
        ),
    };
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

fn assert_contains(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "{e:?} missing from:\n{text}");
    }
}

#[test]
fn a_quotation_reads_as_greek_text_with_its_amounts() {
    let pdf = render(&quotation()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let pages = pdftotext(&pdf);
    assert_eq!(pages.len(), 1);
    assert_contains(
        &pages[0],
        &[
            "Προσφορά",
            "ORD-2026-001",
            // 31/07 22:30 UTC is already 1 August in Athens (summer time, UTC+3)
            "Ημερομηνία: 01/08/2026",
            "Ισχύει έως: 31/08/2026",
            "BellSystems Καμπάνες Α.Ε.",
            "Προς",
            "Ιερός Ναός Αγίου Νικολάου",
            "Α/Α",
            "Περιγραφή",
            "Ποσότητα",
            "χωρίς ΦΠΑ",
            "1.000,00 €",
            "1,5",
            "40,123456 €",
            "60,19 €",
            "Σειριακοί αριθμοί: BS-0001, BS-0002",
            "Απαλλαγή ΦΠΑ: Άρθρο 22 του Κώδικα ΦΠΑ",
            "Σύνολο",
            "1.260,19 €",
            "Έκπτωση 10%",
            "-126,02 €",
            "Καθαρή αξία",
            "1.134,17 €",
            "ΦΠΑ 24%",
            "229,00 €",
            "ΦΠΑ 0%",
            "Σύνολο ΦΠΑ",
            "Πληρωτέο",
            "1.363,17 €",
            "Σημειώσεις",
            "Παράδοση σε 60 ημέρες",
            "Σελίδα 1 από 1",
        ],
    );
    assert!(
        !pages[0].contains("1,50"),
        "quantities have no useless zeros"
    );
}

#[test]
fn a_three_line_quotation_is_small() {
    let pdf = render(&quotation()).unwrap();
    assert_eq!(
        pdf,
        render(&quotation()).unwrap(),
        "the same sheet, the same bytes"
    );
    eprintln!("3-line quotation: {} bytes", pdf.len());
    assert!(
        pdf.len() < 60_000,
        "the fonts are subset: {} bytes",
        pdf.len()
    );
}

#[test]
fn a_confirmation_has_its_title_and_no_validity() {
    let mut sheet = quotation();
    sheet.kind = Kind::Confirmation;
    sheet.prices_include_vat = true;
    let text = pdftotext(&render(&sheet).unwrap()).join("\n");
    assert_contains(
        &text,
        &[
            "Επιβεβαίωση παραγγελίας",
            "ORD-2026-001",
            "με ΦΠΑ",
            "Πληρωτέο",
        ],
    );
    assert!(!text.contains("Ισχύει έως"));
    assert!(!text.contains("Προσφορά"));
}

#[test]
fn a_120_line_order_flows_over_pages_with_the_header_repeated() {
    let mut sheet = quotation();
    sheet.kind = Kind::Confirmation;
    sheet.lines = (1..=120)
        .map(|i| line(&format!("Προϊόν αριθμός {i}"), "2", "10", 24, "20"))
        .collect();
    let pages = pdftotext(&render(&sheet).unwrap());
    assert!(pages.len() >= 3, "{} pages", pages.len());
    let n = pages.len();
    for (i, page) in pages.iter().enumerate() {
        assert_contains(
            page,
            &[
                "Περιγραφή",
                "Ποσότητα",
                &format!("Σελίδα {} από {n}", i + 1),
            ],
        );
    }
    let last = &pages[n - 1];
    assert_contains(last, &["Πληρωτέο", "1.363,17 €"]);
    let all = pages.join("\n");
    assert_contains(&all, &["Προϊόν αριθμός 1 ", "Προϊόν αριθμός 120"]);
}

#[test]
fn the_summary_goes_to_the_next_page_rather_than_over_the_table() {
    // Enough lines that the table ends near the bottom of a page, for every count around it.
    for count in 40..75 {
        let mut sheet = quotation();
        sheet.lines = (1..=count)
            .map(|i| line(&format!("Είδος {i}"), "1", "1", 24, "1"))
            .collect();
        let pages = layout(&sheet, &Metrics::new().unwrap());
        for page in &pages {
            for op in page {
                if let Op::Text { baseline, text, .. } = op {
                    let footer = text.starts_with("Σελίδα") || text.starts_with("Προσφορά ORD");
                    assert!(
                        footer || *baseline <= BOTTOM,
                        "{text:?} at {baseline} ({count} lines)"
                    );
                }
            }
        }
        // the summary's rows come after the last table row on the same or a later page
        let position = |needle: &str| {
            pages.iter().enumerate().find_map(|(p, ops)| {
                ops.iter().find_map(|op| match op {
                    Op::Text { baseline, text, .. } if text == needle => Some((p, *baseline)),
                    _ => None,
                })
            })
        };
        let last_row = position(&format!("Είδος {count}")).unwrap();
        let subtotal = position("Σύνολο").unwrap();
        assert!(
            subtotal.0 > last_row.0 || subtotal.1 > last_row.1,
            "{count} lines"
        );
    }
}

#[test]
fn nothing_is_drawn_outside_the_page_whatever_the_input() {
    let m = Metrics::new().unwrap();
    let long_word = "Α".repeat(5_000);
    let long_text = "καμπάνα ".repeat(700);
    let huge = Money::new(Decimal::MAX);
    let mut sheet = quotation();
    sheet.number = "ΠΑΡ/2026/١٢ \t\u{7}".to_owned();
    sheet.customer.name = long_word.clone();
    sheet.company.lines.push(long_text.clone());
    sheet.lines = vec![
        line(&long_text, "1", "1", 24, "1"),
        line(&long_word, "123456789.123456", "0.000001", 13, "-5"),
        Line {
            amount: huge,
            unit_price: huge,
            quantity: huge,
            ..line("", "0", "0", 0, "0")
        },
        line("emoji 🔔 and 中文", "1", "1", 6, "1"),
    ];
    sheet.lines[1].serials = vec![long_word.clone(), String::new()];
    sheet.lines[1].vat_exemption = Some(long_text.clone());
    sheet.total = huge;
    sheet.discount = Some((String::new(), huge));
    sheet.currency = "ΔΡΧ".to_owned();
    sheet.notes = Some(long_word.clone());
    for op in layout(&sheet, &m).iter().flatten() {
        match op {
            Op::Text {
                x,
                baseline,
                style,
                text,
            } => {
                let right = x + m.width(text, *style);
                assert!(
                    *x >= 0.0 && right <= PAGE_W - MARGIN + 0.01,
                    "{text:?} at {x}..{right}"
                );
                assert!(
                    *baseline >= TOP && *baseline <= PAGE_H - 20.0,
                    "{text:?} at {baseline}"
                );
            }
            Op::Rule { x1, x2, y } => assert!(*x1 >= 0.0 && *x2 <= PAGE_W && *y <= PAGE_H),
            Op::Shade { x, y, w, h } => assert!(x + w <= PAGE_W && y + h <= PAGE_H),
        }
    }
    let pdf = render(&sheet).unwrap();
    let text = pdftotext(&pdf).join("\n");
    assert_contains(&text, &["79.228.162.514", "ΔΡΧ"]);
}

#[test]
fn an_empty_sheet_renders() {
    let sheet = Sheet {
        kind: Kind::Quotation,
        number: String::new(),
        date: at("2026-01-01T00:00:00Z"),
        valid_until: None,
        company: Party::default(),
        customer: Party::default(),
        currency: String::new(),
        prices_include_vat: false,
        lines: Vec::new(),
        subtotal: Money::ZERO,
        discount: None,
        vat: Vec::new(),
        net_total: Money::ZERO,
        vat_total: Money::ZERO,
        total: Money::ZERO,
        notes: Some("  ".to_owned()),
    };
    let text = pdftotext(&render(&sheet).unwrap()).join("\n");
    assert_contains(
        &text,
        &[
            "Προσφορά",
            "Ημερομηνία: 01/01/2026",
            "Πληρωτέο",
            "0,00",
            "Σελίδα 1 από 1",
        ],
    );
    assert_eq!(file_name(&sheet), "Prosfora.pdf");
}

#[test]
fn numbers_are_printed_the_greek_way() {
    let cases: &[(&str, u32, u32, &str)] = &[
        ("1234.5", 2, 2, "1.234,50"),
        ("1234567.891", 2, 2, "1.234.567,89"),
        ("0.005", 2, 2, "0,01"),
        ("-0.004", 2, 2, "0,00"),
        ("-1234", 2, 2, "-1.234,00"),
        ("999.995", 2, 2, "1.000,00"),
        ("2.000", 0, 28, "2"),
        ("1.50", 0, 28, "1,5"),
        ("0.125", 0, 28, "0,125"),
        ("12.5", 2, 6, "12,50"),
        ("0.1234567", 2, 6, "0,123457"),
        ("100", 0, 28, "100"),
        ("1000", 0, 28, "1.000"),
    ];
    for (input, min, max, expected) in cases {
        assert_eq!(
            greek_number(money(input).as_decimal(), *min, *max),
            *expected,
            "{input}"
        );
    }
    assert_eq!(amount(money("1234.5"), "EUR"), "1.234,50 €");
    assert_eq!(amount(money("1234.5"), "USD"), "1.234,50 USD");
}

#[test]
fn dates_are_on_the_athens_calendar() {
    let cases = [
        ("2026-01-15T21:59:59Z", "15/01/2026"),
        ("2026-01-15T22:00:00Z", "16/01/2026"),
        // summer time starts on the last Sunday of March (29/03/2026) at 01:00 UTC
        ("2026-03-28T21:30:00Z", "28/03/2026"),
        ("2026-06-30T21:00:00Z", "01/07/2026"),
        // and ends on the last Sunday of October (25/10/2026) at 01:00 UTC
        ("2026-10-31T21:30:00Z", "31/10/2026"),
        ("2026-12-31T22:00:00Z", "01/01/2027"),
    ];
    for (utc, expected) in cases {
        assert_eq!(athens_date(at(utc)), expected, "{utc}");
    }
}

#[test]
fn file_names_are_ascii() {
    let mut sheet = quotation();
    assert_eq!(file_name(&sheet), "Prosfora-ORD-2026-001.pdf");
    sheet.kind = Kind::Confirmation;
    assert_eq!(file_name(&sheet), "Epivevaiosi-ORD-2026-001.pdf");
    sheet.number = "ΠΑΡ 1/\"x\"".to_owned();
    let name = file_name(&sheet);
    assert!(name.is_ascii() && !name.contains(['"', '/', ' ']), "{name}");
}
