//! Portable logical backup: every table as JSON lines, taken inside one read snapshot. The same
//! file restores into an empty database of either engine (so it also moves an installation from
//! SQLite to PostgreSQL). Restore checks the schema version and verifies the audit chains after.

use std::io::{BufRead, Write};

use base64::Engine as _;
use serde_json::json;

use crate::{Conn, Error, Result, Row, Store, Value};

/// Tables in dependency order (parents first), with their primary-key ordering.
pub const TABLES: &[(&str, &str)] = &[
    ("providers", "id"),
    ("merchants", "id"),
    ("terminals", "id"),
    ("users", "id"),
    ("sessions", "id_hash"),
    ("api_tokens", "id"),
    ("login_failures", "key"),
    ("audit_events", "chain, seq"),
    ("idempotency", "scope, key"),
    ("jobs", "id"),
    ("webhooks", "id"),
    ("announcements", "id"),
    ("holiday_years", "year"),
    ("provider_calendars", "tenant_id"),
    ("calendar_overrides", "tenant_id, layer, day"),
    ("provider_profiles", "tenant_id"),
    ("provider_logos", "tenant_id"),
    ("service_points", "tenant_id, id"),
    ("terminal_bindings", "tenant_id, id"),
    ("blobs", "tenant_id, sha256"),
    ("onboarding_applications", "id"),
    ("onboarding_documents", "id"),
    ("tickets", "id"),
    ("ticket_status_history", "ticket_id, seq"),
    ("ticket_messages", "id"),
    ("ticket_counters", "tenant_id, day"),
    ("ticket_escalations", "ticket_id, escalation_key"),
    ("sla_policies", "tenant_id"),
    ("mail_inbound", "id"),
    ("mail_messages", "tenant_id, message_id"),
    ("ticket_attachments", "id"),
    ("ticket_links", "from_id, kind, to_id"),
    ("ticket_late_notices", "id"),
    ("complaints", "id"),
    ("complaint_entries", "complaint_id, seq"),
    ("complaint_evidence", "created_at, id"),
    ("complaint_escalations", "complaint_id, escalation"),
    ("complaint_links", "complaint_id, kind, target_id"),
    ("complaint_rules", "tenant_id"),
    ("parts", "tenant_id, code"),
    ("part_stock", "tenant_id, service_point_id, part_code"),
    ("repair_orders", "id"),
    ("repair_quotes", "id"),
    ("repair_steps", "repair_id, seq"),
    ("repair_checks", "repair_id, seq"),
    ("repair_shipments", "id"),
    ("loaner_pool", "tenant_id, terminal_id"),
    ("loans", "id"),
    ("ticket_feedback", "ticket_id"),
];

fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Int(i) => json!(i),
        Value::Text(s) => json!(s),
        Value::Blob(b) => json!({"b64": base64::engine::general_purpose::STANDARD.encode(b)}),
    }
}

fn from_json(v: &serde_json::Value) -> Result<Value> {
    Ok(match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Number(n) => Value::Int(
            n.as_i64()
                .ok_or_else(|| Error::Backend(format!("number {n}")))?,
        ),
        serde_json::Value::String(s) => Value::Text(s.clone()),
        serde_json::Value::Object(o) => {
            let s = o
                .get("b64")
                .and_then(|v| v.as_str())
                .ok_or_else(|| Error::Backend("bad blob".into()))?;
            Value::Blob(
                base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .map_err(|e| Error::Backend(e.to_string()))?,
            )
        }
        other => return Err(Error::Backend(format!("unexpected value {other}"))),
    })
}

async fn column_names(c: &mut dyn Conn, table: &str) -> Result<Vec<String>> {
    let all = crate::migrate::columns(c).await?;
    Ok(all
        .into_iter()
        .filter(|(t, _)| t == table)
        .map(|(_, col)| col)
        .collect())
}

