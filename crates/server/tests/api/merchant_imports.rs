//! Merchant bulk import (CSV in UTF-8 and GBK, BOM, bad rows with row/column/rule, idempotent
//! re-runs, blank cells that leave stored values alone), and XLSX for merchants and terminals:
//! export → import round trips, a hand-made workbook with numbers and dates in real cells going
//! through the same row checks, and files that are neither CSV nor XLSX refused with a 422.

use posdesk_core::authz::{Principal, Role};
use posdesk_core::registry::import::{FileKind, TextEncoding};
use posdesk_server::service::Ctx;
use posdesk_server::service::imports::{
    ImportSummary, Registry, export_merchants_csv, export_xlsx, import_file, import_merchants,
    import_terminals,
};
use serde_json::Value;

use crate::app_tests;
use crate::helpers::{TestApp, err};

fn principal(app: &TestApp, b: bool, role: Role) -> Principal {
    let t = if b { &app.b } else { &app.a };
    let merchant = (role == Role::MerchantUser).then_some(t.merchant);
    Principal::new(t.users[&role].0, role, Some(t.id), merchant, None).unwrap()
}

async fn csv(app: &TestApp, p: &Principal, bytes: Vec<u8>) -> ImportSummary {
    let ctx = Ctx::new(&app.state, p, "merchant-import-test");
    import_merchants(&ctx, std::io::Cursor::new(bytes), |_| {})
        .await
        .map_err(err)
        .unwrap()
}

async fn file(app: &TestApp, p: &Principal, what: Registry, bytes: Vec<u8>) -> ImportSummary {
    let ctx = Ctx::new(&app.state, p, "merchant-import-test");
    import_file(&ctx, what, None, std::io::Cursor::new(bytes), |_| {})
        .await
        .map_err(err)
        .unwrap()
}

fn errors(s: &ImportSummary) -> Vec<(u64, &str)> {
    s.errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect()
}

/// A merchant as the admin sees it over the API, by MID.
async fn by_mid(app: &TestApp, mid: &str) -> Value {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let list = app.get("/api/v1/merchants?limit=100", &admin).await;
    let m = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mid"] == mid)
        .unwrap_or_else(|| panic!("no merchant {mid}"))
        .clone();
    let id = m["id"].as_str().unwrap();
    let contacts = app
        .get(&format!("/api/v1/merchants/{id}/contacts"), &admin)
        .await;
    let hours = app
        .get(&format!("/api/v1/merchants/{id}/hours"), &admin)
        .await;
    let mut out = m.clone();
    out["contacts"] = contacts.body["contacts"].clone();
    out["hours"] = hours.body["text"].clone();
    out
}

const HEADER: &str = "商户号,商户名称,商户类型,统一社会信用代码,经营者身份证号,风险等级,行政区划代码,经营地址,联系人,联系电话,营业时间,状态\n";

fn sample() -> String {
    format!(
        "{HEADER}\
         102330154120001,西湖茶社,企业,91110000600037341L,,中,330106,文三路 90 号,周老板,138 0571 1000,周一至周五 09:00-21:00；周六 10:00-14:00,\n\
         102330154120002,张三早餐铺,micro,,11010519491231002X,,,,,,,active\n\
         10233015412003,坏商户号,company,91110000600037341L,,,,,,,,\n\
         102330154120004,坏类型,shop,91110000600037341L,,,,,,,,\n\
         102330154120005,缺身份证,micro,,,,,,,,,\n\
         102330154120006,坏电话,company,91110000600037341L,,,,,,123,,\n\
         102330154120007,坏营业时间,company,91110000600037341L,,,,,,,weekdays 9-5,\n\
         102330154120008,已解约,company,91110000600037341L,,,,,,,,closed\n\
         \n\
         102330154120009,只有电话,individual,91110000600037341L,,高,,,,0571-88886666,,\n"
    )
}

