//! Terminal bulk import through the service (the CLI and, later, the UI call it): encodings,
//! row errors with row/column/rule, idempotent re-runs, database-level conflicts, export round
//! trip, tenancy.

use posdesk_core::authz::{Principal, Role};
use posdesk_server::service::imports::{export_terminals_csv, import_terminals};
use posdesk_server::service::{self, Ctx};

use crate::app_tests;
use crate::helpers::{TestApp, err};

fn admin(app: &TestApp, b: bool) -> Principal {
    let t = if b { &app.b } else { &app.a };
    Principal::new(
        t.users[&Role::ProviderAdmin].0,
        Role::ProviderAdmin,
        Some(t.id),
        None,
        None,
    )
    .unwrap()
}

async fn run(app: &TestApp, p: &Principal, bytes: Vec<u8>) -> service::imports::ImportSummary {
    let ctx = Ctx::new(&app.state, p, "import-test");
    import_terminals(&ctx, std::io::Cursor::new(bytes), |_| {})
        .await
        .map_err(err)
        .unwrap()
}

async fn merchant_mid(app: &TestApp) -> String {
    let m = app.a.merchant.to_string();
    app.state
        .store
        .read(move |c| {
            Box::pin(async move {
                c.query_one("SELECT mid FROM merchants WHERE id = $1", &[m.into()])
                    .await?
                    .text(0)
            })
        })
        .await
        .unwrap()
}

