//! The one way an entry enters the comms log, whichever channel brings it, and the one way a
//! customer a request names is found.

use crm_comms::{Comms as _, Ingested, NewEntry};
use crm_customers::Customers as _;

use super::ChannelError;
use crate::state::AppState;

/// Ingests an entry the way every channel does: an entry without a customer is matched by
/// its sender's contact first, and kept in the inbox when nobody has it. An attachment's
/// Nextcloud path follows the same rules as every Nextcloud path, in its normal form.
pub async fn intake(state: &AppState, mut new: NewEntry) -> Result<Ingested, ChannelError> {
    for (i, a) in new.attachments.iter_mut().enumerate() {
        if let Some(raw) = &a.nextcloud_path {
            let field = format!("attachments[{i}].nextcloud_path");
            a.nextcloud_path = Some(
                super::files::parse_file_path(&field, raw)?
                    .as_str()
                    .to_owned(),
            );
        }
    }
    if new.customer_id.is_none()
        && let Some(sender) = new.sender.as_deref()
        && let Some(customer) = state.customers.find_by_contact(sender).await?
    {
        new.customer_id = Some(customer.id);
    }
    Ok(state.comms.ingest(new).await?)
}

/// A customer named in a request (not in its path): one that does not exist is refused on
/// `customer_id`, since the request names it as a value.
pub async fn referenced_customer(
    state: &AppState,
    id: uuid::Uuid,
) -> Result<crm_customers::Customer, ChannelError> {
    match state.customers.get(id).await {
        Err(crm_customers::Error::NotFound { .. }) => Err(ChannelError::invalid(
            "customer_id",
            format!("no customer has the id {id}"),
        )),
        other => Ok(other?),
    }
}
