use clap::Parser;

fn main() -> anyhow::Result<()> {
    // before any thread touches SQLite: see crm_core::db's page cache
    crm_core::db::install_page_cache();
    crm_gateway::cli::Cli::parse().run()
}
