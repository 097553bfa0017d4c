//! Random secrets and their digests.

use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes, URL-safe base64 without padding (43 characters).
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Constant-time comparison of two strings.
pub fn eq_ct(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new API token: `pd_` + 43 random characters. Returns (token, prefix shown in lists, hash).
pub fn new_api_token() -> (String, String, String) {
    let token = format!("pd_{}", random_token());
    let prefix = token.chars().take(10).collect();
    let hash = sha256_hex(&token);
    (token, prefix, hash)
}
