//! The new part of a reply: quoted history and signatures removed.
//!
//! Rules, applied line by line to the decoded body:
//! - lines starting with `>` (after optional spaces) are dropped;
//! - everything from the first history marker on is dropped. Markers:
//!   - a line that is only dashes/spaces around `原始邮件` / `原始郵件` / `Original Message` /
//!     `Original` (`-----原始邮件-----`, QQ Mail's `------------------ 原始邮件 ------------------`,
//!     `-----Original Message-----`);
//!   - Outlook's rule: a line of 10 or more underscores;
//!   - an attribution line (possibly wrapped over two lines): `On … wrote:`, or a line ending in
//!     `写道：`/`写道:`/`寫道：` that starts with `在`/`於`/`于` or contains `于`/`於`
//!     (`在 2026年12月1日 …写道：`, Gmail's `张三 <a@b> 于2026年12月1日周二 10:00写道：`);
//!   - a header block after a blank line: `发件人:`/`发件人：`/`From:` followed within the next
//!     four lines by another header label (`发送时间`, `时间`, `日期`, `收件人`, `抄送`, `主题`,
//!     `Sent`, `Date`, `To`, `Cc`, `Subject`);
//!   - the signature separator `-- ` (also `--` when the trailing space was stripped).
//!
//! The result has leading/trailing blank lines removed, runs of blank lines reduced to one and
//! trailing spaces trimmed per line.

use super::Inbound;

/// The reply text of a message: its body without quoted history and signature.
pub fn reply_text(msg: &Inbound) -> String {
    strip_quoted(&msg.body)
}

/// [`reply_text`] on a bare text (the same rules; for callers that hold only a body).
pub fn strip_quoted(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let cut = history_start(&lines).unwrap_or(lines.len());
    let mut kept: Vec<&str> = Vec::new();
    for line in lines[..cut]
        .iter()
        .filter(|l| !l.trim_start().starts_with('>'))
        .map(|l| l.trim_end())
    {
        // Runs of blank lines become one.
        let blank = line.trim().is_empty();
        if blank && kept.last().is_some_and(|l| l.trim().is_empty()) {
            continue;
        }
        kept.push(if blank { "" } else { line });
    }
    let start = kept.iter().position(|l| !l.trim().is_empty());
    let end = kept.iter().rposition(|l| !l.trim().is_empty());
    match (start, end) {
        (Some(s), Some(e)) => kept[s..=e].join("\n"),
        _ => String::new(),
    }
}

fn norm(line: &str) -> String {
    line.replace(['\u{a0}', '\u{3000}'], " ").trim().to_string()
}

fn history_start(lines: &[&str]) -> Option<usize> {
    for i in 0..lines.len() {
        let line = norm(lines[i]);
        if is_signature_separator(lines[i]) || is_separator(&line) || is_underscore_rule(&line) {
            return Some(i);
        }
        if let Some(start) = attribution_start(lines, i) {
            return Some(start);
        }
        let after_blank = i > 0 && norm(lines[i - 1]).is_empty();
        if after_blank && is_header_block(lines, i) {
            return Some(i);
        }
    }
    None
}

fn is_signature_separator(raw: &str) -> bool {
    let raw = raw.trim_end_matches('\r');
    raw == "-- " || raw == "--"
}

fn is_separator(line: &str) -> bool {
    if !line.starts_with('-') {
        return false;
    }
    let inner = line
        .trim_matches(|c: char| c == '-' || c == ' ')
        .to_ascii_lowercase();
    matches!(
        inner.as_str(),
        "原始邮件" | "原始郵件" | "original message" | "original" | "回复邮件" | "原邮件"
    )
}

fn is_underscore_rule(line: &str) -> bool {
    line.len() >= 10 && line.chars().all(|c| c == '_')
}

/// Attribution ending at line `i` (it may start on line `i - 1` when wrapped): returns the
/// first line of it.
fn attribution_start(lines: &[&str], i: usize) -> Option<usize> {
    let line = norm(lines[i]);
    let ends_en = line.ends_with("wrote:");
    let ends_zh = ["写道：", "写道:", "寫道：", "寫道:"]
        .iter()
        .any(|e| line.ends_with(e));
    if !ends_en && !ends_zh {
        return None;
    }
    let candidates: [Option<(usize, String)>; 2] = [
        Some((i, line.clone())),
        (i > 0 && !norm(lines[i - 1]).is_empty())
            .then(|| (i - 1, format!("{} {}", norm(lines[i - 1]), line))),
    ];
    for (start, text) in candidates.into_iter().flatten() {
        let ok = if ends_en {
            text.starts_with("On ")
        } else {
            text.starts_with('在')
                || text.starts_with('於')
                || text.starts_with('于')
                || text.contains('于')
                || text.contains('於')
        };
        if ok && text.chars().count() <= 300 {
            return Some(start);
        }
    }
    None
}

const FROM_LABELS: [&str; 2] = ["发件人", "from"];
const OTHER_LABELS: [&str; 14] = [
    "发送时间",
    "时间",
    "日期",
    "收件人",
    "抄送",
    "主题",
    "sent",
    "date",
    "to",
    "cc",
    "subject",
    "寄件者",
    "收件者",
    "主旨",
];

fn header_label(line: &str) -> Option<String> {
    let line = norm(line);
    let pos = line.find([':', '：'])?;
    let label = line[..pos].trim().to_lowercase();
    (!label.is_empty() && label.chars().count() <= 12).then_some(label)
}

fn is_header_block(lines: &[&str], i: usize) -> bool {
    let Some(label) = header_label(lines[i]) else {
        return false;
    };
    if !FROM_LABELS.contains(&label.as_str()) && label != "寄件者" {
        return false;
    }
    lines
        .iter()
        .skip(i + 1)
        .take(4)
        .filter_map(|l| header_label(l))
        .any(|l| OTHER_LABELS.contains(&l.as_str()))
}

#[cfg(test)]
mod tests {
    use super::strip_quoted;

    #[test]
    fn markers() {
        let cases = [
            ("好的\n\n-----原始邮件-----\n发件人: a", "好的"),
            (
                "好的\n------------------ 原始邮件 ------------------\n发件人: a",
                "好的",
            ),
            ("OK\n\n-----Original Message-----\nFrom: a", "OK"),
            (
                "OK\n________________________________\nFrom: a\nSent: b",
                "OK",
            ),
            ("收到\n\n在 2026年12月1日 10:00，张三 写道：\n> 旧", "收到"),
            (
                "收到\n\n张三 <z@x.cn> 于2026年12月1日周二\n10:00写道：\n> 旧",
                "收到",
            ),
            (
                "Thanks\n\nOn Tue, Dec 1, 2026 at 10:00 AM Zhang <z@x.cn>\nwrote:\n> old",
                "Thanks",
            ),
            (
                "已处理\n\n发件人：张三\n发送时间：2026-12-01\n收件人：客服",
                "已处理",
            ),
            ("Done\n\nFrom: Zhang\nSent: Tuesday\nTo: support", "Done"),
            ("谢谢\n-- \n张三 | 某某商户", "谢谢"),
            ("a\n> b\nc", "a\nc"),
        ];
        for (input, want) in cases {
            assert_eq!(strip_quoted(input), want, "input {input:?}");
        }
    }

    #[test]
    fn not_markers() {
        // A "From:" line that is not a header block, a sentence ending with "wrote:".
        let body = "Hello\n\nFrom: our shop on Nanjing Road\nthe terminal beeps.\nHere is what he wrote:\nit broke";
        assert_eq!(strip_quoted(body), body);
        assert_eq!(strip_quoted("-- not a signature"), "-- not a signature");
    }
}
