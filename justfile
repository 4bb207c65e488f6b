# BellSystems CRM task catalog. Every recipe is a plain command: nothing here is required to
# build or test (the README's two commands work without `just`).

# Run the CRM (API on 127.0.0.1:8080, data in ./data)
run:
    cargo run --release

# The whole test suite, as CI runs it
test *args:
    ./scripts/test.sh {{args}}

# Format and lint
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

fmt:
    cargo fmt --all

# Benchmarks: in-process search, then HTTP load with wrk (figures go to docs/performance.md)
bench:
    ./scripts/bench.sh

# Create a local user (asks for the password)
user name perms="crm:view,crm:edit":
    cargo run --release -- user add {{name}} --permissions {{perms}}
