//! Small pure helpers the screens need, so no app formats money or phones itself.

use crate::PasarError;
use pasar_core::error::{Problem, ValidationError};
use pasar_core::{PhoneNumber, Rupiah};

/// `25000` → `"Rp25.000"`.
#[uniffi::export]
pub fn format_rupiah(idr: i64) -> String {
    Rupiah::new(idr).to_string()
}

/// A price as sellers type it → rupiah: `"25rb"` → 25000, `"Rp 1,5 jt"` → 1500000.
/// Errors name the field `price`, like the catalog's.
#[uniffi::export]
pub fn parse_rupiah(text: String) -> Result<i64, PasarError> {
    pasar_core::money::parse_rupiah(&text)
        .map(Rupiah::idr)
        .map_err(|e| {
            pasar_core::Error::from(ValidationError::new("price", Problem::Price(e))).into()
        })
}

/// Any way of writing an Indonesian number → E.164 (`"+6281234567890"`).
#[uniffi::export]
pub fn normalize_phone(input: String) -> Result<String, PasarError> {
    PhoneNumber::parse(&input)
        .map(|p| p.e164().to_owned())
        .map_err(|e| pasar_core::Error::from(e).into())
}
