use proptest::prelude::*;

use super::*;

fn rule<T: std::fmt::Debug>(r: Result<T, FieldError>) -> Rule {
    r.expect_err("should fail").rule
}

// ------------------------------------------------------------------------------------------- USCC

#[test]
fn uscc_weights_are_powers_of_three_mod_31() {
    for (i, w) in USCC_WEIGHTS.iter().enumerate() {
        let expected = (0..i).fold(1_u32, |acc, _| acc * 3 % 31);
        assert_eq!(*w, expected, "weight {i}");
    }
    assert_eq!(USCC_ALPHABET.len(), 31);
    for banned in ['I', 'O', 'S', 'V', 'Z'] {
        assert!(!USCC_ALPHABET.contains(banned));
    }
}

#[test]
fn uscc_valid_examples() {
    // The brief's example. Values 9 1 1 1 0 0 0 0 6 0 0 0 3 7 3 4 1 × weights
    // 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28:
    // 9+3+9+27+0+0+0+0+120+0+0+0+24+168+30+120+28 = 538; 538 mod 31 = 11; 31 − 11 = 20 → 'L'.
    assert_eq!(
        Uscc::parse("uscc", "91110000600037341L")
            .expect("valid")
            .as_str(),
        "91110000600037341L"
    );
    // 9 1 4 4 0 3 0 0 7 0 8 4 6 1 1 3 6: Σ = 966; 966 mod 31 = 5; 31 − 5 = 26 → 'T'.
    assert!(Uscc::parse("uscc", "91440300708461136T").is_ok());
    // Letters in the body: M=21, A=10, B=11, C=12, D=13, E=14. Σ = 2131; mod 31 = 23; 31 − 23 = 8.
    assert!(Uscc::parse("uscc", "92110105MA01ABCDE8").is_ok());
    // Σ = 124 = 4 × 31, so (31 − 0) mod 31 = 0 → '0' (the outer mod matters).
    assert!(Uscc::parse("uscc", "913100000000000110").is_ok());
    // Lowercase and surrounding whitespace are normalised.
    assert_eq!(
        Uscc::parse("uscc", "  92110105ma01abcde8 \n")
            .expect("valid")
            .as_str(),
        "92110105MA01ABCDE8"
    );
}

#[test]
fn uscc_errors_name_the_rule() {
    assert_eq!(rule(Uscc::parse("uscc", "  ")), Rule::Required);
    assert_eq!(
        rule(Uscc::parse("uscc", "91110000600037341")),
        Rule::TooShort { min: 18 }
    );
    assert_eq!(
        rule(Uscc::parse("uscc", "91110000600037341LL")),
        Rule::TooLong { max: 18 }
    );
    // I, O, S, V, Z and non-ASCII are outside the alphabet.
    for bad in [
        "91110000600037341I",
        "9111000060003734OL",
        "91110000600037341Ｌ",
        "9111000060003734-L",
    ] {
        assert_eq!(rule(Uscc::parse("uscc", bad)).code(), "pattern", "{bad}");
    }
    let e = Uscc::parse("merchant.uscc", "91110000600037341M").expect_err("check");
    assert_eq!(e.field, "merchant.uscc");
    assert_eq!(
        e.rule,
        Rule::Invalid {
            reason: "check character does not match"
        }
    );
}

#[test]
fn uscc_serde_goes_through_parse() {
    let u: Uscc = serde_json::from_str("\"91110000600037341l\"").expect("valid");
    assert_eq!(u.as_str(), "91110000600037341L");
    assert_eq!(
        serde_json::to_string(&u).expect("json"),
        "\"91110000600037341L\""
    );
    assert!(serde_json::from_str::<Uscc>("\"91110000600037341M\"").is_err());
}

fn uscc_body() -> impl Strategy<Value = String> {
    proptest::collection::vec(0_usize..31, 17).prop_map(|v| {
        v.into_iter()
            .map(|i| char::from(USCC_ALPHABET.as_bytes()[i]))
            .collect()
    })
}

