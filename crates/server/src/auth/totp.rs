//! TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s, ±1 step) for staff accounts.

use totp_rs::{Algorithm, Secret, TOTP};

fn totp(secret_b32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_owned()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).ok()
}

/// A fresh 160-bit secret, base32-encoded.
pub fn new_secret() -> String {
    let mut b = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut b);
    Secret::Raw(b.to_vec()).to_encoded().to_string()
}

/// The `otpauth://` URI authenticator apps import.
pub fn uri(secret_b32: &str, login: &str) -> String {
    format!(
        "otpauth://totp/posdesk:{}?secret={secret_b32}&issuer=posdesk&algorithm=SHA1&digits=6&period=30",
        urlencoding::encode(login)
    )
}

pub fn check(secret_b32: &str, code: &str) -> bool {
    let code = code.trim();
    code.len() == 6
        && code.bytes().all(|b| b.is_ascii_digit())
        && totp(secret_b32).is_some_and(|t| t.check_current(code).unwrap_or(false))
}

/// The current code (tests and the CLI use it).
pub fn current(secret_b32: &str) -> Option<String> {
    totp(secret_b32).and_then(|t| t.generate_current().ok())
}
