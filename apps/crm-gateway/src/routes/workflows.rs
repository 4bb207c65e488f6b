//! Workflow automation: workflows and their versions, enabling, a manual (test) run with
//! input, runs with their per-node log, retry and cancel. What the engine wires and what not
//! yet: `channels::workflows`.

use actix_web::{HttpRequest, HttpResponse, web};
use crm_workflows::{Definition, Outputs as _, Run, Step, Workflow};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Editor, Viewer};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/workflows", "/workflows/"])
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(web::resource("/workflows/catalogue").route(web::get().to(catalogue)))
    .service(
        web::resource("/workflows/{id}")
            .route(web::get().to(get))
            .route(web::put().to(update)),
    )
    .service(web::resource("/workflows/{id}/enable").route(web::post().to(enable)))
    .service(web::resource("/workflows/{id}/disable").route(web::post().to(disable)))
    .service(
        web::resource("/workflows/{id}/runs")
            .route(web::get().to(runs))
            .route(web::post().to(start)),
    )
    .service(web::resource("/workflow-runs/{id}").route(web::get().to(run)))
    .service(web::resource("/workflow-runs/{id}/retry").route(web::post().to(retry)))
    .service(web::resource("/workflow-runs/{id}/cancel").route(web::post().to(cancel)));
}

/// A new workflow: a name and its first version.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkflow {
    pub name: String,
    pub definition: Definition,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkflowList {
    workflows: Vec<Workflow>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunList {
    runs: Vec<Run>,
}

/// A run with its per-node log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunDetail {
    #[serde(flatten)]
    run: Run,
    steps: Vec<Step>,
}

/// The trigger data of a manual run: an object (what `trigger.…` reads), `{}` when absent.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualRun {
    #[serde(default)]
    #[schema(value_type = Object)]
    pub input: serde_json::Map<String, serde_json::Value>,
}

/// The triggers, events and node kinds with their fields, and the kinds this server cannot
/// run now with why (AI nodes without `CRM_LLM_URL`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CatalogueView {
    #[serde(flatten)]
    catalogue: crm_workflows::Catalogue,
    unavailable: std::collections::BTreeMap<String, String>,
}

/// How many runs a list shows.
const RUNS_SHOWN: u32 = 200;

/// Every workflow with its current version.
#[utoipa::path(get, path = "/api/crm/workflows", tag = "workflows", security(("bearer" = [])),
    responses((status = 200, body = WorkflowList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn list(
    _: Viewer,
    state: web::Data<AppState>,
) -> Result<web::Json<WorkflowList>, ApiError> {
    let workflows = state.workflows.store().workflows().await?;
    Ok(web::Json(WorkflowList { workflows }))
}

/// What a workflow can be made of: the console builds its forms from it.
#[utoipa::path(get, path = "/api/crm/workflows/catalogue", tag = "workflows",
    security(("bearer" = [])),
    responses((status = 200, body = CatalogueView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn catalogue(_: Viewer, state: web::Data<AppState>) -> web::Json<CatalogueView> {
    let catalogue = crm_workflows::catalogue();
    let unavailable = catalogue
        .nodes
        .iter()
        .filter_map(|n| Some((n.kind.clone(), state.workflows.outputs().refuse(&n.kind)?)))
        .collect();
    web::Json(CatalogueView {
        catalogue,
        unavailable,
    })
}

/// Save a new workflow, disabled, at version 1; a definition that breaks a rule is a 422
/// naming the node's field (`definition.nodes[2].config.condition`).
#[utoipa::path(post, path = "/api/crm/workflows", tag = "workflows", request_body = NewWorkflow,
    security(("bearer" = [])),
    responses((status = 201, body = Workflow), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 422, description = "a field refused, named in `details`", body = ErrorBody)))]
pub async fn create(
    _: Editor,
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(new): Json<NewWorkflow>,
) -> Result<HttpResponse, ApiError> {
    let w = state
        .workflows
        .create(&new.name, new.definition)
        .await
        .map_err(in_definition)?;
    let location = format!("{}/{}", req.path().trim_end_matches('/'), w.id);
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .json(w))
}

