//! The storage contract, run on both engines: what every repository caller relies on.

use posdesk_core::authz::{Role, Scope};
use posdesk_core::ids::{AnnouncementId, TenantId, UserId};
use posdesk_core::lifecycle::Audience;
use posdesk_core::page::PageRequest;
use posdesk_core::text::{Body, DisplayName, Label, Login, Title};
use posdesk_storage::repo::{announcements, audit, jobs, providers, users};
use posdesk_storage::{Actor, Error, IdemTag, Location, Store, WriteMeta, both_backends};
use uuid::Uuid;

fn meta() -> WriteMeta {
    WriteMeta::new(Actor::system("test"), "req-test")
}

async fn provider(store: &Store, name: &str) -> TenantId {
    let id = TenantId::from_uuid(Uuid::now_v7());
    store
        .write(
            meta(),
            providers::CreateProvider {
                id,
                name: DisplayName::parse("name", name).unwrap(),
                short_name: Label::parse("short_name", name).unwrap(),
                uscc: None,
                hotline: Some("400-800-0000".into()),
            },
        )
        .await
        .unwrap();
    id
}

fn new_announcement(tenant: TenantId, title: &str) -> announcements::CreateAnnouncement {
    announcements::CreateAnnouncement {
        id: AnnouncementId::from_uuid(Uuid::now_v7()),
        tenant,
        title: Title::parse("title", title).unwrap(),
        body: Body::parse("body", "春节期间服务时间调整").unwrap(),
        audience: Audience::Merchants,
        publish: false,
    }
}

async fn schema_is_identical_on_both_engines(loc: Location) {
    let store = Store::open(&loc).await.unwrap();
    let cols = store
        .read(|c| Box::pin(async move { posdesk_storage::migrate::columns(c).await }))
        .await
        .unwrap();
    // The expected schema is the SQLite one; this test runs on both, so both must equal it.
    let (sqlite_loc, _dir) = posdesk_storage::testing::sqlite();
    let reference = Store::open(&sqlite_loc).await.unwrap();
    let expected = reference
        .read(|c| Box::pin(async move { posdesk_storage::migrate::columns(c).await }))
        .await
        .unwrap();
    assert_eq!(cols, expected);
    assert!(cols.iter().any(|(t, c)| t == "audit_events" && c == "hash"));
    // Every table is in the backup (a new table left out would be silently lost on restore).
    let tables: std::collections::BTreeSet<&str> = cols
        .iter()
        .map(|(t, _)| t.as_str())
        .filter(|t| *t != "schema_migrations")
        .collect();
    let backed_up: std::collections::BTreeSet<&str> = posdesk_storage::backup::TABLES
        .iter()
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(tables, backed_up, "backup::TABLES must list every table");
    // Reopening applies nothing twice.
    drop(store);
    let again = Store::open(&loc).await.unwrap();
    let n = again
        .read(|c| {
            Box::pin(async move {
                c.query_one("SELECT COUNT(*) FROM schema_migrations", &[])
                    .await?
                    .int(0)
            })
        })
        .await
        .unwrap();
    assert_eq!(n, posdesk_storage::migrate::MIGRATIONS.len() as i64);
}

async fn concurrent_writes_chain_without_gaps(loc: Location) {
    let store = Store::open(&loc).await.unwrap();
    let t = provider(&store, "银联商务测试").await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.write(meta(), new_announcement(t, &format!("公告 {i}")))
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let reports = store
        .read(|c| Box::pin(async move { audit::verify_all(c).await }))
        .await
        .unwrap();
    let tenant_chain = reports.iter().find(|r| r.chain == t.to_string()).unwrap();
    assert_eq!(
        tenant_chain.events, 201,
        "provider creation + 200 announcements"
    );
    assert!(reports.iter().all(|r| r.result.is_ok()), "{reports:?}");
}