proptest! {
    #[test]
    fn uscc_body_with_computed_check_parses(body in uscc_body()) {
        let check = uscc_check_char(&body).expect("alphabet body");
        let code = format!("{body}{check}");
        let parsed = Uscc::parse("uscc", &code).expect("valid");
        prop_assert_eq!(parsed.as_str(), code.as_str());
        prop_assert!(Uscc::parse("uscc", &code.to_lowercase()).is_ok());
    }

    #[test]
    fn uscc_any_single_substitution_fails(body in uscc_body(), pos in 0_usize..18, shift in 1_usize..31) {
        let check = uscc_check_char(&body).expect("alphabet body");
        let mut chars: Vec<u8> = format!("{body}{check}").into_bytes();
        let value = USCC_ALPHABET.bytes().position(|a| a == chars[pos]).expect("in alphabet");
        chars[pos] = USCC_ALPHABET.as_bytes()[(value + shift) % 31];
        let changed = String::from_utf8(chars).expect("ascii");
        // Every weight is invertible mod 31 (31 is prime), so one changed character always
        // changes Σ mod 31 and hence the check character.
        prop_assert_eq!(
            Uscc::parse("uscc", &changed).map(|_| ()),
            Err(FieldError::new("uscc", Rule::Invalid { reason: "check character does not match" }))
        );
    }

    #[test]
    fn uscc_parse_never_panics(s in "\\PC{0,24}") {
        let _ = Uscc::parse("uscc", &s);
    }
}

// ------------------------------------------------------------------------------------ Resident ID

#[test]
fn resident_id_weights_match_the_standard() {
    // 2^(18−i) mod 11 for i = 1..17 (i counted from the left, the check digit being i = 18).
    for (i, w) in ID_WEIGHTS.iter().enumerate() {
        let exp = 17 - i as u32;
        assert_eq!(*w, 2_u32.pow(exp) % 11, "position {}", i + 1);
    }
}

#[test]
fn resident_id_valid_examples() {
    // GB 11643's own example. Digits × weights:
    // 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2 = 167;
    // 167 mod 11 = 2 → "10X98765432"[2] = 'X'.
    let id = ResidentId::parse("id", "11010519491231002X").expect("valid");
    assert_eq!(id.expose(), "11010519491231002X");
    assert_eq!(id.birth_date(), LocalDate::new(1949, 12, 31).expect("date"));
    assert_eq!(id.masked(), "110***********002X");
    // Lowercase x and whitespace.
    assert_eq!(
        ResidentId::parse("id", " 11010519491231002x ")
            .expect("valid")
            .expose(),
        "11010519491231002X"
    );
    // Shenzhen, 1990-03-07: Σ = 244; 244 mod 11 = 2 → 'X'.
    assert!(ResidentId::parse("id", "44030419900307123X").is_ok());
    // Shanghai, 2000-02-29 (leap year): Σ = 214; 214 mod 11 = 5 → '7'.
    let leap = ResidentId::parse("id", "310115200002294567").expect("valid");
    assert_eq!(leap.birth_date().to_string(), "2000-02-29");
    // Chengdu, 1999-01-01: Σ = 199; 199 mod 11 = 1 → '0'.
    assert!(ResidentId::parse("id", "510102199901012340").is_ok());
    // Ürümqi, 2099-12-31 (the last accepted date): Σ = 371; 371 mod 11 = 8 → '4'.
    assert!(ResidentId::parse("id", "650102209912319994").is_ok());
    // Hong Kong (81), 1900-01-01 (the first accepted date): Σ = 92; 92 mod 11 = 4 → '8'.
    assert!(ResidentId::parse("id", "810000190001010018").is_ok());
    // 91 (permanent residence) is accepted: Σ = 90; 90 mod 11 = 2 → 'X'.
    assert!(ResidentId::parse("id", "91000020000101000X").is_ok());
}

#[test]
fn resident_id_errors_name_the_rule() {
    let invalid = |reason| Rule::Invalid { reason };
    assert_eq!(rule(ResidentId::parse("id", "")), Rule::Required);
    assert_eq!(
        rule(ResidentId::parse("id", "11010519491231002")),
        Rule::TooShort { min: 18 }
    );
    assert_eq!(
        rule(ResidentId::parse("id", "11010519491231002X1")),
        Rule::TooLong { max: 18 }
    );
    for bad in [
        "1101051949123100XX",
        "11010519491231002Y",
        "A1010519491231002X",
    ] {
        assert_eq!(
            rule(ResidentId::parse("id", bad)).code(),
            "pattern",
            "{bad}"
        );
    }
    // Province 19 and 00 do not exist (the check digit is right for neither: the province
    // check comes first).
    assert_eq!(
        rule(ResidentId::parse("id", "19010519491231002X")),
        invalid("unknown province code")
    );
    assert_eq!(
        rule(ResidentId::parse("id", "00010519491231002X")),
        invalid("unknown province code")
    );
    // 1949-02-29 (not a leap year), month 13, day 00.
    for bad in [
        "110105194902290010",
        "110105194913010010",
        "110105194901000010",
    ] {
        assert_eq!(
            rule(ResidentId::parse("id", bad)),
            invalid("birth date is not a real date"),
            "{bad}"
        );
    }
    assert_eq!(
        rule(ResidentId::parse("id", "110105189912310010")),
        invalid("birth date is outside 1900–2099")
    );
    assert_eq!(
        rule(ResidentId::parse("id", "110105210001010010")),
        invalid("birth date is outside 1900–2099")
    );
    // The example with a wrong check digit.
    assert_eq!(
        rule(ResidentId::parse("id", "110105194912310021")),
        invalid("check digit does not match")
    );
}