async fn merchant_csv_import(app: TestApp) {
    let p = principal(&app, false, Role::ProviderAdmin);
    let before = app.count("merchants").await;
    let s = csv(&app, &p, sample().into_bytes()).await;
    assert_eq!(s.rows, 9, "the blank line is not a row");
    assert_eq!((s.inserted, s.rejected), (3, 6), "{s:?}");
    assert_eq!(s.format, Some(FileKind::Csv));
    assert_eq!(
        errors(&s),
        [
            (4, "mid"),
            (5, "kind"),
            (6, "owner_id"),
            (7, "contact_phone"),
            (8, "business_hours"),
            (9, "status"),
        ]
    );
    assert_eq!(app.count("merchants").await, before + 3);
    let tea = by_mid(&app, "102330154120001").await;
    assert_eq!(tea["status"], "pending");
    assert_eq!(tea["kind"], "company");
    assert_eq!(tea["risk_level"], "medium");
    assert_eq!(tea["contact_phone"], "13805711000");
    assert_eq!(tea["contacts"][0]["name"], "周老板");
    assert_eq!(tea["hours"], "mon-fri 09:00-21:00; sat 10:00-14:00");
    let micro = by_mid(&app, "102330154120002").await;
    assert_eq!(
        (micro["status"].as_str(), micro["risk_level"].as_str()),
        (Some("active"), Some("low"))
    );
    assert_eq!(micro["identity"], "11010519491231002X");
    assert_eq!(
        by_mid(&app, "102330154120009").await["contacts"][0]["phone"],
        "0571-88886666"
    );
    let leaked = app
        .state
        .store
        .read(|c| {
            Box::pin(async move {
                c.query_one(
                    "SELECT COUNT(*) FROM audit_events WHERE after_json LIKE '%11010519491231002X%'",
                    &[],
                )
                .await?
                .int(0)
            })
        })
        .await
        .unwrap();
    assert_eq!(leaked, 0, "imports are audited with the owner's ID masked");

    // The same file again changes nothing and writes no audit event.
    let events = app.count("audit_events").await;
    let again = csv(&app, &p, sample().into_bytes()).await;
    assert_eq!(
        (again.inserted, again.updated, again.unchanged),
        (0, 0, 3),
        "{again:?}"
    );
    assert_eq!(app.count("audit_events").await, events);

    // The same in GBK with one name changed: one update; with a BOM: unchanged.
    let changed = sample().replace("西湖茶社,", "西湖茶社（新店）,");
    let (gbk, _, _) = encoding_rs::GBK.encode(&changed);
    let s = csv(&app, &p, gbk.into_owned()).await;
    assert_eq!(s.encoding, Some(TextEncoding::Gb18030));
    assert_eq!((s.inserted, s.updated, s.unchanged), (0, 1, 2), "{s:?}");
    assert_eq!(
        by_mid(&app, "102330154120001").await["name"],
        "西湖茶社（新店）"
    );
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(changed.as_bytes());
    let s = csv(&app, &p, bom).await;
    assert_eq!(s.encoding, Some(TextEncoding::Utf8));
    assert_eq!((s.inserted, s.updated, s.unchanged), (0, 0, 3), "{s:?}");

    // English headers; a file without the optional columns leaves contacts and hours alone; a
    // known merchant's status is not changed by an import.
    let s = csv(
        &app,
        &p,
        "mid,name,kind,uscc,status\n\
         102330154120001,西湖茶社（新店）,company,91110000600037341L,\n\
         102330154120002,张三早餐铺,individual,91110000600037341L,suspended\n"
            .as_bytes()
            .to_vec(),
    )
    .await;
    assert_eq!((s.unchanged, s.rejected), (1, 1), "{s:?}");
    assert_eq!(errors(&s), [(3, "status")]);
    let tea = by_mid(&app, "102330154120001").await;
    assert_eq!(tea["contacts"].as_array().map(Vec::len), Some(1));
    assert_eq!(tea["hours"], "mon-fri 09:00-21:00; sat 10:00-14:00");
    // A new primary contact replaces the old one; the same MID twice in a file: the later wins.
    let s = csv(
        &app,
        &p,
        "mid,name,kind,uscc,contact_name,contact_phone\n\
         102330154120001,西湖茶社（新店）,company,91110000600037341L,吴店长,13905710000\n\
         102330154120001,西湖茶社（新店）,company,91110000600037341L,郑店长,13905710001\n"
            .as_bytes()
            .to_vec(),
    )
    .await;
    assert_eq!((s.updated, s.rejected), (2, 0), "{s:?}");
    let tea = by_mid(&app, "102330154120001").await;
    assert_eq!(
        (tea["contact_name"].as_str(), tea["contact_phone"].as_str()),
        (Some("郑店长"), Some("13905710001"))
    );

    // File-level errors: a header that names no merchant column, a missing required column.
    let ctx = Ctx::new(&app.state, &p, "t");
    for (bytes, field) in [
        (b"colour,mid\nred,1\n".to_vec(), "header[0]"),
        ("商户号,商户名称\n1,2\n".as_bytes().to_vec(), "header.kind"),
        (Vec::new(), "file"),
    ] {
        let e = import_merchants(&ctx, std::io::Cursor::new(bytes), |_| {})
            .await
            .unwrap_err();
        assert_eq!(e.problem().field.as_deref(), Some(field), "{e:?}");
        assert_eq!(e.problem().status, 422);
    }

    // Export → import changes nothing; provider B's import never touches A's merchants.
    let mut out = Vec::new();
    let n = export_merchants_csv(&ctx, &mut out)
        .await
        .map_err(err)
        .unwrap();
    assert!(n >= 5, "the three imported and the two of the fixture");
    assert!(out.starts_with(&[0xEF, 0xBB, 0xBF]));
    assert!(
        String::from_utf8_lossy(&out).contains("11010519491231002X"),
        "the admin exports the full ID"
    );
    let s = csv(&app, &p, out).await;
    // The fixture's two merchants predate the registry fields (no kind, no identity): an
    // import cannot take them, and says so; everything else is unchanged.
    assert_eq!((s.inserted, s.updated, s.unchanged), (0, 0, n - 2), "{s:?}");
    assert!(
        s.errors.len() == 2 && s.errors.iter().all(|e| e.column == "kind"),
        "{s:?}"
    );
    let pb = principal(&app, true, Role::ProviderAdmin);
    let s = csv(&app, &pb, sample().into_bytes()).await;
    assert_eq!(s.inserted, 3, "B gets its own merchants with these MIDs");
    assert_eq!(
        by_mid(&app, "102330154120001").await["name"],
        "西湖茶社（新店）"
    );

    // An agent's export shows the owner's ID masked; only the provider admin may import.
    let agent = principal(&app, false, Role::Agent);
    let mut masked = Vec::new();
    export_merchants_csv(&Ctx::new(&app.state, &agent, "t"), &mut masked)
        .await
        .map_err(err)
        .unwrap();
    let text = String::from_utf8_lossy(&masked);
    assert!(text.contains("110***********002X") && !text.contains("11010519491231002X"));
    for role in [Role::Agent, Role::Supervisor, Role::MerchantUser] {
        let who = principal(&app, false, role);
        let e = import_merchants(
            &Ctx::new(&app.state, &who, "t"),
            std::io::Cursor::new(sample().into_bytes()),
            |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(e.problem().status, 403, "{role:?}");
    }
}

/// A workbook as a person makes one in Excel: numbers typed as numbers, a date as a date.
fn handmade_terminals(mid: f64) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "序列号",
        "终端号",
        "型号",
        "厂商",
        "状态",
        "商户号",
        "安装日期",
        "装机地址",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy/m/d");
    ws.write_string(1, 0, "XLSX-0001").unwrap();
    ws.write_number(1, 1, 91000009.0).unwrap();
    ws.write_string(1, 2, "A920").unwrap();
    ws.write_string(1, 3, "百富").unwrap();
    ws.write_string(1, 4, "active").unwrap();
    ws.write_number(1, 5, mid).unwrap();
    ws.write_datetime_with_format(1, 6, ExcelDateTime::from_ymd(2026, 3, 9).unwrap(), &date)
        .unwrap();
    ws.write_string(1, 7, "杭州市西湖区文三路 90 号").unwrap();
    // Row 3 left empty; row 4 lacks its model; row 5 a sparse row (only SN, model, maker).
    ws.write_string(3, 0, "XLSX-0002").unwrap();
    ws.write_string(3, 3, "新大陆").unwrap();
    ws.write_string(4, 0, "XLSX-0003").unwrap();
    ws.write_string(4, 2, "N910").unwrap();
    ws.write_string(4, 3, "新大陆").unwrap();
    wb.save_to_buffer().unwrap()
}

