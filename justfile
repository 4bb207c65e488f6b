# BellSystems CRM task catalog. Every recipe is a plain command: nothing here is required to
# build or test (the README's two commands work without `just`).

# Run the CRM (API on 127.0.0.1:8080, data in ./data)
run:
    cargo run --release

# The whole test suite, as CI runs it
test *args:
    ./scripts/test.sh {{args}}

# Fuzz the bridges' parsers for long (seconds per target; all targets, or those named), then
# merge what the runs found into fuzz/corpus/ to commit (docs/fuzzing.md)
fuzz secs="1800" *targets:
    ./scripts/fuzz.sh -t {{secs}} --merge {{targets}}

# Schemathesis over the whole API of target/debug/crm, with more examples than the test suite's
schemathesis examples="200" *args:
    ST_MAX_EXAMPLES={{examples}} ./scripts/schemathesis.sh {{args}}

# The deployment snippets (deploy/, docs/deploy.md): systemd-analyze verify, nginx -t, caddy validate
check-deploy:
    ./scripts/check-deploy.sh

# Format and lint
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

fmt:
    cargo fmt --all

# Every benchmark (figures go to docs/performance.md); ~25 minutes on 2 cores. First the
# headline HTTP figures as one table.
bench: bench-table bench-http bench-search bench-comms bench-bridges bench-proxy bench-slowloris bench-firestore bench-tickets bench-customers

# The headline HTTP figures (GET customer, POST comms with unique ids, the 100-entry comms page,
# customer search) as one table; `just bench-record` saves them as the baseline
bench-table:
    ./scripts/bench-table.sh

bench-record:
    ./scripts/bench-table.sh --record

# A short run of the same table against the recorded baseline: fails when a figure lost > 20 %
bench-check:
    ./scripts/bench-table.sh --check

# HTTP load with wrk on a seeded database: start-up, RSS, GET/POST customers, POST comms
bench-http:
    ./scripts/bench.sh

# Firestore (the emulator): crm store copy of 100,000 customers, GET customers on Firestore, search
bench-firestore:
    ./scripts/bench-firestore.sh
    bash -c 'eval "$(scripts/infra/start-firestore.sh)" && trap "RM=1 scripts/infra/stop-firestore.sh \"\$FIRESTORE_PIDFILE\"" EXIT && cargo bench -p crm-customers --bench search_firestore'

# The service desk: the ticket queue over 100,000 tickets in process, creating tickets over HTTP
bench-tickets:
    cargo bench -p crm-tickets --bench queue
    ./scripts/bench-tickets.sh

# CSV import of 100,000 rows (dry run and durable run) and the merge of a customer with
# 10,000 comms entries, in process
bench-customers:
    cargo bench -p crm-customers --bench import
    cargo bench -p crm-gateway --bench merge

# Customer search over 100,000 customers, in process
bench-search:
    cargo bench -p crm-customers --bench search

# Comms at 2,000,000 entries (ingest, latest page, search), the timeline on that database, then
# ingestion into a fresh one: 32 single-entry producers, and 2 producers of 1,000-entry batches
bench-comms:
    rm -rf target/bench-comms
    COMMS_BENCH_DIR=target/bench-comms cargo bench -p crm-comms --bench comms
    COMMS_BENCH_DIR=target/bench-comms cargo bench -p crm-gateway --bench timeline
    rm -rf target/bench-comms
    cargo bench -p crm-comms --bench ingest
    COMMS_INGEST_PRODUCERS=2 COMMS_INGEST_BATCH=1000 cargo bench -p crm-comms --bench ingest

# 1 GiB through the Nextcloud file proxy vs straight from WebDAV: throughput and peak RSS
bench-proxy:
    ./scripts/bench-proxy.sh

# 2,000 connections trickling requests at 1 byte/s (body, head, kept-alive head): /healthz latency
bench-slowloris:
    MODE=body ./scripts/bench-slowloris.sh
    MODE=head ./scripts/bench-slowloris.sh
    MODE=keepalive ./scripts/bench-slowloris.sh

# AMI correlation, e-mail parsing, IMAP sync (the bridge alone, then into the CRM), WebDAV listing (against local servers)
bench-bridges:
    cargo bench -p ami-bridge
    cargo bench -p mail-bridge --bench parse
    bash -c 'eval "$(scripts/infra/start-mail.sh)" && trap "RM=1 scripts/infra/stop-mail.sh \"\$MAIL_DIR\"" EXIT && cargo bench -p mail-bridge --bench fetch && cargo bench -p crm-gateway --bench mail_sync'
    bash -c 'eval "$(scripts/infra/start-webdav.sh)" && trap "RM=1 scripts/infra/stop-webdav.sh \"\$WEBDAV_PIDFILE\"" EXIT && cargo bench -p nextcloud-dav --bench list'

# The web console: first-page bundle size, and search-to-results time in Chromium over 100,000 customers
bench-console:
    ./scripts/bench-console.sh

# The web console with live reload on http://127.0.0.1:5173, its /api forwarded to `just run`
console-dev:
    cd apps/crm-console && npm run dev

# The web console's checks alone (needs target/debug/crm and WEBDAV_* from scripts/infra/start-webdav.sh)
console-check:
    apps/crm-console/scripts/check.sh

# Regenerate the console's API types after changing the API
console-types:
    cd apps/crm-console && npm run gen:api

# Create a local user (asks for the password)
user name perms="crm:view,crm:edit":
    cargo run --release -- user add {{name}} --permissions {{perms}}
