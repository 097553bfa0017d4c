//! `replies_due` (what a server worker checks before it parks): a write submitted to the SQLite
//! writer thread counts until its reply is sent, a failed one too, and a PostgreSQL write never
//! counts (its writer is a task that needs the worker awake to make progress).
//!
//! The count is process-wide, so this file holds a single test that runs the engines in turn:
//! a test binary of its own is a process of its own.

use futures::future::BoxFuture;
use posdesk_storage::{
    Actor, Applied, Conn, Ctx, Error, Location, Mutation, Result, Store, WriteMeta, replies_due,
};

/// Reports, from inside the writer, whether its own reply is counted as due.
struct Probe {
    fail: bool,
}

impl Mutation for Probe {
    type Output = bool;
    fn apply<'a>(
        &'a self,
        _c: &'a mut dyn Conn,
        _ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<bool>>> {
        Box::pin(async move {
            if self.fail {
                return Err(Error::Rejected("probe fails on purpose".into()));
            }
            Ok(Applied::unaudited(replies_due()))
        })
    }
}

fn meta() -> WriteMeta {
    WriteMeta::new(Actor::system("test"), "req-replies-due")
}

async fn due_inside(loc: &Location) -> bool {
    let store = Store::open(loc).await.unwrap();
    assert!(!replies_due(), "nothing is due before a write");
    let due = store.write(meta(), Probe { fail: false }).await.unwrap();
    assert!(!replies_due(), "nothing is due once the reply arrived");
    let failed = store.write(meta(), Probe { fail: true }).await;
    assert!(matches!(failed, Err(Error::Rejected(_))), "{failed:?}");
    assert!(!replies_due(), "nothing is due after a failed write");
    due
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counted_for_the_sqlite_writer_only() {
    let (loc, _dir) = posdesk_storage::testing::sqlite();
    assert!(due_inside(&loc).await, "SQLite: the write was not counted");
    if let Some(loc) = posdesk_storage::testing::postgres().await {
        assert!(!due_inside(&loc).await, "PostgreSQL: the write was counted");
    }
}