async fn xlsx_round_trips(app: TestApp) {
    let p = principal(&app, false, Role::ProviderAdmin);
    let ctx = Ctx::new(&app.state, &p, "xlsx-test");
    let mid: String = app
        .get(
            &format!("/api/v1/merchants/{}", app.a.merchant),
            &app.token(&app.a, Role::ProviderAdmin),
        )
        .await
        .body["mid"]
        .as_str()
        .unwrap()
        .to_owned();

    // A hand-made workbook: the same row checks as CSV, spreadsheet row numbers in errors.
    let wb = handmade_terminals(mid.parse::<f64>().unwrap());
    assert!(wb.starts_with(b"PK\x03\x04"));
    let s = file(&app, &p, Registry::Terminals, wb.clone()).await;
    assert_eq!(s.format, Some(FileKind::Xlsx));
    assert_eq!(s.encoding, None);
    assert_eq!((s.rows, s.inserted, s.rejected), (3, 2, 1), "{s:?}");
    assert_eq!(errors(&s), [(4, "model")]);
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let list = app.get("/api/v1/terminals?limit=100", &admin).await;
    let t = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["sn"] == "XLSX-0001")
        .unwrap()
        .clone();
    assert_eq!(t["tid"], "91000009", "a number cell reads as its digits");
    assert_eq!(
        t["install_date"], "2026-03-09",
        "a date cell reads as a date"
    );
    assert_eq!(
        t["merchant_id"],
        app.a.merchant.to_string(),
        "a 15-digit number is a MID"
    );
    let again = file(&app, &p, Registry::Terminals, wb).await;
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 2));

    // Terminals: XLSX export → import changes nothing.
    let mut out = Vec::new();
    let n = export_xlsx(&ctx, Registry::Terminals, &mut out)
        .await
        .map_err(err)
        .unwrap();
    assert!(n >= 4 && out.starts_with(b"PK\x03\x04"));
    let s = file(&app, &p, Registry::Terminals, out).await;
    assert_eq!(
        (s.inserted, s.updated, s.rejected, s.unchanged),
        (0, 0, 0, n),
        "{s:?}"
    );

    // Merchants: CSV in, XLSX out, XLSX back in: nothing changes; then an edited workbook.
    csv(&app, &p, sample().into_bytes()).await;
    let mut out = Vec::new();
    let n = export_xlsx(&ctx, Registry::Merchants, &mut out)
        .await
        .map_err(err)
        .unwrap();
    let s = file(&app, &p, Registry::Merchants, out).await;
    // As for CSV: the fixture's two pre-registry merchants are refused (no kind).
    assert_eq!((s.inserted, s.updated, s.unchanged), (0, 0, n - 2), "{s:?}");
    assert!(s.errors.iter().all(|e| e.column == "kind"), "{s:?}");
    let edited = {
        use rust_xlsxwriter::Workbook;
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["mid", "name", "kind", "owner_id", "business_hours", ""]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_number(1, 0, 102330154120002.0).unwrap();
        ws.write_string(1, 1, "张三早餐铺（二店）").unwrap();
        ws.write_string(1, 2, "小微").unwrap();
        ws.write_string(1, 3, "11010519491231002X").unwrap();
        ws.write_string(1, 4, "daily 06:00-10:00").unwrap();
        ws.write_number(2, 0, 102330154120010.0).unwrap();
        ws.write_string(2, 1, "新商户").unwrap();
        ws.write_string(2, 2, "micro").unwrap();
        ws.write_string(2, 3, "110105194912310021").unwrap();
        wb.save_to_buffer().unwrap()
    };
    let s = file(&app, &p, Registry::Merchants, edited).await;
    assert_eq!((s.updated, s.rejected), (1, 1), "{s:?}");
    assert_eq!(errors(&s), [(3, "owner_id")]);
    let m = by_mid(&app, "102330154120002").await;
    assert_eq!(m["name"], "张三早餐铺（二店）");
    assert_eq!(m["hours"], "mon-sun 06:00-10:00");
}

