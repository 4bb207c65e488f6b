//! The OpenAPI 3 document, generated from the handlers and the domain types, and the routes
//! that serve it (`/api/openapi.json`, the viewer at `/api/docs`), which need no token.

use actix_web::{HttpResponse, web};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    admin, auth, calls, comms, customers, email, imports, inbox, integrations, media, merges,
    nextcloud, orders, products, sales, system, tickets, visits, whatsapp, workflows,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "BellSystems CRM API",
        description = "Customers, products, orders, communications, the service desk, media and the files in Nextcloud. Errors are `{\"error\": {\"code\", \"message\", \"details\"}}`; single records carry an `ETag` to send back in `If-Match`."
    ),
    paths(
        system::health,
        auth::login, auth::me,
        admin::list, admin::create, admin::get, admin::update, admin::set_password, admin::delete,
        integrations::integrations, integrations::retry,
        products::list, products::get, products::create, products::update, products::delete,
        customers::list, customers::by_contact, customers::get, customers::create,
        customers::update, customers::add_note, customers::delete, customers::timeline,
        merges::duplicates, merges::merge_into, merges::history,
        imports::upload, imports::preview, imports::plan, imports::list, imports::get,
        imports::rows, imports::error_csv, imports::run, imports::cancel,
        orders::list, orders::get, orders::create, orders::update, orders::delete,
        orders::document, orders::serial,
        comms::list, comms::get, comms::create, comms::update, comms::delete, comms::search,
        comms::thread, inbox::inbox, inbox::assign, inbox::missed_calls,
        media::list, media::get, media::create, media::delete,
        nextcloud::browse, nextcloud::download, nextcloud::upload, nextcloud::delete,
        nextcloud::customer_media,
        whatsapp::verify, whatsapp::receive, whatsapp::send, whatsapp::window,
        calls::originate,
        email::send, email::status, email::sync,
        tickets::list, tickets::create, tickets::get, tickets::update, tickets::activities,
        tickets::notes, tickets::add_note, tickets::link_entry, tickets::from_entry,
        tickets::for_customer,
        visits::list_visits, visits::schedule, visits::update_visit, visits::macros,
        visits::create_macro, visits::update_macro,
        visits::delete_macro, visits::apply_macro, visits::add_tag, visits::remove_tag,
        visits::tags,
        sales::pipelines, sales::create_pipeline, sales::pipeline, sales::update_pipeline,
        sales::view, sales::list, sales::create, sales::get, sales::update, sales::move_stage,
        sales::history, sales::comms, sales::convert,
        workflows::list, workflows::catalogue, workflows::create, workflows::get, workflows::update,
        workflows::enable, workflows::disable, workflows::runs, workflows::start,
        workflows::run, workflows::retry, workflows::cancel,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Log in with a local user; who the caller is"),
        (name = "admin", description = "Users and the integrations' status (permission `crm:admin`)"),
        (name = "products", description = "Catalogue with costs and stock"),
        (name = "customers", description = "Parishes and people, their contacts and devices"),
        (name = "imports", description = "CSV import of customers: upload, map the columns, dry run, run in the background, the rows in error as CSV"),
        (name = "orders", description = "Orders with server-computed totals"),
        (name = "comms", description = "E-mail, WhatsApp, calls, SMS, notes and visits; the unassigned inbox"),
        (name = "media", description = "Records of files kept in Nextcloud"),
        (name = "nextcloud", description = "Files in the configured Nextcloud folder: browse, download (streamed), upload, delete"),
        (name = "whatsapp", description = "WhatsApp Cloud API: Meta's signed webhook, and sending"),
        (name = "email", description = "E-mail: send to a customer, the mailboxes' sync state, sync now"),
        (name = "tickets", description = "The service desk: tickets with a status workflow, on-site visits that use stock, notes, the activity stream, macros and tags"),
        (name = "sales", description = "The sales pipeline: pipelines with ordered stages, leads moved between them, their history and comms, conversion into a customer and a draft order"),
        (name = "workflows", description = "Workflow automation: versioned workflows started by CRM events, a schedule or by hand; runs with their per-node log, retry and cancel"),
        (name = "calls", description = "Click-to-call through the PBX (AMI Originate)"),
        (name = "system", description = "Health"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// RapiDoc 9.3.8 (MIT, `assets/rapidoc/`), shipped inside the binary: the viewer works
/// without internet access.
const RAPIDOC_JS: &[u8] = include_bytes!("../assets/rapidoc/rapidoc-min.js");

/// Where the viewer's script is served.
const RAPIDOC_PATH: &str = "/api/docs/rapidoc-min.js";

/// The viewer's page: RapiDoc's quick-start page with its script from this server.
const DOCS_HTML: &str = r#"<!doctype html>
<html>
  <head>
    <meta charset="utf-8">
    <title>BellSystems CRM API</title>
    <script type="module" src="/api/docs/rapidoc-min.js"></script>
  </head>
  <body>
    <rapi-doc spec-url="$specUrl"></rapi-doc>
  </body>
</html>
"#;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/openapi.json", web::get().to(serve))
        .route(RAPIDOC_PATH, web::get().to(rapidoc))
        .service(
            utoipa_rapidoc::RapiDoc::new("/api/openapi.json")
                .custom_html(DOCS_HTML)
                .path("/api/docs"),
        );
}

async fn rapidoc() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=86400",
        ))
        .body(RAPIDOC_JS)
}

async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(document())
}