/// Writes the backup; returns the number of rows written.
pub async fn dump(store: &Store, out: std::path::PathBuf) -> Result<u64> {
    store
        .read_snapshot(move |c| {
            Box::pin(async move {
                let file = std::fs::File::create(&out)
                    .map_err(|e| Error::Backend(format!("{}: {e}", out.display())))?;
                let mut w = std::io::BufWriter::new(file);
                let version = c
                    .query_one("SELECT MAX(version) FROM schema_migrations", &[])
                    .await?
                    .int(0)?;
                let io = |e: std::io::Error| Error::Backend(e.to_string());
                writeln!(
                    w,
                    "{}",
                    json!({"posdesk_backup": 1, "schema_version": version})
                )
                .map_err(io)?;
                let mut n = 0;
                for (table, order) in TABLES {
                    let cols = column_names(c, table).await?;
                    let rows: Vec<Row> = c
                        .query(
                            &format!("SELECT {} FROM {table} ORDER BY {order}", cols.join(", ")),
                            &[],
                        )
                        .await?;
                    for r in rows {
                        let obj: serde_json::Map<String, serde_json::Value> = cols
                            .iter()
                            .cloned()
                            .zip(r.values().iter().map(to_json))
                            .collect();
                        writeln!(w, "{}", json!({"t": table, "r": obj})).map_err(io)?;
                        n += 1;
                    }
                }
                w.flush().map_err(io)?;
                Ok(n)
            })
        })
        .await
}

/// Loads a backup into an empty, migrated database, in one transaction.
pub async fn load(store: &Store, input: std::path::PathBuf) -> Result<u64> {
    store
        .write(
            crate::WriteMeta::new(crate::Actor::system("restore"), "restore"),
            Restore { input },
        )
        .await
}

struct Restore {
    input: std::path::PathBuf,
}

impl crate::Mutation for Restore {
    type Output = u64;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        _ctx: &'a crate::Ctx,
    ) -> futures::future::BoxFuture<'a, Result<crate::Applied<u64>>> {
        Box::pin(async move {
            let nonempty = c
                .query_one("SELECT COUNT(*) FROM providers", &[])
                .await?
                .int(0)?
                + c.query_one("SELECT COUNT(*) FROM users", &[])
                    .await?
                    .int(0)?;
            if nonempty > 0 {
                return Err(Error::Rejected("restore needs an empty database".into()));
            }
            let file = std::fs::File::open(&self.input)
                .map_err(|e| Error::Backend(format!("{}: {e}", self.input.display())))?;
            let mut lines = std::io::BufReader::new(file).lines();
            let header: serde_json::Value = lines
                .next()
                .ok_or_else(|| Error::Rejected("empty backup file".into()))?
                .map_err(|e| Error::Backend(e.to_string()))
                .and_then(|l| {
                    serde_json::from_str(&l).map_err(|e| Error::Rejected(format!("header: {e}")))
                })?;
            let have = c
                .query_one("SELECT MAX(version) FROM schema_migrations", &[])
                .await?
                .int(0)?;
            if header.get("schema_version").and_then(|v| v.as_i64()) != Some(have) {
                return Err(Error::Rejected(format!(
                    "backup schema {} does not match database schema {have}",
                    header
                )));
            }
            let mut n = 0;
            for line in lines {
                let line = line.map_err(|e| Error::Backend(e.to_string()))?;
                let v: serde_json::Value = serde_json::from_str(&line)
                    .map_err(|e| Error::Rejected(format!("line {}: {e}", n + 2)))?;
                let table = v.get("t").and_then(|t| t.as_str()).unwrap_or_default();
                if !TABLES.iter().any(|(t, _)| *t == table) {
                    return Err(Error::Rejected(format!("unknown table {table:?}")));
                }
                let obj = v
                    .get("r")
                    .and_then(|r| r.as_object())
                    .ok_or_else(|| Error::Rejected("row".into()))?;
                let cols: Vec<&String> = obj.keys().collect();
                let known = column_names(c, table).await?;
                if let Some(bad) = cols.iter().find(|k| !known.contains(k)) {
                    return Err(Error::Rejected(format!("unknown column {table}.{bad}")));
                }
                let params = obj.values().map(from_json).collect::<Result<Vec<_>>>()?;
                let ph: Vec<String> = (1..=params.len()).map(|i| format!("${i}")).collect();
                let names: Vec<&str> = cols.iter().map(|s| s.as_str()).collect();
                c.execute(
                    &format!(
                        "INSERT INTO {table} ({}) VALUES ({})",
                        names.join(", "),
                        ph.join(", ")
                    ),
                    &params,
                )
                .await?;
                n += 1;
            }
            Ok(crate::Applied::unaudited(n))
        })
    }
}
