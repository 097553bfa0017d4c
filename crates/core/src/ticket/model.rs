//! The ticket vocabulary: kind, channel, category, priority and team codes. Every enum has
//! stable codes (`code()`, `from_code()`, `parse()`, `ALL`) equal to its serde names.

use serde::{Deserialize, Serialize};

use crate::registry::codes;
use crate::{FieldError, Rule};

/// What the merchant came for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    /// 报修: something is broken.
    Fault,
    /// 咨询: a question, a request, operation guidance.
    Request,
}
codes!(TicketKind {
    Fault => "fault",
    Request => "request",
});

/// How the report reached the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 客服热线: an agent entered it during a call.
    Hotline,
    /// 商户门户: the merchant reported it in the web portal.
    Portal,
    /// 邮件: the mail gateway created it.
    Email,
    /// 接口: a partner system created it through the JSON API.
    Api,
    /// 网点到店: the merchant came to a service point.
    WalkIn,
    /// 终端自报: the terminal reported the fault itself.
    Terminal,
}
codes!(Channel {
    Hotline => "hotline",
    Portal => "portal",
    Email => "email",
    Api => "api",
    WalkIn => "walk_in",
    Terminal => "terminal",
});

/// What the ticket is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 硬件: the device itself (screen, keypad, battery, case).
    Hardware,
    /// 软件: applications, firmware, parameters.
    Software,
    /// 网络: connectivity, SIM, Wi-Fi, the host link.
    Network,
    /// 读卡: magnetic stripe, chip, contactless.
    CardReading,
    /// 打印: the receipt printer.
    Printing,
    /// 结算: settlement to the merchant's account.
    Settlement,
    /// 操作咨询: how to use the terminal.
    OperationQuestion,
    /// 其他.
    Other,
}
codes!(Category {
    Hardware => "hardware",
    Software => "software",
    Network => "network",
    CardReading => "card_reading",
    Printing => "printing",
    Settlement => "settlement",
    OperationQuestion => "operation_question",
    Other => "other",
});

/// How urgent a ticket is (the brief's default SLA table, seed 001). Ordered by urgency:
/// `P1 < P2 < P3 < P4`, so the most urgent sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// 紧急: the merchant cannot take payments at all.
    P1,
    /// 重大: system crash, hardware damage.
    P2,
    /// 一般: an ordinary fault.
    P3,
    /// 咨询: a question, operation guidance.
    P4,
}
codes!(Priority {
    P1 => "p1",
    P2 => "p2",
    P3 => "p3",
    P4 => "p4",
});

impl Priority {
    /// The Chinese label (紧急, 重大, 一般, 咨询).
    pub fn label_zh(self) -> &'static str {
        match self {
            Priority::P1 => "紧急",
            Priority::P2 => "重大",
            Priority::P3 => "一般",
            Priority::P4 => "咨询",
        }
    }

    /// What the priority means, in English.
    pub fn meaning(self) -> &'static str {
        match self {
            Priority::P1 => "the merchant cannot take payments at all",
            Priority::P2 => "system crash, hardware damage",
            Priority::P3 => "ordinary fault",
            Priority::P4 => "question, operation guidance",
        }
    }

    /// One step more urgent (the `raise_priority` escalation action); `P1` stays `P1`.
    pub fn raised(self) -> Priority {
        match self {
            Priority::P1 | Priority::P2 => Priority::P1,
            Priority::P3 => Priority::P2,
            Priority::P4 => Priority::P3,
        }
    }
}

/// Checks a short machine code: 1–40 of `a-z 0-9 _ -`, starting with a letter or digit, after
/// trimming and lowercasing.
fn machine_code(field: &str, raw: &str) -> Result<String, FieldError> {
    let t = raw.trim().to_ascii_lowercase();
    if t.is_empty() {
        return Err(FieldError::new(field, Rule::Required));
    }
    if t.len() > 40 {
        return Err(FieldError::new(field, Rule::TooLong { max: 40 }));
    }
    let ok = t.bytes().enumerate().all(|(i, b)| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || (i > 0 && (b == b'_' || b == b'-'))
    });
    if !ok {
        return Err(FieldError::new(
            field,
            Rule::Pattern {
                expected: "1-40 of a-z 0-9 _ -, starting with a letter or digit",
            },
        ));
    }
    Ok(t)
}

