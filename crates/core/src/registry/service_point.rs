//! Service points (服务网点): where a provider's technicians work from — an address in an
//! administrative division, opening hours, skills, assigned technicians, active or not. Their
//! opening hours and their own date overrides form the calendar clocks run on for work done there.

use serde::Serialize;

use super::identifiers::DivisionCode;
use crate::{FieldError, Rule};

/// What a service point can do.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Skill {
    /// Installation and on-site acceptance tests (装机验收).
    Install,
    /// Hardware repair at the bench (硬件维修).
    HardwareRepair,
    /// Card readers, keypads, printers (读卡/打印).
    Peripherals,
    /// Software, firmware and parameters (软件/固件/参数).
    Software,
    /// Network and SIM (网络通讯).
    Network,
    /// Merchant training (商户培训).
    Training,
    /// Receives and ships mail-in repairs (寄修).
    MailIn,
}
codes!(Skill {
    Install => "install",
    HardwareRepair => "hardware_repair",
    Peripherals => "peripherals",
    Software => "software",
    Network => "network",
    Training => "training",
    MailIn => "mail_in",
});

/// Parses a skill list: known codes, no duplicates, sorted.
pub fn parse_skills(raw: &[String]) -> Result<Vec<Skill>, FieldError> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, s) in raw.iter().enumerate() {
        let k = Skill::parse(&format!("skills[{i}]"), s)?;
        if out.contains(&k) {
            return Err(FieldError::new(
                format!("skills[{i}]"),
                Rule::Invalid {
                    reason: "listed twice",
                },
            ));
        }
        out.push(k);
    }
    out.sort();
    Ok(out)
}

/// A service point's name: 1–100 characters.
pub fn parse_name(raw: &str) -> Result<String, FieldError> {
    bounded("name", raw, 100)
}

/// A street address within the division: 1–200 characters.
pub fn parse_address(raw: &str) -> Result<String, FieldError> {
    bounded("address", raw, 200)
}

fn bounded(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let t = raw.trim();
    match t.chars().count() {
        0 => Err(FieldError::new(field, Rule::Required)),
        n if n > max => Err(FieldError::new(field, Rule::TooLong { max })),
        _ => Ok(t.to_owned()),
    }
}

/// A service point's division must be at least city level (a province alone does not place it).
pub fn check_division(d: &DivisionCode) -> Result<(), FieldError> {
    if d.is_province() {
        return Err(FieldError::new(
            "division_code",
            Rule::Invalid {
                reason: "must name a city or district, not only a province",
            },
        ));
    }
    Ok(())
}

/// The province (or autonomous region, municipality, SAR) for the first two digits of a
/// division code (GB/T 2260), in Chinese; `None` for an unknown code.
pub fn province_name(code: &DivisionCode) -> Option<&'static str> {
    let p = code.as_str().get(0..2)?;
    Some(match p {
        "11" => "北京市",
        "12" => "天津市",
        "13" => "河北省",
        "14" => "山西省",
        "15" => "内蒙古自治区",
        "21" => "辽宁省",
        "22" => "吉林省",
        "23" => "黑龙江省",
        "31" => "上海市",
        "32" => "江苏省",
        "33" => "浙江省",
        "34" => "安徽省",
        "35" => "福建省",
        "36" => "江西省",
        "37" => "山东省",
        "41" => "河南省",
        "42" => "湖北省",
        "43" => "湖南省",
        "44" => "广东省",
        "45" => "广西壮族自治区",
        "46" => "海南省",
        "50" => "重庆市",
        "51" => "四川省",
        "52" => "贵州省",
        "53" => "云南省",
        "54" => "西藏自治区",
        "61" => "陕西省",
        "62" => "甘肃省",
        "63" => "青海省",
        "64" => "宁夏回族自治区",
        "65" => "新疆维吾尔自治区",
        "71" => "台湾省",
        "81" => "香港特别行政区",
        "82" => "澳门特别行政区",
        _ => return None,
    })
}

/// The calendar layer name of a service point's own date overrides.
pub fn calendar_layer(service_point_id: &str) -> String {
    format!("service_point:{service_point_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_parse_sorted_and_unique() {
        let s = parse_skills(&["software".into(), "install".into()]).unwrap();
        assert_eq!(s, vec![Skill::Install, Skill::Software]);
        assert_eq!(
            parse_skills(&["install".into(), "install".into()])
                .unwrap_err()
                .field,
            "skills[1]"
        );
        assert_eq!(
            parse_skills(&["welding".into()]).unwrap_err().field,
            "skills[0]"
        );
        for k in Skill::ALL {
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::String(k.code().into())
            );
        }
    }

    #[test]
    fn names_divisions_and_provinces() {
        assert_eq!(parse_name("  西湖网点 ").unwrap(), "西湖网点");
        assert_eq!(parse_name(" ").unwrap_err().rule, Rule::Required);
        assert!(parse_address(&"路".repeat(201)).is_err());
        let hz = DivisionCode::parse("division_code", "330106").unwrap();
        assert!(check_division(&hz).is_ok());
        assert_eq!(province_name(&hz), Some("浙江省"));
        let zj = DivisionCode::parse("division_code", "330000").unwrap();
        assert_eq!(check_division(&zj).unwrap_err().field, "division_code");
        assert_eq!(calendar_layer("x"), "service_point:x");
    }
}
