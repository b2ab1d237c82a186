//! Compact JWS (the JWTs of FCM's OAuth2, APNs and VAPID): RS256 and ES256 signing with
//! ring, and the verification the local sink ([`crate::push::sink`]) does on what the
//! gateways send. Also the PEM and base64url helpers the keys and tokens need.
//!
//! Only what these three protocols use: no `none`, no HMAC, no key sets, no claims
//! checks here (those belong to whoever reads the claims).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _, RsaKeyPair, UnparsedPublicKey};
use serde_json::Value;
use std::fmt;

/// A key that cannot be read or a token that does not verify; the text says which.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtError(pub String);

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JwtError {}

fn err(what: impl Into<String>) -> JwtError {
    JwtError(what.into())
}

/// base64url without padding, as JWS and Web Push want it.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Reads base64url with or without padding: subscriptions written by browsers and
/// distributors come both ways.
pub fn b64url_decode(text: &str) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD
        .decode(text.trim().trim_end_matches('='))
        .map_err(|e| err(format!("not base64url: {e}")))
}

/// The DER inside a PEM `-----BEGIN PRIVATE KEY-----` block (PKCS#8: what Google's
/// service-account JSON and Apple's .p8 files hold). Other labels are refused so a
/// PKCS#1 `RSA PRIVATE KEY` or SEC1 `EC PRIVATE KEY` gets a clear error, not a
/// confusing one from the key parser.
pub fn pem_to_der(pem: &str) -> Result<Vec<u8>, JwtError> {
    const BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
    const END: &str = "-----END PRIVATE KEY-----";
    let start = pem.find(BEGIN).ok_or_else(|| {
        if pem.contains("-----BEGIN") {
            err("the key must be PKCS#8 (-----BEGIN PRIVATE KEY-----)")
        } else {
            err("no PEM block (-----BEGIN PRIVATE KEY-----) in the key")
        }
    })? + BEGIN.len();
    let len = pem[start..]
        .find(END)
        .ok_or_else(|| err("the PEM block has no -----END PRIVATE KEY----- line"))?;
    let body: String = pem[start..start + len]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    STANDARD
        .decode(body)
        .map_err(|e| err(format!("the PEM block is not base64: {e}")))
}

/// A PKCS#8 DER key as PEM, 64 characters a line (keys the sink generates, handed to
/// gateways that read PEM like the real files).
pub fn der_to_pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    pem
}

/// An RSA key from PKCS#8 PEM (FCM service accounts).
pub fn rsa_key(pem: &str) -> Result<RsaKeyPair, JwtError> {
    RsaKeyPair::from_pkcs8(&pem_to_der(pem)?)
        .map_err(|e| err(format!("not an RSA PKCS#8 key: {e}")))
}

/// A P-256 key from PKCS#8 PEM (APNs .p8 files, VAPID keys).
pub fn ec_key(pem: &str) -> Result<EcdsaKeyPair, JwtError> {
    EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &pem_to_der(pem)?,
        &SystemRandom::new(),
    )
    .map_err(|e| err(format!("not a P-256 PKCS#8 key: {e}")))
}

/// A fresh P-256 key as PKCS#8 PEM (VAPID keys for tests, the sink's APNs key).
pub fn generate_ec_pem() -> Result<String, JwtError> {
    let doc = EcdsaKeyPair::generate_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &SystemRandom::new(),
    )
    .map_err(|_| err("the system random generator failed"))?;
    Ok(der_to_pem(doc.as_ref()))
}

/// The uncompressed point (65 bytes) of a P-256 key: what VAPID's `k=` and the sink's
/// ES256 verification take.
pub fn ec_public(key: &EcdsaKeyPair) -> Vec<u8> {
    key.public_key().as_ref().to_vec()
}

/// The DER `RSAPublicKey` of an RSA key: what [`verify_rs256`] takes.
pub fn rsa_public(key: &RsaKeyPair) -> Vec<u8> {
    key.public_key().as_ref().to_vec()
}

fn signing_input(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    )
}

/// `header.claims.signature`, RS256 (RSASSA-PKCS1-v1_5 with SHA-256).
pub fn sign_rs256(key: &RsaKeyPair, header: &Value, claims: &Value) -> Result<String, JwtError> {
    let input = signing_input(header, claims);
    let mut sig = vec![0u8; key.public().modulus_len()];
    key.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| err("RSA signing failed"))?;
    Ok(format!("{input}.{}", b64url(&sig)))
}

/// `header.claims.signature`, ES256 (ECDSA P-256 with SHA-256, the 64-byte `r || s`
/// form JWS wants, not ASN.1).
pub fn sign_es256(key: &EcdsaKeyPair, header: &Value, claims: &Value) -> Result<String, JwtError> {
    let input = signing_input(header, claims);
    let sig = key
        .sign(&SystemRandom::new(), input.as_bytes())
        .map_err(|_| err("ECDSA signing failed"))?;
    Ok(format!("{input}.{}", b64url(sig.as_ref())))
}

/// A token whose signature checked out: its header and claims, for the caller to judge.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    pub header: Value,
    pub claims: Value,
}