async fn import_rows_encodings_and_idempotence(app: TestApp) {
    let p = admin(&app, false);
    let mid = merchant_mid(&app).await;
    let csv = format!(
        "序列号,终端号,型号,厂商,状态,商户号,安装日期,保修截止,装机地址\n\
         IMP-0001,91000001,A920,百富,active,{mid},2026/3/9,2027-03-08,杭州市西湖区文三路 90 号\n\
         IMP-0002,,N910,新大陆,in_stock,,,,\n\
         IMP-0003,123,N910,新大陆,,,,,\n\
         IMP-0004,,N910,新大陆,active,,,,\n\
         IMP-0005,,,新大陆,,,,,\n\
         ,,N910,新大陆,,,,,\n\
         IMP-0007,,N910,新大陆,in_stock,,2026-05-01,2026-04-01,\n"
    );
    let before = app.count("terminals").await;
    let s = run(&app, &p, csv.clone().into_bytes()).await;
    assert_eq!(s.rows, 7);
    assert_eq!((s.inserted, s.rejected), (2, 5), "{s:?}");
    let errs: Vec<(u64, &str)> = s
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect();
    assert_eq!(
        errs,
        [
            (4, "tid"),
            (5, "mid"),
            (6, "model"),
            (7, "sn"),
            (8, "warranty_end")
        ]
    );
    assert_eq!(app.count("terminals").await, before + 2);
    // The same file again changes nothing and writes no audit event.
    let audit = app.count("audit_events").await;
    let again = run(&app, &p, csv.clone().into_bytes()).await;
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 2));
    assert_eq!(app.count("audit_events").await, audit);

    // The same content in GBK, with one changed firmware: one update; UTF-16 and BOM'd UTF-8 too.
    let changed = csv.replace(
        "IMP-0002,,N910,新大陆,in_stock",
        "IMP-0002,,N910,新大陆（升级）,in_stock",
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&changed);
    let s = run(&app, &p, gbk.into_owned()).await;
    assert_eq!(
        s.encoding,
        Some(posdesk_core::registry::import::TextEncoding::Gb18030)
    );
    assert_eq!((s.inserted, s.updated, s.unchanged), (0, 1, 1), "{s:?}");
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(changed.as_bytes());
    let s = run(&app, &p, bom).await;
    assert_eq!((s.inserted, s.updated, s.unchanged), (0, 0, 2), "{s:?}");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in changed.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let s = run(&app, &p, utf16).await;
    assert_eq!((s.inserted, s.updated, s.unchanged), (0, 0, 2), "{s:?}");

    // Conflicts only the database knows: a TID of another terminal, an unknown MID, a status
    // change of a known terminal.
    let s = run(
        &app,
        &p,
        "sn,tid,model,manufacturer,status,mid\n\
         IMP-0010,91000001,A920,百富,in_stock,\n\
         IMP-0011,,A920,百富,active,999999999999999\n\
         IMP-0002,,N910,新大陆（升级）,retired,\n\
         IMP-0001,91000001,A920,百富,in_stock,\n"
            .as_bytes()
            .to_vec(),
    )
    .await;
    let errs: Vec<(u64, &str)> = s
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect();
    assert_eq!(
        errs,
        [(2, "tid"), (3, "mid"), (4, "status"), (5, "status")],
        "{s:?}"
    );
    assert_eq!(s.inserted + s.updated, 0);

    // File-level errors: nothing is read past them.
    let ctx = Ctx::new(&app.state, &p, "import-test");
    for (bytes, field) in [
        (b"colour,sn\nred,X1\n".to_vec(), "header[0]"),
        (Vec::new(), "file"),
        (
            {
                let (g, _, _) =
                    encoding_rs::GBK.encode("序列号,型号,厂商\nGBK-0001,新大陆,新大陆\n");
                let mut v = g.into_owned();
                v.extend_from_slice("UTF-0001,新大陆支付终端,新大陆\n".as_bytes());
                v
            },
            "file",
        ),
    ] {
        let e = import_terminals(&ctx, std::io::Cursor::new(bytes), |_| {})
            .await
            .unwrap_err();
        assert_eq!(e.problem().field.as_deref(), Some(field), "{e:?}");
    }

    // Past the 64 KiB the encoding is detected from, decoding still refuses what does not fit:
    // UTF-8 rows after GBK ones (mixed), and stray bytes in a UTF-8 file.
    let mut gbk_head = String::from("序列号,型号,厂商\n");
    for i in 0..3_000 {
        gbk_head.push_str(&format!("GBK-{i:06},新大陆,新大陆\n"));
    }
    let (gbk_part, _, _) = encoding_rs::GBK.encode(&gbk_head);
    assert!(gbk_part.len() > 64 * 1024);
    let mut late_mixed = gbk_part.into_owned();
    late_mixed.extend_from_slice("UTF-00001,新大陆支付终端,新大陆支付\n".as_bytes());
    let mut late_bad = gbk_head.clone().into_bytes();
    late_bad.extend_from_slice(b"BAD-000001,\xff\xfe,x\n");
    for (bytes, reason) in [
        (late_mixed, "mixed text encodings"),
        (late_bad, "not in the file's encoding"),
    ] {
        let e = import_terminals(&ctx, std::io::Cursor::new(bytes), |_| {})
            .await
            .unwrap_err();
        let p = e.problem();
        assert_eq!(p.status, 422, "{e:?}");
        assert_eq!(p.field.as_deref(), Some("file"), "{e:?}");
        assert!(p.detail.contains(reason), "{e:?}");
    }

    // Export → import is a no-op; provider B's import never touches A's terminals.
    let mut out = Vec::new();
    let n = export_terminals_csv(&ctx, &mut out)
        .await
        .map_err(err)
        .unwrap();
    assert!(n >= 2);
    assert!(out.starts_with(&[0xEF, 0xBB, 0xBF]));
    let s = run(&app, &p, out.clone()).await;
    assert_eq!((s.inserted, s.updated, s.rejected), (0, 0, 0), "{s:?}");
    assert_eq!(s.unchanged, n);
    let pb = admin(&app, true);
    let s = run(&app, &pb, b"sn,model,manufacturer\nIMP-0002,X,Y\n".to_vec()).await;
    assert_eq!(s.inserted, 1, "B gets its own IMP-0002");
    // A merchant user may not import.
    let m = Principal::new(
        app.a.users[&Role::MerchantUser].0,
        Role::MerchantUser,
        Some(app.a.id),
        Some(app.a.merchant),
        None,
    )
    .unwrap();
    let e = import_terminals(
        &Ctx::new(&app.state, &m, "t"),
        std::io::Cursor::new(b"sn,model,manufacturer\n".to_vec()),
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(e.problem().status, 403);
}

app_tests!(import_rows_encodings_and_idempotence);
