use clap::Parser;

fn main() -> anyhow::Result<()> {
    crm_gateway::cli::Cli::parse().run()
}
