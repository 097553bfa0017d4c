//! The post-repair checklist (seed 002: 维修完成后需注意): the terminal works (a test transaction
//! succeeded), no new errors in its log, firmware current, card/keys parameters and permissions
//! rebound to the merchant. Each item is recorded — result, who, when, evidence — not ticked.
//! A ticket with a repair cannot be resolved while an item is missing or failed, unless a
//! supervisor overrides with a reason ([`may_resolve`]).

use serde::{Deserialize, Serialize};

use crate::registry::codes;
use crate::{FieldError, Rule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum CheckItem {
    /// 测试交易成功.
    TestTransaction,
    /// 终端日志无新错误.
    LogClean,
    /// 固件为最新版本.
    FirmwareCurrent,
    /// 密钥、卡参数与交易权限已重新绑定.
    KeysRebound,
}
codes!(CheckItem {
    TestTransaction => "test_transaction",
    LogClean => "log_clean",
    FirmwareCurrent => "firmware_current",
    KeysRebound => "keys_rebound",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    Pass,
    Fail,
}
codes!(CheckResult {
    Pass => "pass",
    Fail => "fail",
});

/// What was observed for an item (a transaction reference, a log excerpt, the firmware
/// version): 1–500 characters, required.
pub fn parse_evidence(field: &str, raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, Rule::Required));
    }
    if t.chars().count() > 500 {
        return Err(FieldError::new(field, Rule::TooLong { max: 500 }));
    }
    Ok(t.to_owned())
}

/// Why the ticket cannot be resolved yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecklistError {
    #[error("post-repair check not recorded: {}", .0.iter().map(|i| i.code()).collect::<Vec<_>>().join(", "))]
    Missing(Vec<CheckItem>),
    #[error("post-repair check failed: {}; a supervisor may override with a reason", .0.iter().map(|i| i.code()).collect::<Vec<_>>().join(", "))]
    Failed(Vec<CheckItem>),
}

/// Whether a ticket whose repair has these latest results (per item) may be resolved: every
/// item recorded and passed, or a supervisor's override (with its reason, checked by the
/// caller) for failed items. A missing item cannot be overridden: someone must look.
pub fn may_resolve(
    latest: &[(CheckItem, CheckResult)],
    overridden: bool,
) -> Result<(), ChecklistError> {
    let result = |i: CheckItem| latest.iter().rev().find(|(k, _)| *k == i).map(|(_, r)| *r);
    let missing: Vec<CheckItem> = CheckItem::ALL
        .iter()
        .copied()
        .filter(|i| result(*i).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(ChecklistError::Missing(missing));
    }
    let failed: Vec<CheckItem> = CheckItem::ALL
        .iter()
        .copied()
        .filter(|i| result(*i) == Some(CheckResult::Fail))
        .collect();
    if !failed.is_empty() && !overridden {
        return Err(ChecklistError::Failed(failed));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use CheckItem as I;
    use CheckResult as R;

    #[test]
    fn every_item_must_pass_or_be_overridden() {
        let all_pass: Vec<_> = CheckItem::ALL.iter().map(|i| (*i, R::Pass)).collect();
        assert!(may_resolve(&all_pass, false).is_ok());
        assert_eq!(
            may_resolve(&all_pass[..2], false),
            Err(ChecklistError::Missing(vec![
                I::FirmwareCurrent,
                I::KeysRebound
            ]))
        );
        let mut one_failed = all_pass.clone();
        one_failed.push((I::LogClean, R::Fail));
        assert_eq!(
            may_resolve(&one_failed, false),
            Err(ChecklistError::Failed(vec![I::LogClean]))
        );
        assert!(may_resolve(&one_failed, true).is_ok());
        // The latest record of an item counts: a re-test that passes clears the failure.
        one_failed.push((I::LogClean, R::Pass));
        assert!(may_resolve(&one_failed, false).is_ok());
        // Missing items cannot be overridden.
        assert!(may_resolve(&[], true).is_err());
        assert_eq!(
            parse_evidence("evidence", " ").unwrap_err().rule.code(),
            "required"
        );
    }
}
