//! `posdesk demo` data goes through the real services: it must keep passing their checks as
//! rules tighten, on both engines.

use crate::app_tests;
use crate::helpers::TestApp;

async fn count_where(app: &TestApp, sql: &'static str) -> i64 {
    app.state
        .store
        .read(move |c| Box::pin(async move { c.query_one(sql, &[]).await?.int(0) }))
        .await
        .unwrap()
}

async fn demo_data_seeds(app: TestApp) {
    let logins = posdesk_server::demo::seed(&app.state)
        .await
        .map_err(|e| format!("{e:?}"))
        .unwrap();
    assert!(logins.len() > 10);
    // Per provider: one application under review with its four documents, one draft.
    assert_eq!(
        count_where(
            &app,
            "SELECT COUNT(*) FROM onboarding_applications WHERE status = 'submitted'"
        )
        .await,
        2
    );
    assert_eq!(
        count_where(
            &app,
            "SELECT COUNT(*) FROM onboarding_applications WHERE status = 'draft'"
        )
        .await,
        2
    );
    assert_eq!(
        count_where(
            &app,
            "SELECT COUNT(*) FROM onboarding_documents WHERE removed_at IS NULL"
        )
        .await,
        10
    );
    // Every demo merchant is registered with its kind and identity (so exports re-import);
    // the fixtures' own merchants (tenants a and b) are the foundation's minimal ones.
    assert_eq!(
        count_where(
            &app,
            "SELECT COUNT(*) FROM merchants m JOIN providers p ON p.id = m.tenant_id \
             WHERE m.kind IS NULL AND p.short_name NOT IN ('a', 'b')"
        )
        .await,
        0
    );
    // Three tickets per provider, one each new, waiting on the merchant, resolved.
    for (status, n) in [("new", 2), ("waiting_merchant", 2), ("resolved", 2)] {
        let sql: &'static str = match status {
            "new" => "SELECT COUNT(*) FROM tickets WHERE status = 'new'",
            "waiting_merchant" => "SELECT COUNT(*) FROM tickets WHERE status = 'waiting_merchant'",
            _ => "SELECT COUNT(*) FROM tickets WHERE status = 'resolved'",
        };
        assert_eq!(count_where(&app, sql).await, n, "{status}");
    }
    // Three complaints per provider: received, in progress with an extension, closed as accepted.
    for (sql, n) in [
        (
            "SELECT COUNT(*) FROM complaints WHERE status = 'received'",
            2,
        ),
        (
            "SELECT COUNT(*) FROM complaints WHERE status = 'in_progress' AND decision_days = 30",
            2,
        ),
        (
            "SELECT COUNT(*) FROM complaints WHERE status = 'closed' AND outcome = 'accepted'",
            2,
        ),
    ] {
        assert_eq!(count_where(&app, sql).await, n, "{sql}");
    }
    // The stored files are what their types say.
    let blobs = app
        .state
        .store
        .read(|c| {
            Box::pin(async move {
                let rows = c
                    .query("SELECT content_type, bytes FROM blobs", &[])
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| (r.text(0).unwrap(), r.blob(1).unwrap()))
                    .collect::<Vec<_>>())
            })
        })
        .await
        .unwrap();
    assert!(!blobs.is_empty());
    for (ct, bytes) in blobs {
        let kind = posdesk_core::registry::onboarding::sniff(&bytes);
        assert_eq!(kind.map(|k| k.mime()), Some(ct.as_str()));
    }
}

app_tests!(demo_data_seeds);
