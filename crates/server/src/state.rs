//! Shared application state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use metrics_exporter_prometheus::PrometheusHandle;
use posdesk_storage::Store;

use crate::config::Config;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub metrics: Option<PrometheusHandle>,
    pub started: Instant,
    /// When each API token's `last_used_at` was last written by this process.
    pub token_touched: Arc<Mutex<HashMap<String, Instant>>>,
    /// Notifies the job runner that work was enqueued.
    pub jobs_wakeup: Arc<tokio::sync::Notify>,
    pub token_cache: Arc<crate::auth::TokenCache>,
    /// Each provider's calendar and SLA document (`service::tickets::sla_context`).
    pub sla_cache: Arc<crate::service::sla_cache::SlaCache>,
}

impl AppState {
    pub fn new(store: Store, config: Config, metrics: Option<PrometheusHandle>) -> Self {
        Self {
            store,
            config: Arc::new(config),
            metrics,
            started: Instant::now(),
            token_touched: Arc::default(),
            jobs_wakeup: Arc::default(),
            token_cache: Arc::default(),
            sla_cache: Arc::default(),
        }
    }
}
