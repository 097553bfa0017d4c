//! The message catalogues: both define the same keys with the same arguments, no value is
//! empty, and every key the web UI uses (`tr.t("…")` / `tr.ta("…", …)` in `src/web/**` and
//! `templates/**`), every role name and every e-mail template exists in both and resolves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use posdesk_core::authz::Role;
use posdesk_server::i18n::{Locale, Tr};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Message id → its value (first line and continuation lines joined), from every Fluent file of
/// the locale (`main.ftl` and one file per feature, e.g. `complaints.ftl`); a key defined in two
/// files is an error.
fn catalogue(locale: &str) -> BTreeMap<String, String> {
    let dir = crate_dir().join("locales").join(locale);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
        .collect();
    files.sort();
    assert!(files.iter().any(|p| p.ends_with("main.ftl")));
    let mut out = BTreeMap::new();
    for path in files {
        catalogue_file(&path, &mut out);
    }
    out
}

fn catalogue_file(path: &Path, out: &mut BTreeMap<String, String>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut current: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with(' ') || line.starts_with('\t') {
            let key = current
                .as_ref()
                .unwrap_or_else(|| panic!("{}:{}: stray indented line", path.display(), n + 1));
            let v: &mut String = out.get_mut(key).expect("current key is in the map");
            if !v.is_empty() {
                v.push('\n');
            }
            v.push_str(line.trim());
            continue;
        }
        current = None;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{}:{}: not `key = value`: {line}", path.display(), n + 1));
        let key = key.trim().to_owned();
        assert!(
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}:{}: bad message id {key:?}",
            path.display(),
            n + 1
        );
        assert!(
            out.insert(key.clone(), value.trim().to_owned()).is_none(),
            "{}: {key} defined twice",
            path.display()
        );
        current = Some(key);
    }
}

/// The `$variables` a message uses.
fn variables(value: &str) -> BTreeSet<String> {
    value
        .split('$')
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect()
        })
        .collect()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every literal key passed to `tr.t(` or `tr.ta(` in the web UI's sources and templates.
fn used_keys() -> BTreeMap<String, String> {
    let mut files = Vec::new();
    files_under(&crate_dir().join("src").join("web"), &mut files);
    files_under(&crate_dir().join("templates"), &mut files);
    assert!(files.len() > 10, "found the web sources and templates");
    let mut keys = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for pat in ["tr.t(\"", "tr.ta(\""] {
            for (i, _) in text.match_indices(pat) {
                let rest = &text[i + pat.len()..];
                let key: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
                    .collect();
                // Only literal message ids (doc comments write `tr.t("…")`).
                if key.is_empty() || !rest[key.len()..].starts_with('"') {
                    continue;
                }
                keys.entry(key)
                    .or_insert_with(|| file.display().to_string());
            }
        }
    }
    keys
}

#[test]
fn catalogues_define_the_same_keys_with_the_same_arguments() {
    let zh = catalogue("zh-CN");
    let en = catalogue("en");
    let zh_keys: BTreeSet<_> = zh.keys().collect();
    let en_keys: BTreeSet<_> = en.keys().collect();
    assert_eq!(
        zh_keys.symmetric_difference(&en_keys).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "keys only in one catalogue"
    );
    for (k, v) in &zh {
        assert_eq!(
            variables(v),
            variables(&en[k]),
            "arguments of {k} differ between zh-CN and en"
        );
    }
}

#[test]
fn no_catalogue_value_is_empty_and_every_message_resolves() {
    for locale in Locale::ALL {
        let cat = catalogue(locale.code());
        assert!(
            cat.len() > 100,
            "{} has {} messages",
            locale.code(),
            cat.len()
        );
        let tr = Tr::new(locale);
        for (k, v) in &cat {
            assert!(!v.trim().is_empty(), "{}: {k} is empty", locale.code());
            let args: Vec<(&str, String)> = variables(v)
                .into_iter()
                .map(|a| (leak(a), "x".to_owned()))
                .collect();
            let out = tr.ta(k, &args);
            assert!(
                !out.trim().is_empty() && out != *k,
                "{}: {k} does not resolve ({out:?})",
                locale.code()
            );
        }
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[test]
fn every_key_used_by_the_web_ui_exists_in_both_catalogues() {
    let used = used_keys();
    assert!(
        used.len() > 150,
        "found {} keys; is the scan still matching the code?",
        used.len()
    );
    for locale in ["zh-CN", "en"] {
        let cat = catalogue(locale);
        let missing: Vec<String> = used
            .iter()
            .filter(|(k, _)| !cat.contains_key(*k))
            .map(|(k, f)| format!("{k} (used in {f})"))
            .collect();
        assert!(missing.is_empty(), "{locale} lacks: {missing:#?}");
    }
}

#[test]
fn role_names_and_email_templates_exist_in_both() {
    let mut keys: Vec<String> = Role::ALL
        .iter()
        .map(|r| format!("role-{}", r.code().replace('_', "-")))
        .collect();
    for t in [
        "welcome",
        "password-reset",
        "complaint-received",
        "complaint-acknowledged",
        "complaint-extended",
        "complaint-decided",
        "complaint-escalated",
    ] {
        keys.push(format!("email-{t}-subject"));
        keys.push(format!("email-{t}-body"));
    }
    for locale in Locale::ALL {
        let cat = catalogue(locale.code());
        for k in &keys {
            assert!(cat.contains_key(k), "{} lacks {k}", locale.code());
        }
        for v in ["name", "login"] {
            assert!(
                variables(&cat["email-welcome-body"]).contains(v),
                "{}: welcome body lacks ${v}",
                locale.code()
            );
        }
    }
    let zh = Tr::new(Locale::ZhCn);
    assert_eq!(zh.role(Role::ProviderAdmin), "服务商管理员");
    assert_eq!(zh.role(Role::TerminalAgent), "终端");
    assert_eq!(Tr::new(Locale::En).role(Role::Auditor), "Auditor");
    let body = zh.ta(
        "email-welcome-body",
        &[("name", "张三".into()), ("login", "zhang.san".into())],
    );
    assert!(
        body.contains("张三") && body.contains("zhang.san"),
        "{body}"
    );
    assert!(
        !body.contains('\u{2068}'),
        "no Unicode isolation marks in e-mails: {body:?}"
    );
}
