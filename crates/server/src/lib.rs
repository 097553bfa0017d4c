//! posdesk server: the HTTP JSON API (`api`), the server-rendered web UI (`web`), background
//! jobs (`jobs`), over application services (`service`) that own authorisation and call
//! storage. Architecture invariant: no SQL here; domain rules live in `posdesk-core`.

pub mod api;
pub mod auth;
pub mod config;
pub mod demo;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod metrics;
pub mod service;
pub mod state;
pub mod web;

use std::net::SocketAddr;

use axum::Router;
use posdesk_storage::Store;

pub use config::Config;
pub use state::AppState;

/// The whole application as a router (tests drive it in-process or on a port).
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    Router::new()
        .merge(api::router())
        .merge(web::router())
        .fallback(api::system::not_found)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(state.clone(), announce_writes))
        .layer(axum::middleware::from_fn_with_state(state, metrics::track))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(tower_http::request_id::MakeRequestUuid))
}

/// Tells the store that a state-changing request is on its way, so the SQLite writer can let it
/// join the commit it is about to make (group commit under concurrent load).
async fn announce_writes(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::Method;
    if matches!(
        *req.method(),
        Method::POST | Method::PATCH | Method::PUT | Method::DELETE
    ) {
        state.store.announce_write(next.run(req)).await
    } else {
        next.run(req).await
    }
}

/// A running server: its address and a handle to stop it.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
    }
}

/// Opens the store (applying migrations), starts the job runner and serves HTTP.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let store = Store::open(&config.database).await?;
    start_with_store(store, config).await
}

pub async fn start_with_store(store: Store, config: Config) -> anyhow::Result<Running> {
    use axum::serve::ListenerExt;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    // Small JSON answers go out at once (no Nagle delay behind a delayed ACK).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "TCP_NODELAY");
        }
    });
    let state = AppState::new(store, config, metrics::install());
    if state.config.run_jobs {
        jobs::spawn(state.clone());
    }
    let app = router(state.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.await;
        })
        .await
    });
    Ok(Running {
        addr,
        state,
        shutdown: Some(tx),
        task,
    })
}
