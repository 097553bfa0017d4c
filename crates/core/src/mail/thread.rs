//! Threading keys: the ticket tag in a subject and the Message-IDs a reply points at.
//!
//! **Ticket tag format.** A tag is `[#` + ticket number + `]`, e.g. `[#T-20261201-0042]`. The
//! ticket number is 3–32 characters of ASCII letters, digits and `-`, starting and ending with a
//! letter or digit and holding at least one digit. Matching is case-insensitive and the number
//! is returned upper-cased, so the ticket module must issue upper-case numbers. Full-width
//! brackets and hash (`【＃T-…】`, `［#T-…］`), which Chinese input methods produce when a
//! merchant retypes a subject, are accepted too. When a subject holds several tags the first
//! (leftmost) one wins: our outgoing subjects put the tag first, so a forwarded older tag
//! further right does not steal the reply. [`format_ticket_tag`] renders the canonical form.
//!
//! **Message-ID candidates.** In-Reply-To first, then References newest (last) first, without
//! duplicates and without the message's own Message-ID, at most [`MAX_CANDIDATES`]. The
//! storage layer looks these up *within the receiving tenant only*: a forged In-Reply-To that
//! names another tenant's message must find nothing.

use super::Inbound;

/// At most this many Message-IDs are offered for lookup (a References header can be huge).
pub const MAX_CANDIDATES: usize = 32;

/// The ticket number in the first ticket tag of `subject`, upper-cased.
pub fn ticket_tag(subject: &str) -> Option<String> {
    let chars: Vec<char> = subject.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if matches!(chars[i], '[' | '【' | '［') && matches!(chars.get(i + 1), Some('#' | '＃'))
        {
            let close = match chars[i] {
                '[' => [']', '］'],
                '【' => ['】', ']'],
                _ => ['］', ']'],
            };
            let start = i + 2;
            let mut end = start;
            while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '-') {
                end += 1;
            }
            if end < chars.len() && close.contains(&chars[end]) {
                let number: String = chars[start..end].iter().collect();
                if is_ticket_number(&number) {
                    return Some(number.to_ascii_uppercase());
                }
            }
        }
        i += 1;
    }
    None
}

fn is_ticket_number(s: &str) -> bool {
    let len = s.len();
    (3..=32).contains(&len)
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes().any(|b| b.is_ascii_digit())
}

/// The canonical tag for a ticket number (`T-20261201-0042` → `[#T-20261201-0042]`); `None` when
/// the number does not fit the format above (so a tag we send is always one we can read back).
pub fn format_ticket_tag(number: &str) -> Option<String> {
    (is_ticket_number(number) && !number.bytes().any(|b| b.is_ascii_lowercase()))
        .then(|| format!("[#{number}]"))
}

/// Message-IDs to look the parent up by, best first (see the module docs).
pub fn candidate_message_ids(msg: &Inbound) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let own = msg.message_id.as_deref();
    let refs = msg.references.iter().rev();
    for id in msg.in_reply_to.iter().chain(refs) {
        if out.len() >= MAX_CANDIDATES {
            break;
        }
        if Some(id.as_str()) != own && !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

/// Everything the storage layer needs to thread a message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ThreadKeys {
    pub ticket_tag: Option<String>,
    pub message_ids: Vec<String>,
}

/// The ticket tag of the subject and the candidate Message-IDs.
pub fn thread_keys(msg: &Inbound) -> ThreadKeys {
    ThreadKeys {
        ticket_tag: ticket_tag(&msg.subject),
        message_ids: candidate_message_ids(msg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(
            ticket_tag("Re: [#T-20261201-0042] 终端无法开机").as_deref(),
            Some("T-20261201-0042")
        );
        assert_eq!(
            ticket_tag("回复：【＃t-20261201-0042】").as_deref(),
            Some("T-20261201-0042")
        );
        assert_eq!(ticket_tag("[#T-1] and [#T-2]").as_deref(), Some("T-1"));
        assert_eq!(
            ticket_tag("[#abc] [#-12] [#T-12-] [T-12] #T-12").as_deref(),
            None
        );
        assert_eq!(
            ticket_tag("[#x] [#T-20261201-0001]").as_deref(),
            Some("T-20261201-0001")
        );
        assert_eq!(
            format_ticket_tag("T-20261201-0042").as_deref(),
            Some("[#T-20261201-0042]")
        );
        assert_eq!(format_ticket_tag("t-1"), None);
        assert_eq!(format_ticket_tag("T 1"), None);
    }
}
