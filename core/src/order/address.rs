//! Delivery addresses in the Indonesian shape: recipient, phone, street with RT/RW,
//! kelurahan/desa, kecamatan, kabupaten/kota, provinsi, kode pos, notes. Pure.

use crate::error::{Problem, ValidationError};
use crate::phone::PhoneNumber;

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Address {
    pub recipient: String,
    /// E.164 after validation.
    pub phone: String,
    /// "Jl. Melati No. 5 RT 03/RW 05".
    pub street: String,
    pub kelurahan: String,
    pub kecamatan: String,
    pub kabupaten: String,
    pub provinsi: String,
    pub kode_pos: String,
    /// "Pagar hijau, titip ke satpam".
    pub notes: String,
}

const FIELD_MAX: usize = 120;
const STREET_MAX: usize = 300;

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn required(field: &'static str, value: &str, max: usize) -> Result<String, ValidationError> {
    let v = one_line(value);
    if v.is_empty() {
        return Err(ValidationError::new(field, Problem::Required));
    }
    if v.chars().count() > max {
        return Err(ValidationError::new(field, Problem::TooLong { max }));
    }
    Ok(v)
}

impl Address {
    /// Checks every field; the phone becomes E.164 and the kode pos its five digits.
    pub fn validate(self) -> Result<Address, ValidationError> {
        let phone = PhoneNumber::parse(&self.phone)
            .map_err(|e| ValidationError::new("address_phone", Problem::Phone(e)))?;
        let kode_pos: String = self
            .kode_pos
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        // Indonesian postal codes are five digits, the first never 0.
        if kode_pos.len() != 5
            || !kode_pos.chars().all(|c| c.is_ascii_digit())
            || kode_pos.starts_with('0')
        {
            return Err(ValidationError::new("kode_pos", Problem::Invalid));
        }
        let notes = one_line(&self.notes);
        if notes.chars().count() > FIELD_MAX * 2 {
            return Err(ValidationError::new(
                "address_notes",
                Problem::TooLong { max: FIELD_MAX * 2 },
            ));
        }
        Ok(Address {
            recipient: required("recipient", &self.recipient, FIELD_MAX)?,
            phone: phone.e164().to_owned(),
            street: required("street", &self.street, STREET_MAX)?,
            kelurahan: required("kelurahan", &self.kelurahan, FIELD_MAX)?,
            kecamatan: required("kecamatan", &self.kecamatan, FIELD_MAX)?,
            kabupaten: required("kabupaten", &self.kabupaten, FIELD_MAX)?,
            provinsi: required("provinsi", &self.provinsi, FIELD_MAX)?,
            kode_pos,
            notes,
        })
    }

    /// How a courier label prints it.
    pub fn label(&self) -> String {
        let mut out = format!(
            "{} ({})\n{}\n{}, {}\n{}, {} {}",
            self.recipient,
            PhoneNumber::parse(&self.phone)
                .map(|p| p.national_display())
                .unwrap_or_else(|_| self.phone.clone()),
            self.street,
            self.kelurahan,
            self.kecamatan,
            self.kabupaten,
            self.provinsi,
            self.kode_pos
        );
        if !self.notes.is_empty() {
            out.push_str("\nCatatan: ");
            out.push_str(&self.notes);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sidoarjo() -> Address {
        Address {
            recipient: " Ibu  Sari ".into(),
            phone: "0812-3456-7890".into(),
            street: "Jl. Melati No. 5 RT 03/RW 05".into(),
            kelurahan: "Pucang".into(),
            kecamatan: "Sidoarjo".into(),
            kabupaten: "Kab. Sidoarjo".into(),
            provinsi: "Jawa Timur".into(),
            kode_pos: "61219".into(),
            notes: "pagar hijau".into(),
        }
    }

    #[test]
    fn a_real_address_is_cleaned_and_labelled() {
        let a = sidoarjo().validate().expect("valid");
        assert_eq!(a.recipient, "Ibu Sari");
        assert_eq!(a.phone, "+6281234567890");
        assert_eq!(
            a.label(),
            "Ibu Sari (0812-3456-7890)\nJl. Melati No. 5 RT 03/RW 05\nPucang, Sidoarjo\nKab. Sidoarjo, Jawa Timur 61219\nCatatan: pagar hijau"
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let field = |f: fn(&mut Address)| {
            let mut a = sidoarjo();
            f(&mut a);
            a.validate().expect_err("invalid").field
        };
        assert_eq!(field(|a| a.recipient = " ".into()), "recipient");
        assert_eq!(field(|a| a.phone = "12".into()), "address_phone");
        assert_eq!(field(|a| a.kode_pos = "6121".into()), "kode_pos");
        assert_eq!(field(|a| a.kode_pos = "01219".into()), "kode_pos");
        assert_eq!(field(|a| a.kecamatan = String::new()), "kecamatan");
        assert_eq!(field(|a| a.street = "x".repeat(400)), "street");
    }
}
