//! `TestApp`: the real router over a fresh database, driven in-process, with two providers whose
//! staff of every role, merchants, terminals and tokens are created through the real services.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use posdesk_core::authz::Role;
use posdesk_core::ids::{MerchantId, TenantId, TerminalId, UserId};
use posdesk_core::text::{DisplayName, Label, Login};
use posdesk_server::service::{self, Ctx, operator_principal};
use posdesk_server::{AppState, Config};
use posdesk_storage::repo::{merchants, terminals};
use posdesk_storage::{Location, Store};
use serde_json::Value;
use tower::ServiceExt;
use uuid::Uuid;

pub struct Tenant {
    pub id: TenantId,
    /// role → (user id, bearer token)
    pub users: HashMap<Role, (UserId, String)>,
    pub merchant: MerchantId,
    pub other_merchant: MerchantId,
    pub terminal: TerminalId,
    pub other_terminal: TerminalId,
}

pub struct TestApp {
    pub state: AppState,
    pub router: axum::Router,
    pub a: Tenant,
    pub b: Tenant,
    pub platform: (UserId, String),
    pub _dir: posdesk_storage::testing::TempDir,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl std::fmt::Debug for Resp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

pub fn err(e: posdesk_server::error::ApiError) -> String {
    format!("{e}")
}

impl TestApp {
    pub async fn new(loc: Location) -> Self {
        let dir = posdesk_storage::testing::TempDir::new();
        let store = Store::open(&loc).await.expect("open store");
        let mut cfg = Config::for_test(loc, dir.path.clone());
        cfg.run_jobs = false;
        let state = AppState::new(store, cfg, posdesk_server::metrics::install());
        let principal = operator_principal();
        let ctx = Ctx::operator(&state, &principal, "test");
        let platform_user = service::users::create(
            &ctx,
            new_user(None, "platform.root", Role::PlatformAdmin, None, None),
        )
        .await
        .map_err(err)
        .unwrap();
        let platform = (
            platform_user.id,
            token(&state, platform_user.id, Role::PlatformAdmin).await,
        );
        let a = tenant(&state, "a").await;
        let b = tenant(&state, "b").await;
        let router = posdesk_server::router(state.clone());
        Self {
            state,
            router,
            a,
            b,
            platform,
            _dir: dir,
        }
    }

    pub fn token(&self, tenant: &Tenant, role: Role) -> String {
        if role == Role::PlatformAdmin {
            return self.platform.1.clone();
        }
        tenant.users[&role].1.clone()
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        self.call_with(
            method,
            path,
            token,
            body.map(|b| b.to_string().into_bytes()),
            &[],
        )
        .await
    }

    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let has_body = body.is_some();
        if has_body
            && !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            req = req.header("content-type", "application/json");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        Resp {
            status,
            headers,
            body,
        }
    }

    /// A call with a JSON body, or a raw body with its content type.
    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        json: Option<Value>,
        raw: Option<(Vec<u8>, &str)>,
    ) -> Resp {
        match raw {
            Some((bytes, ct)) => {
                self.call_with(
                    method,
                    path,
                    Some(token),
                    Some(bytes),
                    &[("content-type", ct)],
                )
                .await
            }
            None => self.call(method, path, Some(token), json).await,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Number of rows in a table (to prove nothing changed).
    pub async fn count(&self, table: &'static str) -> i64 {
        self.state
            .store
            .read(move |c| {
                Box::pin(async move {
                    c.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])
                        .await?
                        .int(0)
                })
            })
            .await
            .unwrap()
    }
}

pub fn new_user(
    tenant: Option<TenantId>,
    login: &str,
    role: Role,
    merchant: Option<MerchantId>,
    terminal: Option<TerminalId>,
) -> service::users::NewUser {
    service::users::NewUser {
        provider: tenant,
        login: Login::parse("login", login).unwrap(),
        display_name: DisplayName::parse("name", "测试用户").unwrap(),
        email: None,
        role,
        merchant,
        terminal,
        password: None,
        locale: Default::default(),
    }
}