async fn a_failing_mutation_does_not_take_its_batch_down(loc: Location) {
    let store = Store::open(&loc).await.unwrap();
    let t = provider(&store, "拉卡拉测试").await;
    let dup = Login::parse("login", "dup.user").unwrap();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let s = store.clone();
        let login = if i % 2 == 0 {
            dup.clone()
        } else {
            Login::parse("login", &format!("user{i}")).unwrap()
        };
        tasks.push(tokio::spawn(async move {
            s.write(
                meta(),
                users::CreateUser {
                    id: UserId::from_uuid(Uuid::now_v7()),
                    scope: Scope::Platform,
                    tenant: Some(t),
                    login,
                    display_name: DisplayName::parse("n", "张三").unwrap(),
                    email: None,
                    role: Role::Agent,
                    merchant: None,
                    terminal: None,
                    password_hash: None,
                    locale: "zh-CN".into(),
                },
            )
            .await
        }));
    }
    let mut ok = 0;
    let mut dupes = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(Error::Unique { columns }) => {
                assert_eq!(columns, "login");
                dupes += 1
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((ok, dupes), (11, 9));
    let page = store
        .read(move |c| {
            Box::pin(async move {
                users::list(
                    c,
                    &Scope::Tenant(t),
                    &users::Filter::default(),
                    &PageRequest::first(100),
                )
                .await
            })
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 11);
    let reports = store
        .read(|c| Box::pin(async move { audit::verify_all(c).await }))
        .await
        .unwrap();
    assert!(reports.iter().all(|r| r.result.is_ok()));
    let chain = reports.iter().find(|r| r.chain == t.to_string()).unwrap();
    assert_eq!(chain.events, 12, "failed creates leave no audit event");
}

async fn idempotent_writes_store_one_response(loc: Location) {
    let store = Store::open(&loc).await.unwrap();
    let t = provider(&store, "通联测试").await;
    let tag = IdemTag {
        scope: "u1".into(),
        key: "k1".into(),
        fingerprint: "f".into(),
        status: 201,
    };
    let first = store
        .write(
            meta().with_idempotency(Some(tag.clone())),
            new_announcement(t, "一"),
        )
        .await
        .unwrap();
    let second = store
        .write(
            meta().with_idempotency(Some(tag)),
            new_announcement(t, "二"),
        )
        .await;
    assert_eq!(second.unwrap_err(), Error::IdempotencyReplay);
    let stored = store
        .read(|c| {
            Box::pin(async move { posdesk_storage::repo::idempotency::find(c, "u1", "k1").await })
        })
        .await
        .unwrap()
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&stored.body).unwrap();
    assert_eq!(body["id"], first.id.to_string());
    let n = store
        .read(move |c| {
            Box::pin(async move {
                announcements::list(c, &Scope::Tenant(t), None, &PageRequest::first(10)).await
            })
        })
        .await
        .unwrap()
        .items
        .len();
    assert_eq!(n, 1);
}

async fn jobs_are_claimed_once_even_by_two_stores(loc: Location) {
    let a = Store::open(&loc).await.unwrap();
    let b = Store::open(&loc).await.unwrap();
    struct Enqueue(usize);
    impl posdesk_storage::Mutation for Enqueue {
        type Output = ();
        fn apply<'a>(
            &'a self,
            c: &'a mut dyn posdesk_storage::Conn,
            ctx: &'a posdesk_storage::Ctx,
        ) -> futures::future::BoxFuture<'a, posdesk_storage::Result<posdesk_storage::Applied<()>>>
        {
            Box::pin(async move {
                for i in 0..self.0 {
                    let j = jobs::NewJob {
                        id: format!("job-{i}"),
                        tenant: None,
                        kind: "noop".into(),
                        payload: serde_json::json!({"i": i}),
                        run_at: ctx.now,
                        max_attempts: 3,
                    };
                    jobs::enqueue(c, &j, ctx.now).await?;
                }
                Ok(posdesk_storage::Applied::unaudited(()))
            })
        }
    }
    a.write(meta(), Enqueue(100)).await.unwrap();
    let mut tasks = Vec::new();
    for w in 0..6 {
        let s = if w % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let claimed = s
                    .write(
                        meta(),
                        jobs::Claim {
                            worker: format!("w{w}"),
                            limit: 7,
                            lease_ms: 60_000,
                        },
                    )
                    .await
                    .unwrap();
                if claimed.is_empty() {
                    break;
                }
                got.extend(claimed.into_iter().map(|j| j.id));
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(before, 100, "every job claimed");
    assert_eq!(all.len(), 100, "no job claimed twice");
}