async fn files_that_are_not_tables(app: TestApp) {
    let p = principal(&app, false, Role::ProviderAdmin);
    let ctx = Ctx::new(&app.state, &p, "t");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();
    let mut fake_zip = b"PK\x03\x04".to_vec();
    fake_zip.extend_from_slice(&[0x14, 0, 0, 0, 8, 0]);
    fake_zip.extend_from_slice(b"not really a zip archive");
    let xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0];
    let before = (app.count("merchants").await, app.count("terminals").await);
    for what in [Registry::Merchants, Registry::Terminals] {
        for (bytes, reason) in [
            (png.clone(), "neither CSV text nor an XLSX workbook"),
            (fake_zip.clone(), "not a readable XLSX workbook"),
            (xls.clone(), ".xls"),
        ] {
            let e = import_file(&ctx, what, None, std::io::Cursor::new(bytes), |_| {})
                .await
                .unwrap_err();
            let prob = e.problem();
            assert_eq!(prob.status, 422, "{what:?} {reason}: {e:?}");
            assert_eq!(prob.field.as_deref(), Some("file"));
            assert!(prob.detail.contains(reason), "{what:?}: {}", prob.detail);
        }
        // A workbook named .csv (the CSV path): refused, not read as text.
        let wb = handmade_terminals(1.0);
        let e = import_file(
            &ctx,
            what,
            Some(FileKind::Csv),
            std::io::Cursor::new(wb.clone()),
            |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(
            (e.problem().status, e.problem().field.as_deref()),
            (422, Some("file"))
        );
        // CSV text named .xlsx: not a workbook.
        let e = import_file(
            &ctx,
            what,
            Some(FileKind::Xlsx),
            std::io::Cursor::new(b"sn,model,manufacturer\n".to_vec()),
            |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(
            (e.problem().status, e.problem().field.as_deref()),
            (422, Some("file"))
        );
        let e = import_file(&ctx, what, None, std::io::Cursor::new(Vec::new()), |_| {})
            .await
            .unwrap_err();
        assert_eq!(e.problem().field.as_deref(), Some("file"));
    }
    let e = import_terminals(&ctx, std::io::Cursor::new(png), |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.problem().status, 422);
    assert_eq!(
        (app.count("merchants").await, app.count("terminals").await),
        before,
        "nothing imported"
    );
    // A merchant user may not even try.
    let mu = principal(&app, false, Role::MerchantUser);
    let e = import_file(
        &Ctx::new(&app.state, &mu, "t"),
        Registry::Merchants,
        None,
        std::io::Cursor::new(b"mid,name,kind\n".to_vec()),
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(e.problem().status, 403);
}

app_tests!(
    merchant_csv_import,
    xlsx_round_trips,
    files_that_are_not_tables
);
