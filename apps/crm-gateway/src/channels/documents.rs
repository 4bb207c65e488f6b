//! The printed documents of an order — quotation and order confirmation — made from the
//! order, its customer and the company of the configuration (`[company]`).

use crm_customers::model::ContactType;
use crm_customers::{Customer, Customers as _};
use crm_orders::document::{self, Kind, Party, Sheet};
use crm_orders::{Order, Orders as _};
use uuid::Uuid;

use crate::channels::ChannelError;
use crate::config::CompanyConfig;
use crate::state::AppState;

/// A rendered document: its file name (ASCII) and the PDF.
#[derive(Debug)]
pub struct Rendered {
    pub file_name: String,
    pub pdf: Vec<u8>,
    /// The order it was made from.
    pub order: Order,
}

/// The PDF of order `id` as `kind` (by default: a quotation while it is a draft, else a
/// confirmation). An unknown order is `NotFound` from the orders context.
pub async fn order_document(
    state: &AppState,
    id: Uuid,
    kind: Option<Kind>,
) -> Result<Rendered, ChannelError> {
    let order = state.orders.get(id).await?;
    let customer = state.customers.get(order.customer_id).await?;
    let kind = kind.unwrap_or_else(|| Kind::for_status(order.status));
    let sheet = Sheet::of_order(
        &order,
        kind,
        issuer(&state.company),
        addressee(&customer),
        state.company.quotation_valid_days,
    );
    // layout and font subsetting take milliseconds of CPU: off the request threads
    let (file_name, pdf) = tokio::task::spawn_blocking(move || {
        let pdf = document::render(&sheet);
        (document::file_name(&sheet), pdf)
    })
    .await
    .map_err(|e| ChannelError::Internal(format!("the document task failed: {e}")))?;
    let pdf = pdf.map_err(|e| ChannelError::Internal(format!("cannot render the PDF: {e}")))?;
    Ok(Rendered {
        file_name,
        pdf,
        order,
    })
}

/// The company block: name, then address lines, ΑΦΜ / ΔΟΥ, phone, e-mail, web site.
fn issuer(company: &CompanyConfig) -> Party {
    let mut lines: Vec<String> = company
        .address
        .iter()
        .flat_map(|a| a.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let tax = [
        company.vat_number.as_deref().map(|n| format!("ΑΦΜ {n}")),
        company.tax_office.as_deref().map(|o| format!("ΔΟΥ {o}")),
    ];
    let tax: Vec<String> = tax.into_iter().flatten().collect();
    if !tax.is_empty() {
        lines.push(tax.join(" · "));
    }
    lines.extend(company.phone.as_deref().map(|p| format!("Τηλ. {p}")));
    lines.extend(company.email.clone());
    lines.extend(company.website.clone());
    Party {
        name: company.name.clone(),
        lines,
    }
}

/// The customer block: name, organisation, place, the primary (else first) phone and e-mail.
fn addressee(customer: &Customer) -> Party {
    let mut lines = Vec::new();
    lines.extend(
        customer
            .organization
            .clone()
            .filter(|o| *o != customer.name),
    );
    let place: Vec<&str> = [&customer.location.city, &customer.location.region]
        .into_iter()
        .filter_map(|p| p.as_deref())
        .collect();
    if !place.is_empty() {
        lines.push(place.join(", "));
    }
    for kind in [ContactType::Phone, ContactType::Email] {
        let of_kind = || customer.contacts.iter().filter(|c| c.kind == kind);
        if let Some(c) = of_kind().find(|c| c.primary).or_else(|| of_kind().next()) {
            lines.push(match kind {
                ContactType::Phone => format!("Τηλ. {}", c.value),
                _ => c.value.clone(),
            });
        }
    }
    Party {
        name: customer.name.clone(),
        lines,
    }
}