async fn tampering_is_detected(loc: Location) {
    let store = Store::open(&loc).await.unwrap();
    let t = provider(&store, "篡改测试").await;
    for i in 0..5 {
        store
            .write(meta(), new_announcement(t, &format!("公告{i}")))
            .await
            .unwrap();
    }
    // The table refuses edits...
    let chain = t.to_string();
    let ch = chain.clone();
    let refused = store
        .write(
            meta(),
            RawSql(format!(
                "UPDATE audit_events SET actor = 'x' WHERE chain = '{ch}' AND seq = 3"
            )),
        )
        .await;
    assert!(refused.is_err(), "audit events must be append-only");
    // ...and if someone bypasses that (drops the trigger), verification finds it.
    let bypass = match store.dialect() {
        posdesk_storage::Dialect::Sqlite => "DROP TRIGGER audit_events_no_update".to_owned(),
        posdesk_storage::Dialect::Postgres => {
            "DROP TRIGGER audit_events_no_update ON audit_events".to_owned()
        }
    };
    store.write(meta(), RawSql(bypass)).await.unwrap();
    store
        .write(
            meta(),
            RawSql(format!(
                "UPDATE audit_events SET actor = 'x' WHERE chain = '{chain}' AND seq = 3"
            )),
        )
        .await
        .unwrap();
    let reports = store
        .read(|c| Box::pin(async move { audit::verify_all(c).await }))
        .await
        .unwrap();
    let r = reports.iter().find(|r| r.chain == chain).unwrap();
    assert!(
        matches!(
            r.result,
            Err(posdesk_core::audit::ChainBreak::Content { seq: 3, .. })
        ),
        "{:?}",
        r.result
    );
}

async fn backup_restores_into_an_empty_database(loc: Location) {
    let store = Store::open(&loc).await.unwrap();
    let t = provider(&store, "备份测试").await;
    store
        .write(meta(), new_announcement(t, "备份前"))
        .await
        .unwrap();
    let dir = posdesk_storage::testing::TempDir::new();
    let file = dir.path.join("backup.jsonl");
    let rows = posdesk_storage::backup::dump(&store, file.clone())
        .await
        .unwrap();
    assert!(rows >= 5);
    // Restore into a fresh SQLite database whatever the source engine was.
    let (target_loc, _d) = posdesk_storage::testing::sqlite();
    let target = Store::open(&target_loc).await.unwrap();
    assert_eq!(
        posdesk_storage::backup::load(&target, file.clone())
            .await
            .unwrap(),
        rows
    );
    let reports = target
        .read(|c| Box::pin(async move { audit::verify_all(c).await }))
        .await
        .unwrap();
    assert!(reports.iter().all(|r| r.result.is_ok()) && !reports.is_empty());
    let list = target
        .read(move |c| {
            Box::pin(async move {
                announcements::list(c, &Scope::Tenant(t), None, &PageRequest::first(5)).await
            })
        })
        .await
        .unwrap();
    assert_eq!(list.items[0].title, "备份前");
    // A non-empty database refuses a restore and keeps what it has.
    assert!(matches!(
        posdesk_storage::backup::load(&target, file).await,
        Err(Error::Rejected(_))
    ));
}

async fn scopes_confine_reads(loc: Location) {
    let store = Store::open(&loc).await.unwrap();
    let a = provider(&store, "甲").await;
    let b = provider(&store, "乙").await;
    let ann = store
        .write(meta(), new_announcement(a, "甲的公告"))
        .await
        .unwrap();
    let id = ann.id;
    let other = store
        .read(move |c| Box::pin(async move { announcements::get(c, &Scope::Tenant(b), id).await }))
        .await;
    assert_eq!(other.unwrap_err(), Error::NotFound);
    let own = store
        .read(move |c| Box::pin(async move { announcements::get(c, &Scope::Tenant(a), id).await }))
        .await;
    assert!(own.is_ok());
    let pb = store
        .read(move |c| Box::pin(async move { providers::list(c, &Scope::Tenant(b)).await }))
        .await
        .unwrap();
    assert_eq!(pb.len(), 1);
    assert_eq!(pb[0].id, b);
}

