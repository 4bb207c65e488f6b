//! Prints the gateway's OpenAPI document (the one served at `/api/openapi.json`) as JSON.
//!
//! The console generates its API types from it (`apps/crm-console/scripts/gen-api.mjs`):
//!
//! ```sh
//! cargo run -q -p crm-gateway --example openapi > openapi.json
//! ```

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let json = crm_gateway::openapi::document()
        .to_pretty_json()
        .context("serialising the OpenAPI document")?;
    println!("{json}");
    Ok(())
}