/// A definition's field named from the request's root (`definition.nodes[0]…`).
fn in_definition(e: crm_core::Error) -> crm_core::Error {
    match e {
        crm_core::Error::Invalid { field, reason } if field != "name" => crm_core::Error::Invalid {
            field: format!("definition.{field}"),
            reason,
        },
        e => e,
    }
}

/// One workflow with its current version.
#[utoipa::path(get, path = "/api/crm/workflows/{id}", tag = "workflows",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Workflow), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Workflow>, ApiError> {
    Ok(web::Json(state.workflows.store().workflow(*id).await?))
}

/// Save an edited definition as the next version; runs already started keep theirs.
#[utoipa::path(put, path = "/api/crm/workflows/{id}", tag = "workflows", request_body = Definition,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Workflow), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, description = "a field refused, named in `details`", body = ErrorBody)))]
pub async fn update(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(definition): Json<Definition>,
) -> Result<web::Json<Workflow>, ApiError> {
    Ok(web::Json(state.workflows.update(*id, definition).await?))
}

/// Enable a workflow: its event or schedule starts runs.
#[utoipa::path(post, path = "/api/crm/workflows/{id}/enable", tag = "workflows",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Workflow), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn enable(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Workflow>, ApiError> {
    Ok(web::Json(state.workflows.set_enabled(*id, true).await?))
}

/// Disable a workflow: nothing starts its runs but a manual run.
#[utoipa::path(post, path = "/api/crm/workflows/{id}/disable", tag = "workflows",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = Workflow), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn disable(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Workflow>, ApiError> {
    Ok(web::Json(state.workflows.set_enabled(*id, false).await?))
}

/// A workflow's runs, newest first (the latest 200).
#[utoipa::path(get, path = "/api/crm/workflows/{id}/runs", tag = "workflows",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = RunList), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn runs(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<RunList>, ApiError> {
    let store = state.workflows.store();
    store.workflow(*id).await?;
    let runs = store.runs(*id, RUNS_SHOWN).await?;
    Ok(web::Json(RunList { runs }))
}

/// Run the workflow's current version now with `input` as its trigger data, enabled or not
/// (a test run); answers the run once it ended or waits, with its steps. Its outputs act.
#[utoipa::path(post, path = "/api/crm/workflows/{id}/runs", tag = "workflows",
    request_body = ManualRun, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 201, body = RunDetail), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, description = "a field refused, named in `details`", body = ErrorBody)))]
pub async fn start(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(manual): Json<ManualRun>,
) -> Result<HttpResponse, ApiError> {
    let input = serde_json::Value::Object(manual.input);
    let run = state.workflows.start(*id, input, 0).await?;
    Ok(HttpResponse::Created().json(detail(&state, run).await?))
}

async fn detail(state: &AppState, run: Run) -> Result<RunDetail, ApiError> {
    let steps = state.workflows.store().steps(run.id).await?;
    Ok(RunDetail { run, steps })
}

/// One run with its per-node log (input, output, error, duration).
#[utoipa::path(get, path = "/api/crm/workflow-runs/{id}", tag = "workflows",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = RunDetail), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn run(
    _: Viewer,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<RunDetail>, ApiError> {
    let run = state.workflows.store().run(*id).await?;
    Ok(web::Json(detail(&state, run).await?))
}

/// Retry a failed run from the node it failed at; an output it already performed is not
/// repeated. A run that did not fail is a 409.
#[utoipa::path(post, path = "/api/crm/workflow-runs/{id}/retry", tag = "workflows",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = RunDetail), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the run did not fail", body = ErrorBody)))]
pub async fn retry(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<RunDetail>, ApiError> {
    let run = state.workflows.retry(*id).await?;
    Ok(web::Json(detail(&state, run).await?))
}

/// Cancel a running or waiting run: it takes no further step. One that ended is a 409.
#[utoipa::path(post, path = "/api/crm/workflow-runs/{id}/cancel", tag = "workflows",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = RunDetail), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the run already ended", body = ErrorBody)))]
pub async fn cancel(
    _: Editor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<RunDetail>, ApiError> {
    let run = state.workflows.cancel(*id).await?;
    Ok(web::Json(detail(&state, run).await?))
}