#[test]
fn resident_id_never_prints_in_full() {
    let id = ResidentId::parse("id", "11010519491231002X").expect("valid");
    let debug = format!("{id:?}");
    assert_eq!(debug, "ResidentId(110***********002X)");
    assert!(!debug.contains("19491231"));
    let owner = OwnerIdOrUscc::ResidentId(id);
    assert!(!format!("{owner:?}").contains("19491231"));
    assert_eq!(owner.shown(false), "110***********002X");
    assert_eq!(owner.shown(true), "11010519491231002X");
    assert_eq!(owner.kind_code(), "resident_id");
}

#[test]
fn owner_id_or_uscc_deserialises_tagged() {
    let u: OwnerIdOrUscc =
        serde_json::from_str(r#"{"kind":"uscc","number":"91110000600037341L"}"#).expect("uscc");
    assert_eq!(u.shown(false), "91110000600037341L");
    assert_eq!(u.kind_code(), "uscc");
    let r: OwnerIdOrUscc =
        serde_json::from_str(r#"{"kind":"resident_id","number":"11010519491231002x"}"#)
            .expect("id");
    assert_eq!(r.shown(true), "11010519491231002X");
    for bad in [
        r#"{"kind":"resident_id","number":"11010519491231002Y"}"#,
        r#"{"kind":"uscc","number":"11010519491231002X"}"#,
        r#"{"kind":"passport","number":"E12345678"}"#,
    ] {
        assert!(serde_json::from_str::<OwnerIdOrUscc>(bad).is_err(), "{bad}");
    }
}

fn id_body() -> impl Strategy<Value = String> {
    (
        proptest::sample::select(PROVINCE_CODES.to_vec()),
        0_u32..10_000,
        1900_i32..=2099,
        1_u32..=12,
        1_u32..=28,
        0_u32..1000,
    )
        .prop_map(|(p, area, y, m, d, seq)| format!("{p:02}{area:04}{y:04}{m:02}{d:02}{seq:03}"))
}

proptest! {
    #[test]
    fn resident_id_with_computed_check_parses(body in id_body()) {
        let check = resident_id_check_digit(&body).expect("17 digits");
        let id = ResidentId::parse("id", &format!("{body}{check}")).expect("valid");
        prop_assert_eq!(id.birth_date().to_basic(), body[6..14].to_string());
        prop_assert_eq!(id.masked().chars().filter(|c| *c == '*').count(), 11);
    }

    #[test]
    fn resident_id_wrong_check_fails(body in id_body(), shift in 1_usize..11) {
        let check = resident_id_check_digit(&body).expect("17 digits");
        let index = ID_CHECK.iter().position(|c| char::from(*c) == check).expect("check char");
        let wrong = char::from(ID_CHECK[(index + shift) % 11]);
        prop_assert_eq!(
            ResidentId::parse("id", &format!("{body}{wrong}")).map(|_| ()),
            Err(FieldError::new("id", Rule::Invalid { reason: "check digit does not match" }))
        );
    }

    #[test]
    fn resident_id_single_digit_change_in_the_sequence_fails(body in id_body(), pos in 14_usize..17, shift in 1_u8..10) {
        // Changing digit d by k changes Σ by k·w mod 11, never 0 (11 is prime, w ≠ 0).
        let check = resident_id_check_digit(&body).expect("17 digits");
        let mut b = body.into_bytes();
        b[pos] = b'0' + (b[pos] - b'0' + shift) % 10;
        let changed = format!("{}{check}", String::from_utf8(b).expect("ascii"));
        prop_assert!(ResidentId::parse("id", &changed).is_err());
    }
}

// --------------------------------------------------------------------------- MID, TID, SN, licence

#[test]
fn mid_slices_and_rules() {
    let mid = Mid::parse("mid", " 102290058121234 ").expect("valid");
    assert_eq!(mid.acquirer_code(), "102");
    assert_eq!(mid.region(), "2900");
    assert_eq!(mid.mcc(), "5812");
    assert_eq!(mid.serial(), "1234");
    assert_eq!(mid.to_string(), "102290058121234");
    assert_eq!(rule(Mid::parse("mid", "")), Rule::Required);
    assert_eq!(
        rule(Mid::parse("mid", "10229005812123")),
        Rule::TooShort { min: 15 }
    );
    assert_eq!(
        rule(Mid::parse("mid", "1022900581212345")),
        Rule::TooLong { max: 15 }
    );
    assert_eq!(
        rule(Mid::parse("mid", "10229005812123A")),
        Rule::Pattern {
            expected: "15 digits"
        }
    );
    assert!(serde_json::from_str::<Mid>("\"10229005812123\"").is_err());
}

#[test]
fn tid_rules() {
    assert_eq!(
        Tid::parse("tid", "12345678").expect("ok").as_str(),
        "12345678"
    );
    assert_eq!(
        Tid::parse("tid", "ab12cd34").expect("ok").as_str(),
        "AB12CD34"
    );
    assert_eq!(
        rule(Tid::parse("tid", "1234567")),
        Rule::TooShort { min: 8 }
    );
    assert_eq!(
        rule(Tid::parse("tid", "123456789")),
        Rule::TooLong { max: 8 }
    );
    for bad in ["1234-678", "1234 678", "1234567é", "１２３４５６７８"] {
        assert_eq!(rule(Tid::parse("tid", bad)).code(), "pattern", "{bad}");
    }
}

#[test]
fn serial_number_rules() {
    assert_eq!(
        SerialNumber::parse("sn", " n8-2024-000123 ")
            .expect("ok")
            .as_str(),
        "N8-2024-000123"
    );
    assert!(SerialNumber::parse("sn", "ABC123").is_ok());
    assert!(SerialNumber::parse("sn", &"9".repeat(32)).is_ok());
    assert_eq!(rule(SerialNumber::parse("sn", "")), Rule::Required);
    assert_eq!(
        rule(SerialNumber::parse("sn", "AB12")),
        Rule::TooShort { min: 6 }
    );
    assert_eq!(
        rule(SerialNumber::parse("sn", &"9".repeat(33))),
        Rule::TooLong { max: 32 }
    );
    for bad in ["ABC 123", "ABC_123", "ABC/123", "序列号123456"] {
        assert_eq!(
            rule(SerialNumber::parse("sn", bad)).code(),
            "pattern",
            "{bad}"
        );
    }
}

#[test]
fn licence_number_rules() {
    assert_eq!(
        PaymentLicenceNo::parse("licence_no", "z2004231000013").map(|l| l.to_string()),
        Err(FieldError::new("licence_no", Rule::TooShort { min: 15 }))
    );
    assert_eq!(
        PaymentLicenceNo::parse("licence_no", " z20042310000131 ")
            .expect("ok")
            .as_str(),
        "Z20042310000131"
    );
    for bad in ["X20042310000131", "Z2004231000013A", "ZZ0042310000131"] {
        assert_eq!(
            rule(PaymentLicenceNo::parse("licence_no", bad)),
            Rule::Pattern {
                expected: "Z followed by 14 digits"
            },
            "{bad}"
        );
    }
}

// ----------------------------------------------------------------------------------- Bank card

#[test]
fn luhn_cases() {
    // 79927398713: the textbook example. From the right, doubling every second digit:
    // 3 + (1·2=2) + 7 + (8·2=16→7) + 9 + (3·2=6) + 7 + (2·2=4) + 9 + (9·2=18→9) + 7 = 70.
    assert!(luhn_valid("79927398713"));
    assert!(!luhn_valid("79927398710"));
    assert!(luhn_valid("4111111111111111"));
    assert!(luhn_valid("6228480402564890018"));
    assert!(!luhn_valid("6228480402564890019"));
    assert!(!luhn_valid(""));
    assert!(!luhn_valid("4111-1111"));
}

#[test]
fn bank_card_keeps_only_bin_and_last_four() {
    let c = BankCardMasked::parse("card_no", "6228 4804 0256 4890 018").expect("valid");
    assert_eq!(c.bin(), "622848");
    assert_eq!(c.last4(), "0018");
    assert_eq!(c.len(), 19);
    assert_eq!(c.to_string(), "622848*********0018");
    let debug = format!("{c:?}");
    assert!(!debug.contains("0402564890"), "{debug}");
    assert_eq!(
        serde_json::to_string(&c).expect("json"),
        "\"622848*********0018\""
    );
    // The masked form reads back to the same value.
    assert_eq!(
        BankCardMasked::parse_masked("card_no", &c.to_string()).expect("masked"),
        c
    );
    // Other lengths keep the right number of stars.
    let c16 = BankCardMasked::parse("card_no", "4111-1111-1111-1111").expect("valid");
    assert_eq!(c16.to_string(), "411111******1111");
    let c12 = BankCardMasked::parse("card_no", "622848000007").expect("valid");
    assert_eq!(c12.to_string(), "622848**0007");
    let c15 = BankCardMasked::parse("card_no", "622848040256489").expect("valid");
    assert_eq!(c15.to_string(), "622848*****6489");
    // Deserialising takes a full number, through parse.
    let d: BankCardMasked = serde_json::from_str("\"6222021001123456789\"").expect("valid");
    assert_eq!(d.to_string(), "622202*********6789");
    assert!(serde_json::from_str::<BankCardMasked>("\"622848*********0018\"").is_err());
}

#[test]
fn bank_card_errors() {
    assert_eq!(
        rule(BankCardMasked::parse("card_no", " - ")),
        Rule::Required
    );
    assert_eq!(
        rule(BankCardMasked::parse("card_no", "62284800000")),
        Rule::TooShort { min: 12 }
    );
    assert_eq!(
        rule(BankCardMasked::parse("card_no", "62284804025648900181")),
        Rule::TooLong { max: 19 }
    );
    assert_eq!(
        rule(BankCardMasked::parse("card_no", "6228480402564890019")),
        Rule::Invalid {
            reason: "card number fails the Luhn check"
        }
    );
    for bad in ["6228.4804.0256.4890.018", "622848040256489001８", "6228x"] {
        assert_eq!(
            rule(BankCardMasked::parse("card_no", bad)).code(),
            "pattern",
            "{bad}"
        );
    }
    for bad in [
        "622848*0018",
        "62284**********************0018",
        "622848*********001",
        "6228480402564890018",
    ] {
        assert!(
            BankCardMasked::parse_masked("card_no", bad).is_err(),
            "{bad}"
        );
    }
}

proptest! {
    #[test]
    fn bank_card_luhn_completion_parses_and_single_change_fails(
        digits in proptest::collection::vec(0_u8..10, 11..=18),
        pos_seed in any::<usize>(),
        shift in 1_u8..10,
    ) {
        let body: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        let check = (0_u8..10)
            .map(|d| format!("{body}{}", char::from(b'0' + d)))
            .find(|n| luhn_valid(n))
            .expect("one check digit completes any body");
        let card = BankCardMasked::parse("card_no", &check).expect("valid");
        prop_assert_eq!(card.len(), check.len());
        prop_assert_eq!(card.to_string().len(), check.len());
        prop_assert_eq!(card.bin(), &check[..6]);
        // Luhn detects every single-digit error.
        let mut b = check.clone().into_bytes();
        let pos = pos_seed % b.len();
        b[pos] = b'0' + (b[pos] - b'0' + shift) % 10;
        let changed = String::from_utf8(b).expect("ascii");
        prop_assert!(!luhn_valid(&changed));
    }
}

// ---------------------------------------------------------------------------------------- Phone

#[test]
fn mobile_numbers_normalise() {
    for raw in [
        "13812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "86 13812345678",
        "0086 13812345678",
        " 138-1234-5678 ",
    ] {
        let p = Phone::parse("phone", raw).expect(raw);
        assert_eq!(p.as_str(), "13812345678", "{raw}");
        assert_eq!(p.kind(), PhoneKind::Mobile);
        assert_eq!(p.masked(), "138****5678");
    }
    assert!(Phone::parse("phone", "19912345678").is_ok());
    for bad in [
        "12812345678",
        "1381234567",
        "138123456789",
        "+85 13812345678",
        "1381234567a",
    ] {
        assert_eq!(rule(Phone::parse("phone", bad)).code(), "pattern", "{bad}");
    }
    assert_eq!(rule(Phone::parse("phone", "  ")), Rule::Required);
}

#[test]
fn landlines_normalise() {
    let cases = [
        ("010-62345678", "010-62345678", "010-****5678"),
        ("01062345678", "010-62345678", "010-****5678"),
        ("010 6234 5678", "010-62345678", "010-****5678"),
        ("021-62345678-801", "021-62345678-801", "021-****5678"),
        ("0755-8123456", "0755-8123456", "0755-***3456"),
        ("07558123456", "0755-8123456", "0755-***3456"),
        ("0311 87654321", "0311-87654321", "0311-****4321"),
    ];
    for (raw, normal, masked) in cases {
        let p = Phone::parse("phone", raw).expect(raw);
        assert_eq!(p.kind(), PhoneKind::Landline, "{raw}");
        assert_eq!(p.as_str(), normal, "{raw}");
        assert_eq!(p.masked(), masked, "{raw}");
    }
    for bad in [
        "011-62345678",         // no 011 area code
        "000-62345678",         // international prefix, not an area code
        "010-623456",           // local too short
        "010-623456789",        // local too long
        "010-02345678",         // local numbers start 2-9
        "010-12345678",         // local numbers start 2-9
        "010-6234-5678",        // hyphen inside the local number
        "010-62345678-",        // empty extension
        "010-62345678-1234567", // extension too long
        "0755--8123456",
    ] {
        assert_eq!(rule(Phone::parse("phone", bad)).code(), "pattern", "{bad}");
    }
}

#[test]
fn phone_debug_is_masked_and_serde_roundtrips() {
    let p = Phone::parse("phone", "+86 138 1234 5678").expect("ok");
    assert_eq!(format!("{p:?}"), "Phone(138****5678)");
    let json = serde_json::to_string(&p).expect("json");
    assert_eq!(json, "\"13812345678\"");
    assert_eq!(serde_json::from_str::<Phone>(&json).expect("back"), p);
    let l: Phone = serde_json::from_str("\"0755 8123456\"").expect("landline");
    assert_eq!(serde_json::to_string(&l).expect("json"), "\"0755-8123456\"");
    assert!(serde_json::from_str::<Phone>("\"12345\"").is_err());
}

proptest! {
    #[test]
    fn phone_parse_is_idempotent(s in "[0-9+ -]{0,20}") {
        if let Ok(p) = Phone::parse("phone", &s) {
            let again = Phone::parse("phone", p.as_str()).expect("normal form parses");
            prop_assert_eq!(again, p);
        }
    }
}

// -------------------------------------------------------------------------------- Division code

#[test]
fn division_code_levels() {
    let d = DivisionCode::parse("region", "440305").expect("Nanshan, Shenzhen");
    assert_eq!(d.level(), DivisionLevel::District);
    assert!(!d.is_city() && !d.is_province());
    assert_eq!(d.city().as_str(), "440300");
    assert_eq!(d.province().as_str(), "440000");
    assert!(d.city().is_city());
    assert!(d.province().is_province());
    assert!(d.province().contains(&d));
    assert!(d.city().contains(&d));
    assert!(d.contains(&d));
    assert!(!d.contains(&d.city()));
    let other = DivisionCode::parse("region", "440106").expect("Tianhe, Guangzhou");
    assert!(d.province().contains(&other));
    assert!(!d.city().contains(&other));
    let p = DivisionCode::parse("region", "110000").expect("Beijing");
    assert_eq!(p.city(), p);
    assert_eq!(p.province(), p);
    assert!(DivisionCode::parse("region", "810000").is_ok());
}

#[test]
fn division_code_errors() {
    assert_eq!(rule(DivisionCode::parse("region", "")), Rule::Required);
    assert_eq!(
        rule(DivisionCode::parse("region", "44030")),
        Rule::TooShort { min: 6 }
    );
    assert_eq!(
        rule(DivisionCode::parse("region", "4403051")),
        Rule::TooLong { max: 6 }
    );
    assert_eq!(
        rule(DivisionCode::parse("region", "44O305")),
        Rule::Pattern {
            expected: "6 digits"
        }
    );
    for bad in ["190000", "000000", "990101", "160100"] {
        assert_eq!(
            rule(DivisionCode::parse("region", bad)),
            Rule::Invalid {
                reason: "unknown province code"
            },
            "{bad}"
        );
    }
    assert_eq!(
        rule(DivisionCode::parse("region", "440012")),
        Rule::Invalid {
            reason: "a district code needs a city part"
        }
    );
}

#[test]
fn province_code_list() {
    assert_eq!(PROVINCE_CODES.len(), 36);
    for c in [
        11, 15, 21, 23, 31, 37, 41, 46, 50, 54, 61, 65, 71, 81, 82, 83, 91,
    ] {
        assert!(is_province_code(c), "{c}");
    }
    for c in [
        0, 10, 16, 20, 24, 30, 38, 40, 47, 49, 55, 60, 66, 70, 72, 80, 84, 90, 92, 99,
    ] {
        assert!(!is_province_code(c), "{c}");
    }
}

// ---------------------------------------------------------------------------------------- Money

#[test]
fn fen_parses_yuan_exactly() {
    let f = |s| Fen::parse_yuan("amount", s).map(Fen::fen);
    assert_eq!(f("12.34"), Ok(1234));
    assert_eq!(f("12.3"), Ok(1230));
    assert_eq!(f("12"), Ok(1200));
    assert_eq!(f(" 0.01 "), Ok(1));
    assert_eq!(f("-0.01"), Ok(-1));
    assert_eq!(f("+5"), Ok(500));
    assert_eq!(f("007.50"), Ok(750));
    // 0.1 + 0.2 style float traps cannot happen: the digits are read, not converted.
    assert_eq!(f("0.29"), Ok(29));
    assert_eq!(f("10000000000"), Ok(Fen::MAX_ABS));
    assert_eq!(f("-10000000000.00"), Ok(-Fen::MAX_ABS));
}

#[test]
fn fen_rejects_with_the_right_rule() {
    let r = |s| rule(Fen::parse_non_negative("price", s));
    assert_eq!(r(""), Rule::Required);
    assert_eq!(r("   "), Rule::Required);
    for bad in [
        "1e3", "12.", ".5", "1,000", "¥12", "12 .3", "--1", "１２", "NaN", "+5",
    ] {
        assert_eq!(r(bad).code(), "pattern", "{bad}");
    }
    assert_eq!(
        r("12.345"),
        Rule::Invalid {
            reason: "more than 2 decimal places"
        }
    );
    let non_negative = Rule::Range {
        min: 0,
        max: 10_000_000_000,
    };
    assert_eq!(r("-0.01"), non_negative);
    assert_eq!(r("-0"), non_negative);
    assert_eq!(r("10000000000.01"), non_negative);
    assert_eq!(r("99999999999999999999999"), non_negative);
    assert_eq!(
        rule(Fen::parse_yuan("amount", "-10000000000.01")),
        Rule::Range {
            min: -10_000_000_000,
            max: 10_000_000_000
        }
    );
    assert_eq!(Fen::parse_non_negative("price", "0").map(Fen::fen), Ok(0));
}

#[test]
fn fen_display_and_arithmetic() {
    let a = Fen::parse_yuan("a", "12.34").expect("ok");
    assert_eq!(a.to_string(), "¥12.34");
    assert_eq!(a.yuan_string(), "12.34");
    let neg = Fen::parse_yuan("a", "-0.05").expect("ok");
    assert_eq!(neg.to_string(), "-¥0.05");
    assert_eq!(neg.yuan_string(), "-0.05");
    assert!(neg.is_negative());
    assert_eq!(Fen::ZERO.to_string(), "¥0.00");
    assert_eq!(a.checked_add(neg).map(Fen::fen), Some(1229));
    assert_eq!(a.checked_sub(a), Some(Fen::ZERO));
    assert_eq!(a.checked_mul(3).map(Fen::fen), Some(3702));
    assert_eq!(a.checked_mul(0), Some(Fen::ZERO));
    let max = Fen::new("a", Fen::MAX_ABS).expect("max");
    assert_eq!(max.checked_add(Fen::new("a", 1).expect("1")), None);
    assert_eq!(max.checked_mul(2), None);
    assert_eq!(a.checked_mul(u32::MAX), None);
    assert_eq!(
        Fen::checked_sum([a, a, neg]).map(Fen::fen),
        Some(1234 + 1234 - 5)
    );
    assert_eq!(Fen::checked_sum([max, max, neg]), None);
    assert!(Fen::new("a", Fen::MAX_ABS + 1).is_err());
    assert!(Fen::new("a", i64::MIN).is_err());
    assert_eq!(serde_json::to_string(&a).expect("json"), "1234");
    assert_eq!(serde_json::from_str::<Fen>("1234").expect("fen"), a);
    assert!(serde_json::from_str::<Fen>("1000000000001").is_err());
    assert!(serde_json::from_str::<Fen>("12.34").is_err());
}

proptest! {
    #[test]
    fn fen_yuan_string_roundtrips(fen in -Fen::MAX_ABS..=Fen::MAX_ABS) {
        let v = Fen::new("a", fen).expect("in range");
        prop_assert_eq!(Fen::parse_yuan("a", &v.yuan_string()), Ok(v));
        if fen >= 0 {
            prop_assert_eq!(Fen::parse_non_negative("a", &v.yuan_string()), Ok(v));
        }
    }

    #[test]
    fn fen_parse_never_panics(s in "\\PC{0,30}") {
        let _ = Fen::parse_yuan("a", &s);
        let _ = Fen::parse_non_negative("a", &s);
    }

    #[test]
    fn fen_checked_ops_stay_in_range(a in -Fen::MAX_ABS..=Fen::MAX_ABS, b in -Fen::MAX_ABS..=Fen::MAX_ABS, q in any::<u32>()) {
        let (x, y) = (Fen::new("a", a).expect("a"), Fen::new("b", b).expect("b"));
        match x.checked_add(y) {
            Some(s) => prop_assert_eq!(s.fen(), a + b),
            None => prop_assert!((a + b).abs() > Fen::MAX_ABS),
        }
        match x.checked_mul(q) {
            Some(p) => prop_assert_eq!(i128::from(p.fen()), i128::from(a) * i128::from(q)),
            None => prop_assert!((i128::from(a) * i128::from(q)).abs() > i128::from(Fen::MAX_ABS)),
        }
    }
}

// ------------------------------------------------------------------------------ Generated input

proptest! {
    #[test]
    fn generated_mobiles_parse_to_eleven_digits(
        second in 3_u8..10,
        rest in "[0-9]{9}",
        prefix in proptest::sample::select(vec!["", "+86", "+86 ", "86", "0086 "]),
    ) {
        let number = format!("1{second}{rest}");
        let p = Phone::parse("phone", &format!("{prefix}{number}")).expect("mobile");
        prop_assert_eq!(p.kind(), PhoneKind::Mobile);
        prop_assert_eq!(p.as_str(), number.as_str());
        prop_assert_eq!(p.masked(), format!("1{second}{}****{}", &rest[..1], &rest[5..]));
    }

    #[test]
    fn generated_landlines_parse(
        area in proptest::sample::select(vec!["010", "021", "029", "0311", "0755", "0991"]),
        first in 2_u8..10,
        rest in "[0-9]{6,7}",
        hyphen in any::<bool>(),
        ext in proptest::option::of("[0-9]{1,6}"),
    ) {
        let local = format!("{first}{rest}");
        let sep = if hyphen { "-" } else { "" };
        let raw = match &ext {
            Some(e) => format!("{area}{sep}{local}-{e}"),
            None => format!("{area}{sep}{local}"),
        };
        let p = Phone::parse("phone", &raw).expect("landline");
        prop_assert_eq!(p.kind(), PhoneKind::Landline);
        let normal = match &ext {
            Some(e) => format!("{area}-{local}-{e}"),
            None => format!("{area}-{local}"),
        };
        prop_assert_eq!(p.as_str(), normal.as_str());
        let hidden = local.len() - 4;
        prop_assert_eq!(p.masked(), format!("{area}-{}{}", "*".repeat(hidden), &local[hidden..]));
    }

    #[test]
    fn no_parser_panics(s in "\\PC{0,40}") {
        let _ = Uscc::parse("f", &s);
        let _ = ResidentId::parse("f", &s);
        let _ = Mid::parse("f", &s);
        let _ = Tid::parse("f", &s);
        let _ = SerialNumber::parse("f", &s);
        let _ = PaymentLicenceNo::parse("f", &s);
        let _ = BankCardMasked::parse("f", &s);
        let _ = BankCardMasked::parse_masked("f", &s);
        let _ = Phone::parse("f", &s);
        let _ = DivisionCode::parse("f", &s);
    }

    #[test]
    fn no_parser_panics_on_near_miss_input(s in "[0-9A-Za-z*+ -]{0,22}") {
        let _ = Uscc::parse("f", &s);
        let _ = ResidentId::parse("f", &s);
        let _ = PaymentLicenceNo::parse("f", &s);
        let _ = BankCardMasked::parse("f", &s);
        let _ = BankCardMasked::parse_masked("f", &s);
        let _ = Phone::parse("f", &s);
        let _ = DivisionCode::parse("f", &s);
    }
}