async fn a_failing_held_back_insert_fails_only_its_own_request(loc: Location) {
    let store = Store::open(&loc).await.unwrap();
    let t = provider(&store, "流水线测试").await;
    let first = store
        .write(meta(), new_announcement(t, "原有"))
        .await
        .unwrap();
    // Concurrent creates, a third of them reusing an existing id: on PostgreSQL their INSERTs are
    // held back and pipelined, so the failure surfaces late and must still land on the right one.
    let mut tasks = Vec::new();
    for i in 0..30 {
        let s = store.clone();
        let mut m = new_announcement(t, &format!("并发 {i}"));
        if i % 3 == 0 {
            m.id = first.id;
        }
        tasks.push(tokio::spawn(async move { (i, s.write(meta(), m).await) }));
    }
    for task in tasks {
        let (i, r) = task.await.unwrap();
        if i % 3 == 0 {
            assert!(matches!(r, Err(Error::Unique { .. })), "{i}: {r:?}");
        } else {
            assert!(r.is_ok(), "{i}: {r:?}");
        }
    }
    let n = store
        .read(move |c| {
            Box::pin(async move {
                announcements::list(c, &Scope::Tenant(t), None, &PageRequest::first(100)).await
            })
        })
        .await
        .unwrap()
        .items
        .len();
    assert_eq!(n, 21);
    let reports = store
        .read(|c| Box::pin(async move { audit::verify_all(c).await }))
        .await
        .unwrap();
    assert!(reports.iter().all(|r| r.result.is_ok()));
    assert_eq!(
        reports
            .iter()
            .find(|r| r.chain == t.to_string())
            .unwrap()
            .events,
        22
    );
}

async fn concurrent_transitions_from_two_servers_never_both_succeed(loc: Location) {
    // Two stores = two server processes with their own writers on one database.
    let a = Store::open(&loc).await.unwrap();
    let b = Store::open(&loc).await.unwrap();
    let t = provider(&a, "双机测试").await;
    let user = a
        .write(
            meta(),
            users::CreateUser {
                id: UserId::from_uuid(Uuid::now_v7()),
                scope: Scope::Platform,
                tenant: Some(t),
                login: Login::parse("login", "race.target").unwrap(),
                display_name: DisplayName::parse("n", "李四").unwrap(),
                email: None,
                role: Role::Agent,
                merchant: None,
                terminal: None,
                password_hash: None,
                locale: "zh-CN".into(),
            },
        )
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let s = if i % 2 == 0 { a.clone() } else { b.clone() };
        let id = user.id;
        tasks.push(tokio::spawn(async move {
            s.write(
                meta(),
                users::ChangeStatus {
                    scope: Scope::Tenant(t),
                    id,
                    expected_version: None,
                    event: posdesk_core::lifecycle::AccountEvent::Disable,
                },
            )
            .await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(Error::Illegal(_) | Error::Stale { .. }) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(
        ok, 1,
        "exactly one disable wins; the others see it was already done"
    );
    let id = user.id.to_string();
    let disables = a
        .read(move |c| {
            Box::pin(async move {
                c.query_one(
                    "SELECT COUNT(*) FROM audit_events WHERE entity_id = $1 AND action = 'disable'",
                    &[id.into()],
                )
                .await?
                .int(0)
            })
        })
        .await
        .unwrap();
    assert_eq!(disables, 1);
}

/// Runs raw SQL through the writer (tests only: simulates someone with database access).
struct RawSql(String);
impl posdesk_storage::Mutation for RawSql {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn posdesk_storage::Conn,
        _ctx: &'a posdesk_storage::Ctx,
    ) -> futures::future::BoxFuture<'a, posdesk_storage::Result<posdesk_storage::Applied<()>>> {
        Box::pin(async move {
            c.batch(&self.0).await?;
            Ok(posdesk_storage::Applied::unaudited(()))
        })
    }
}

both_backends!(
    schema_is_identical_on_both_engines,
    concurrent_writes_chain_without_gaps,
    a_failing_mutation_does_not_take_its_batch_down,
    idempotent_writes_store_one_response,
    jobs_are_claimed_once_even_by_two_stores,
    tampering_is_detected,
    backup_restores_into_an_empty_database,
    scopes_confine_reads,
    a_failing_held_back_insert_fails_only_its_own_request,
    concurrent_transitions_from_two_servers_never_both_succeed,
);