pub async fn token(state: &AppState, user: UserId, role: Role) -> String {
    let principal = operator_principal();
    let ctx = Ctx::operator(state, &principal, "test");
    service::tokens::issue_for(
        &ctx,
        user,
        Label::parse("name", "test").unwrap(),
        role,
        None,
    )
    .await
    .map_err(err)
    .unwrap()
    .secret
}

async fn tenant(state: &AppState, tag: &str) -> Tenant {
    let principal = operator_principal();
    let ctx = Ctx::operator(state, &principal, "test");
    let p = service::providers::create(
        &ctx,
        service::providers::NewProvider {
            name: DisplayName::parse("name", &format!("服务商{tag}")).unwrap(),
            short_name: Label::parse("short", tag).unwrap(),
            uscc: None,
            hotline: None,
        },
    )
    .await
    .map_err(err)
    .unwrap();
    let t = p.id;
    let mut ids = Vec::new();
    for (i, suffix) in ["1", "2"].iter().enumerate() {
        let m = ctx
            .write(
                ctx.meta(),
                merchants::CreateMerchant {
                    id: MerchantId::from_uuid(Uuid::now_v7()),
                    tenant: t,
                    name: format!("商户{tag}{suffix}"),
                    mid: format!("10233015812{:04}", i + if tag == "a" { 0 } else { 10 }),
                    contact_name: None,
                    contact_phone: None,
                    address: None,
                    registry: None,
                },
            )
            .await
            .map_err(err)
            .unwrap();
        let term = ctx
            .write(
                ctx.meta(),
                terminals::CreateTerminal {
                    id: TerminalId::from_uuid(Uuid::now_v7()),
                    tenant: t,
                    merchant: Some(m.id),
                    sn: format!("SN-TEST-{tag}{suffix}").to_uppercase(),
                    tid: Some(format!("T{tag}{suffix}00000")[..8].to_uppercase()),
                    model: "A920".into(),
                    manufacturer: "百富".into(),
                    firmware: None,
                    status: "active".into(),
                },
            )
            .await
            .map_err(err)
            .unwrap();
        ids.push((m.id, term.id));
    }
    let mut users = HashMap::new();
    for role in Role::ALL.into_iter().filter(|r| *r != Role::PlatformAdmin) {
        let (merchant, terminal) = match role {
            Role::MerchantUser => (Some(ids[0].0), None),
            Role::TerminalAgent => (None, Some(ids[0].1)),
            _ => (None, None),
        };
        let u = service::users::create(
            &ctx,
            new_user(
                Some(t),
                &format!("{tag}.{}", role.code()),
                role,
                merchant,
                terminal,
            ),
        )
        .await
        .map_err(err)
        .unwrap();
        users.insert(role, (u.id, token(state, u.id, role).await));
    }
    Tenant {
        id: t,
        users,
        merchant: ids[0].0,
        other_merchant: ids[1].0,
        terminal: ids[0].1,
        other_terminal: ids[1].1,
    }
}

/// Generates `name::sqlite` and `name::postgres` tests around `async fn name(app: TestApp)`.
#[macro_export]
macro_rules! app_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (loc, _dir) = posdesk_storage::testing::sqlite();
                super::$name($crate::helpers::TestApp::new(loc).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(loc) = posdesk_storage::testing::postgres().await {
                    super::$name($crate::helpers::TestApp::new(loc).await).await;
                }
            }
        }
    )*};
}

/// The audit actions recorded about one entity, oldest first.
pub async fn audit_actions(app: &TestApp, entity: &str) -> Vec<String> {
    let entity = entity.to_owned();
    app.state
        .store
        .read(move |c| {
            Box::pin(async move {
                let rows = c
                    .query(
                        "SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY at, seq",
                        &[posdesk_storage::Value::from(entity)],
                    )
                    .await?;
                rows.iter().map(|r| r.text(0)).collect()
            })
        })
        .await
        .unwrap()
}
