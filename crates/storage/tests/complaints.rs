//! Complaints at the storage layer, on both engines: escalation levels fire once with several
//! servers racing on one database; entries, evidence and stored files refuse UPDATE and DELETE.

use std::sync::Arc;

use posdesk_core::Timestamp;
use posdesk_core::calendar::Calendar;
use posdesk_core::complaint::{ComplaintRules, EvidenceKind, Intake, RawIntake, ReceiptNo};
use posdesk_core::ids::{ComplaintId, EvidenceId, TenantId};
use posdesk_core::text::{DisplayName, Label};
use posdesk_core::ticket::FileName;
use posdesk_storage::repo::complaints::{AddEvidence, ClockCtx, CreateComplaint, FireEscalations};
use posdesk_storage::repo::providers;
use posdesk_storage::{Actor, Location, Store, WriteMeta, both_backends};
use uuid::Uuid;

fn meta() -> WriteMeta {
    WriteMeta::new(Actor::system("test"), "test")
}

fn clock() -> ClockCtx {
    ClockCtx {
        calendar: Arc::new(Calendar::national()),
        rules: ComplaintRules::default(),
    }
}

fn now() -> Timestamp {
    posdesk_storage::now()
}

async fn provider(store: &Store) -> TenantId {
    let id = TenantId::from_uuid(Uuid::now_v7());
    store
        .write(
            meta(),
            providers::CreateProvider {
                id,
                name: DisplayName::parse("name", "投诉测试服务商").unwrap(),
                short_name: Label::parse("short_name", "ts").unwrap(),
                uscc: None,
                hotline: None,
            },
        )
        .await
        .unwrap();
    id
}

/// A referral whose referrer wants the decision within the hour: the decision clock's
/// "3 days before" and "1 day before" levels are due at once.
async fn referral(store: &Store, tenant: TenantId) -> ComplaintId {
    let deadline = Timestamp::from_millis(now().millis() + 3_600_000);
    let intake = Intake::parse(
        &RawIntake {
            channel: "referral",
            category: "settlement",
            complainant_name: "钱先生",
            phone: "13800001234",
            narrative: "结算款三天未到账",
            request: "尽快结算",
            referral_source: Some("中国人民银行某分行"),
            referral_reference: Some("ZH-2026-001"),
            referral_deadline: Some(deadline),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    let id = ComplaintId::from_uuid(Uuid::now_v7());
    let today = posdesk_core::calendar::LocalDate::of_timestamp(now()).unwrap();
    store
        .write(
            meta(),
            CreateComplaint {
                tenant,
                id,
                receipt: ReceiptNo::generate(today, rand_u64()),
                intake,
                merchant: None,
                clock: clock(),
            },
        )
        .await
        .unwrap();
    id
}

fn rand_u64() -> u64 {
    u64::from_le_bytes(Uuid::new_v4().as_bytes()[..8].try_into().unwrap())
}

async fn count(store: &Store, sql: &'static str, id: ComplaintId) -> i64 {
    store
        .read(move |c| Box::pin(async move { c.query_one(sql, &[id.into()]).await?.int(0) }))
        .await
        .unwrap()
}

async fn escalations_fire_once_across_servers(loc: Location) {
    let a = Store::open(&loc).await.unwrap();
    let b = Store::open(&loc).await.unwrap();
    let tenant = provider(&a).await;
    let id = referral(&a, tenant).await;
    let fire = |s: Store| async move {
        s.write(
            meta(),
            FireEscalations {
                tenant,
                id,
                clock: clock(),
                now: now(),
            },
        )
        .await
    };
    let (ra, rb) = tokio::join!(fire(a.clone()), fire(b.clone()));
    // One of them may lose the version race (Stale); what was fired is never fired twice.
    let mut keys: Vec<String> = Vec::new();
    for r in [ra, rb] {
        match r {
            Ok(k) => keys.extend(k),
            Err(posdesk_storage::Error::Stale { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
    // A later pass (another server) fires what is left, nothing twice.
    keys.extend(fire(b.clone()).await.unwrap());
    keys.extend(fire(a.clone()).await.unwrap());
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), keys.len(), "fired twice: {keys:?}");
    assert!(keys.contains(&"resolution:1".to_owned()), "{keys:?}");
    assert!(keys.contains(&"resolution:2".to_owned()), "{keys:?}");
    let rows = count(
        &a,
        "SELECT COUNT(*) FROM complaint_escalations WHERE complaint_id = $1",
        id,
    )
    .await;
    let entries = count(
        &a,
        "SELECT COUNT(*) FROM complaint_entries WHERE complaint_id = $1 AND kind = 'escalated'",
        id,
    )
    .await;
    assert_eq!(rows as usize, keys.len());
    assert_eq!(entries as usize, keys.len());
}

async fn the_record_is_append_only(loc: Location) {
    let store = Store::open(&loc).await.unwrap();
    let tenant = provider(&store).await;
    let id = referral(&store, tenant).await;
    store
        .write(
            meta(),
            AddEvidence {
                tenant,
                acting_merchant: None,
                complaint: id,
                id: EvidenceId::from_uuid(Uuid::now_v7()),
                supersedes: None,
                file_name: FileName::parse("file_name", "回单.pdf").unwrap(),
                kind: EvidenceKind::Pdf,
                bytes: b"%PDF-1.4 receipt".to_vec(),
                description: None,
            },
        )
        .await
        .unwrap();
    // The write path itself works (a positive control: the refusals below are the triggers').
    store
        .write(
            meta(),
            Exec(
                "UPDATE complaints SET updated_at = updated_at WHERE id = $1",
                id,
            ),
        )
        .await
        .unwrap();
    for sql in [
        "UPDATE complaint_entries SET body = '{}' WHERE complaint_id = $1",
        "DELETE FROM complaint_entries WHERE complaint_id = $1",
        "UPDATE complaint_evidence SET sha256 = 'x' WHERE complaint_id = $1",
        "DELETE FROM complaint_evidence WHERE complaint_id = $1",
        "UPDATE blobs SET bytes = bytes WHERE tenant_id = (SELECT tenant_id FROM complaints WHERE id = $1)",
        "DELETE FROM blobs WHERE tenant_id = (SELECT tenant_id FROM complaints WHERE id = $1)",
    ] {
        let r = store.write(meta(), Exec(sql, id)).await;
        assert!(r.is_err(), "{sql} succeeded");
    }
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM complaint_evidence WHERE complaint_id = $1",
            id
        )
        .await,
        1
    );
}

/// One statement with the complaint id as `$1`, through the writer.
struct Exec(&'static str, ComplaintId);
impl posdesk_storage::Mutation for Exec {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn posdesk_storage::Conn,
        _ctx: &'a posdesk_storage::Ctx,
    ) -> futures::future::BoxFuture<'a, posdesk_storage::Result<posdesk_storage::Applied<()>>> {
        Box::pin(async move {
            c.execute(self.0, &[self.1.into()]).await?;
            Ok(posdesk_storage::Applied::unaudited(()))
        })
    }
}

both_backends!(
    escalations_fire_once_across_servers,
    the_record_is_append_only
);