/// Splits and decodes a compact JWS, checks `alg`, and verifies the signature with
/// `verify(signed part, signature)`.
fn verify(
    token: &str,
    alg: &str,
    check: impl FnOnce(&[u8], &[u8]) -> bool,
) -> Result<Verified, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(err("a JWT has three dot-separated parts"));
    };
    let json = |part: &str, what: &str| -> Result<Value, JwtError> {
        let bytes = b64url_decode(part).map_err(|e| err(format!("JWT {what}: {e}")))?;
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| err(format!("JWT {what} is not JSON: {e}")))?;
        if value.is_object() {
            Ok(value)
        } else {
            Err(err(format!("JWT {what} is not a JSON object")))
        }
    };
    let header = json(h, "header")?;
    let claims = json(c, "claims")?;
    match header.get("alg").and_then(Value::as_str) {
        Some(a) if a == alg => {}
        other => return Err(err(format!("JWT alg is {other:?}, expected {alg}"))),
    }
    let sig = b64url_decode(s).map_err(|e| err(format!("JWT signature: {e}")))?;
    // The signed part is the text as sent, not a re-encoding of what was decoded.
    let signed_len = h.len() + 1 + c.len();
    if !check(&token.as_bytes()[..signed_len], &sig) {
        return Err(err("bad JWT signature"));
    }
    Ok(Verified { header, claims })
}

/// Verifies an RS256 token with a DER `RSAPublicKey` ([`rsa_public`]).
pub fn verify_rs256(token: &str, public_key_der: &[u8]) -> Result<Verified, JwtError> {
    verify(token, "RS256", |msg, sig| {
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, public_key_der)
            .verify(msg, sig)
            .is_ok()
    })
}

/// Verifies an ES256 token with an uncompressed P-256 point ([`ec_public`]).
pub fn verify_es256(token: &str, public_point: &[u8]) -> Result<Verified, JwtError> {
    verify(token, "ES256", |msg, sig| {
        UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, public_point)
            .verify(msg, sig)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The same throwaway key the sink uses (see `push/test-service-account.json`).
    fn rsa_pem() -> String {
        let account: Value = serde_json::from_str(crate::push::sink::TEST_SERVICE_ACCOUNT)
            .expect("the fixture is JSON");
        account["private_key"]
            .as_str()
            .expect("the fixture has a key")
            .to_owned()
    }

    #[test]
    fn rs256_round_trips_and_refuses_tampering() {
        let key = rsa_key(&rsa_pem()).expect("the fixture key reads");
        let header = json!({"alg": "RS256", "typ": "JWT"});
        let claims = json!({"iss": "a@b", "iat": 1, "exp": 3601});
        let token = sign_rs256(&key, &header, &claims).expect("sign");
        let v = verify_rs256(&token, &rsa_public(&key)).expect("verify");
        assert_eq!(v.header, header);
        assert_eq!(v.claims, claims);

        // Another claims part under the same signature.
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = b64url(
            json!({"iss": "evil", "iat": 1, "exp": 3601})
                .to_string()
                .as_bytes(),
        );
        parts[1] = &forged;
        assert!(verify_rs256(&parts.join("."), &rsa_public(&key)).is_err());
        // RS256 is not accepted as ES256 or the other way round.
        assert!(verify_es256(&token, &rsa_public(&key)).is_err());
    }

    #[test]
    fn es256_round_trips_and_refuses_another_key() {
        let key = ec_key(&generate_ec_pem().expect("generate")).expect("read back");
        let other = ec_key(&generate_ec_pem().expect("generate")).expect("read back");
        let header = json!({"alg": "ES256", "kid": "K"});
        let claims = json!({"iss": "T", "iat": 5});
        let token = sign_es256(&key, &header, &claims).expect("sign");
        // JWS ES256 signatures are the fixed 64-byte form.
        let sig = b64url_decode(token.rsplit('.').next().unwrap_or_default()).expect("b64");
        assert_eq!(sig.len(), 64);
        let v = verify_es256(&token, &ec_public(&key)).expect("verify");
        assert_eq!((v.header, v.claims), (header, claims));
        assert_eq!(
            verify_es256(&token, &ec_public(&other)),
            Err(JwtError("bad JWT signature".into()))
        );
        assert!(verify_es256("a.b", &ec_public(&key)).is_err());
        assert!(verify_es256("a.b.c.d", &ec_public(&key)).is_err());
    }

    #[test]
    fn pem_reads_pkcs8_only_and_round_trips() {
        let der = pem_to_der(&rsa_pem()).expect("reads");
        assert_eq!(pem_to_der(&der_to_pem(&der)).expect("round trip"), der);
        let pkcs1 = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert!(pem_to_der(pkcs1).expect_err("PKCS#1").0.contains("PKCS#8"));
        assert!(pem_to_der("nothing").is_err());
        assert!(pem_to_der("-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----").is_err());
        // An EC key is not an RSA key and the other way round.
        assert!(rsa_key(&generate_ec_pem().expect("generate")).is_err());
        assert!(ec_key(&rsa_pem()).is_err());
    }

    #[test]
    fn base64url_reads_with_or_without_padding() {
        assert_eq!(b64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(b64url_decode("-_8").expect("plain"), vec![0xfb, 0xff]);
        assert_eq!(b64url_decode("-_8=").expect("padded"), vec![0xfb, 0xff]);
        assert!(b64url_decode("+/8").is_err());
    }
}
