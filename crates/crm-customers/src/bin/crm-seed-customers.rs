//! `crm-seed-customers DB_PATH N`: fills a CRM database with N realistic Greek customers
//! (deterministic) and prints their ids, one per line. For benchmarks and demos.

use std::io::Write;
use std::sync::Arc;

use crm_core::{Clock, Db, SystemClock};
use crm_customers::SqliteCustomerStore;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(n)) = (args.next(), args.next()) else {
        return Err("usage: crm-seed-customers DB_PATH N".into());
    };
    let n: usize = n.parse()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let db = Db::open(&path)?;
        let customers = crm_customers::seed::customers(n, 2026, Arc::new(SystemClock).now())?;
        let ids: Vec<String> = customers.iter().map(|c| c.id.to_string()).collect();
        SqliteCustomerStore::new(db).import(customers).await?;
        let mut out = std::io::stdout().lock();
        for id in ids {
            writeln!(out, "{id}")?;
        }
        Ok(())
    })
}
