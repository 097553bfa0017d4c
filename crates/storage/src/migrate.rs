//! Embedded migrations, one SQL file per engine per step, applied in order inside one
//! transaction each (PostgreSQL: under an advisory lock, so several servers starting at once
//! apply each step exactly once). Never edit an applied migration; add the next one.

use crate::{Conn, Dialect, Result, Value};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "calendars",
        sqlite: include_str!("../migrations/sqlite/0002_calendars.sql"),
        postgres: include_str!("../migrations/postgres/0002_calendars.sql"),
    },
    Migration {
        version: 3,
        name: "provider_profiles",
        sqlite: include_str!("../migrations/sqlite/0003_provider_profiles.sql"),
        postgres: include_str!("../migrations/postgres/0003_provider_profiles.sql"),
    },
    Migration {
        version: 4,
        name: "service_points",
        sqlite: include_str!("../migrations/sqlite/0004_service_points.sql"),
        postgres: include_str!("../migrations/postgres/0004_service_points.sql"),
    },
    Migration {
        version: 5,
        name: "terminal_registry",
        sqlite: include_str!("../migrations/sqlite/0005_terminal_registry.sql"),
        postgres: include_str!("../migrations/postgres/0005_terminal_registry.sql"),
    },
    Migration {
        version: 6,
        name: "merchant_registry",
        sqlite: include_str!("../migrations/sqlite/0006_merchant_registry.sql"),
        postgres: include_str!("../migrations/postgres/0006_merchant_registry.sql"),
    },
    Migration {
        version: 7,
        name: "onboarding",
        sqlite: include_str!("../migrations/sqlite/0007_onboarding.sql"),
        postgres: include_str!("../migrations/postgres/0007_onboarding.sql"),
    },
    Migration {
        version: 8,
        name: "terminal_bindings",
        sqlite: include_str!("../migrations/sqlite/0008_terminal_bindings.sql"),
        postgres: include_str!("../migrations/postgres/0008_terminal_bindings.sql"),
    },
    Migration {
        version: 9,
        name: "merchant_details",
        sqlite: include_str!("../migrations/sqlite/0009_merchant_details.sql"),
        postgres: include_str!("../migrations/postgres/0009_merchant_details.sql"),
    },
    Migration {
        version: 10,
        name: "binding_rental",
        sqlite: include_str!("../migrations/sqlite/0010_binding_rental.sql"),
        postgres: include_str!("../migrations/postgres/0010_binding_rental.sql"),
    },
    Migration {
        version: 11,
        name: "tickets",
        sqlite: include_str!("../migrations/sqlite/0011_tickets.sql"),
        postgres: include_str!("../migrations/postgres/0011_tickets.sql"),
    },
    Migration {
        version: 12,
        name: "mail",
        sqlite: include_str!("../migrations/sqlite/0012_mail.sql"),
        postgres: include_str!("../migrations/postgres/0012_mail.sql"),
    },
    Migration {
        version: 13,
        name: "ticket_records",
        sqlite: include_str!("../migrations/sqlite/0013_ticket_records.sql"),
        postgres: include_str!("../migrations/postgres/0013_ticket_records.sql"),
    },
    Migration {
        version: 14,
        name: "intake_lookup",
        sqlite: include_str!("../migrations/sqlite/0014_intake_lookup.sql"),
        postgres: include_str!("../migrations/postgres/0014_intake_lookup.sql"),
    },
    Migration {
        version: 15,
        name: "complaints",
        sqlite: include_str!("../migrations/sqlite/0015_complaints.sql"),
        postgres: include_str!("../migrations/postgres/0015_complaints.sql"),
    },
    Migration {
        version: 16,
        name: "repairs",
        sqlite: include_str!("../migrations/sqlite/0016_repairs.sql"),
        postgres: include_str!("../migrations/postgres/0016_repairs.sql"),
    },
];

/// Applies every pending migration; returns the versions applied now.
pub async fn run(c: &mut dyn Conn) -> Result<Vec<i64>> {
    let dialect = c.dialect();
    c.batch(match dialect {
        Dialect::Sqlite => "BEGIN IMMEDIATE",
        Dialect::Postgres => "BEGIN",
    })
    .await?;
    let out = apply(c, dialect).await;
    match out {
        Ok(v) => {
            c.batch("COMMIT").await?;
            Ok(v)
        }
        Err(e) => {
            let _ = c.batch("ROLLBACK").await;
            Err(e)
        }
    }
}

async fn apply(c: &mut dyn Conn, dialect: Dialect) -> Result<Vec<i64>> {
    if dialect == Dialect::Postgres {
        c.batch("SELECT pg_advisory_xact_lock(7368617)").await?;
    }
    c.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
         applied_at BIGINT NOT NULL)",
    )
    .await?;
    let applied: Vec<i64> = c
        .query("SELECT version FROM schema_migrations", &[])
        .await?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_>>()?;
    let mut now_applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        c.batch(match dialect {
            Dialect::Sqlite => m.sqlite,
            Dialect::Postgres => m.postgres,
        })
        .await?;
        c.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[
                Value::Int(m.version),
                Value::from(m.name),
                Value::from(crate::now()),
            ],
        )
        .await?;
        now_applied.push(m.version);
    }
    Ok(now_applied)
}

/// The schema as (table, column) pairs, sorted: used by the parity test and `posdesk migrate`.
pub async fn columns(c: &mut dyn Conn) -> Result<Vec<(String, String)>> {
    let rows = match c.dialect() {
        Dialect::Sqlite => {
            c.query(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2",
                &[],
            )
            .await?
        }
        Dialect::Postgres => {
            c.query(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() ORDER BY 1, 2",
                &[],
            )
            .await?
        }
    };
    rows.iter().map(|r| Ok((r.text(0)?, r.text(1)?))).collect()
}