macro_rules! code_newtype {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub(in crate::ticket) String);

        impl $name {
            /// Trims, lowercases and checks `raw` (1–40 of `a-z 0-9 _ -`, starting with a
            /// letter or digit).
            pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
                machine_code(field, raw).map(Self)
            }

            /// The code.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

code_newtype!(
    /// A team's code (e.g. `hotline`, `field-east`, `repair-centre`): what queues and the
    /// `reassign_to_team` escalation action name.
    TeamCode
);
code_newtype!(
    /// An SLA policy's code within its provider's document (e.g. `default_p3`, `vip_hardware`).
    PolicyCode
);

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T: Serialize + std::fmt::Display + Copy>(values: &[T]) {
        for v in values {
            assert_eq!(
                serde_json::to_string(v).expect("json"),
                format!("\"{v}\""),
                "serde name equals code"
            );
        }
    }

    #[test]
    fn codes_equal_serde_names_and_roundtrip() {
        check(TicketKind::ALL);
        check(Channel::ALL);
        check(Category::ALL);
        check(Priority::ALL);
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(*c));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::from_code(c.code()), Some(*c));
        }
        assert_eq!(Category::ALL.len(), 8);
        assert_eq!(Channel::ALL.len(), 6);
        assert_eq!(Channel::from_code("walk_in"), Some(Channel::WalkIn));
        assert_eq!(
            Category::from_code("operation_question"),
            Some(Category::OperationQuestion)
        );
        let back: Priority = serde_json::from_str("\"p2\"").expect("json");
        assert_eq!(back, Priority::P2);
    }

    #[test]
    fn unknown_codes_name_the_field_and_the_choices() {
        let e = Priority::parse("priority", "P5").expect_err("unknown");
        assert_eq!(e.field, "priority");
        assert_eq!(
            e.rule,
            Rule::OneOf {
                allowed: vec!["p1", "p2", "p3", "p4"]
            }
        );
        assert_eq!(Priority::parse("priority", " p3 "), Ok(Priority::P3));
        assert!(Channel::parse("channel", "fax").is_err());
        assert!(TicketKind::parse("kind", "").is_err());
    }

    #[test]
    fn priority_order_labels_and_raise() {
        assert!(Priority::P1 < Priority::P4);
        assert_eq!(Priority::P4.raised(), Priority::P3);
        assert_eq!(Priority::P3.raised(), Priority::P2);
        assert_eq!(Priority::P2.raised(), Priority::P1);
        assert_eq!(Priority::P1.raised(), Priority::P1);
        assert_eq!(Priority::P1.label_zh(), "紧急");
        assert_eq!(Priority::P4.label_zh(), "咨询");
        assert!(Priority::P2.meaning().contains("hardware"));
    }

    #[test]
    fn team_codes_parse() {
        assert_eq!(
            TeamCode::parse("team", " Field-East ")
                .expect("ok")
                .as_str(),
            "field-east"
        );
        assert_eq!(
            TeamCode::parse("team", "").expect_err("empty").rule,
            Rule::Required
        );
        assert_eq!(
            TeamCode::parse("team", "-x")
                .expect_err("leading dash")
                .rule
                .code(),
            "pattern"
        );
        assert_eq!(
            TeamCode::parse("team", "a b")
                .expect_err("space")
                .rule
                .code(),
            "pattern"
        );
        assert_eq!(
            TeamCode::parse("team", &"a".repeat(41))
                .expect_err("long")
                .rule,
            Rule::TooLong { max: 40 }
        );
        assert!(PolicyCode::parse("code", "default_p1").is_ok());
        assert_eq!(
            serde_json::to_string(&PolicyCode::parse("code", "vip").expect("ok")).expect("json"),
            "\"vip\""
        );
    }
}
