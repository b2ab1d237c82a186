//! Errors: each module has its own enum; [`Error`] gathers them, and [`UserError`] is
//! what a screen gets: a kind it can act on, the field at fault, and the message in
//! Indonesian and English.

use crate::i18n::{Text, field_label};
use crate::phone::PhoneError;
use crate::store::StoreError;
use std::fmt;

/// What a screen can do about an error; the FFI exposes one variant per kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The user typed something we cannot take; `field` says where.
    Validation,
    NotFound,
    /// Someone else changed the thing first.
    Conflict,
    OutOfStock,
    /// Not signed in, or not allowed.
    Unauthorized,
    /// The network failed; the change is saved and will be retried.
    Network,
    /// The phone's storage failed (full, corrupt, locked).
    Storage,
    /// A bug on our side. Reported, never a crash.
    Internal,
}

/// What is wrong with a field's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong {
        max: usize,
    },
    TooSmall {
        min: i64,
    },
    TooLarge {
        max: i64,
    },
    Phone(PhoneError),
    /// A price that cannot be read ("murah", "Rp1,5").
    Price(crate::money::MoneyParseError),
    /// Not one of the values this field takes.
    Invalid,
    TooMany {
        max: usize,
    },
    /// The same value twice where each must be different.
    Duplicate {
        value: String,
    },
    /// Still used by something that needs it (a photo a product shows).
    InUse,
    /// Not an id this app made (a malformed deep link, a corrupt record).
    MalformedId,
    /// The group's only admin cannot leave it or be removed (the server refuses it too).
    LastAdmin,
}

/// A value the user (or a caller) gave that we refuse, with the field it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {problem:?}")]
pub struct ValidationError {
    pub field: &'static str,
    pub problem: Problem,
}

impl ValidationError {
    pub fn new(field: &'static str, problem: Problem) -> Self {
        ValidationError { field, problem }
    }

    fn message(&self) -> Text {
        let label = field_label(self.field);
        match &self.problem {
            Problem::Required => Text::new(
                format!("{} wajib diisi", label.id),
                format!("{} is required", label.en),
            ),
            Problem::TooLong { max } => Text::new(
                format!("{} terlalu panjang (maksimal {max} karakter)", label.id),
                format!("{} is too long (at most {max} characters)", label.en),
            ),
            Problem::TooSmall { min } => Text::new(
                format!(
                    "{} minimal {}",
                    label.id,
                    crate::money::group_thousands_i64(*min)
                ),
                format!(
                    "{} must be at least {}",
                    label.en,
                    crate::money::group_thousands_i64(*min)
                ),
            ),
            Problem::TooLarge { max } => Text::new(
                format!(
                    "{} maksimal {}",
                    label.id,
                    crate::money::group_thousands_i64(*max)
                ),
                format!(
                    "{} must be at most {}",
                    label.en,
                    crate::money::group_thousands_i64(*max)
                ),
            ),
            Problem::Phone(e) => {
                let (id, en) = match e {
                    PhoneError::Empty => ("Nomor HP wajib diisi", "Phone number is required"),
                    PhoneError::InvalidCharacter => (
                        "Nomor HP hanya boleh berisi angka",
                        "Phone number may only contain digits",
                    ),
                    PhoneError::TooShort => {
                        ("Nomor HP terlalu pendek", "Phone number is too short")
                    }
                    PhoneError::TooLong => ("Nomor HP terlalu panjang", "Phone number is too long"),
                    PhoneError::InvalidPrefix => (
                        "Nomor HP harus diawali 08 atau +62",
                        "Phone number must start with 08 or +62",
                    ),
                };
                Text::new(id, en)
            }
            Problem::Price(e) => {
                use crate::money::MoneyParseError as M;
                match e {
                    M::Empty => Text::new(
                        format!("{} wajib diisi", label.id),
                        format!("{} is required", label.en),
                    ),
                    M::Fraction => Text::new(
                        format!(
                            "{} tidak boleh ada sen (contoh: 25.000 atau 25rb)",
                            label.id
                        ),
                        format!(
                            "{} cannot have cents (for example 25.000 or 25rb)",
                            label.en
                        ),
                    ),
                    M::TooLarge => Text::new(
                        format!("{} terlalu besar", label.id),
                        format!("{} is too large", label.en),
                    ),
                    M::NotAnAmount => Text::new(
                        format!(
                            "{} tidak terbaca. Tulis seperti 25000, 25rb atau Rp25.000",
                            label.id
                        ),
                        format!(
                            "{} cannot be read. Write it like 25000, 25rb or Rp25.000",
                            label.en
                        ),
                    ),
                }
            }
            Problem::Invalid => Text::new(
                format!("{} tidak valid", label.id),
                format!("{} is not valid", label.en),
            ),
            Problem::TooMany { max } => Text::new(
                format!("{} terlalu banyak (maksimal {max})", label.id),
                format!("Too many {} (at most {max})", label.en.to_lowercase()),
            ),
            Problem::Duplicate { value } => Text::new(
                format!("{}: \"{value}\" tertulis dua kali", label.id),
                format!("{}: \"{value}\" is given twice", label.en),
            ),
            Problem::InUse => Text::new(
                format!("{} masih dipakai", label.id),
                format!("{} is still in use", label.en),
            ),
            Problem::LastAdmin => Text::new(
                "Grup butuh minimal satu admin".to_owned(),
                "A group needs at least one admin".to_owned(),
            ),
            Problem::MalformedId => Text::new(
                format!("{} tidak dikenali", label.id),
                format!("{} is not recognised", label.en),
            ),
        }
    }
}

impl From<PhoneError> for ValidationError {
    fn from(e: PhoneError) -> Self {
        ValidationError::new("phone", Problem::Phone(e))
    }
}

/// Things the user looks for, named in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Thing {
    Product,
    Seller,
    Account,
    Group,
    Photo,
    CartLine,
    Order,
}

impl Thing {
    fn label(self) -> Text {
        match self {
            Thing::Product => Text::new("Produk", "Product"),
            Thing::Seller => Text::new("Penjual", "Seller"),
            Thing::Account => Text::new("Akun", "Account"),
            Thing::Group => Text::new("Grup", "Group"),
            Thing::Photo => Text::new("Foto", "Photo"),
            Thing::CartLine => Text::new("Barang di keranjang", "Cart item"),
            Thing::Order => Text::new("Pesanan", "Order"),
        }
    }
}

impl fmt::Display for Thing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label().en)
    }
}

/// The core's error: module errors gathered with `#[from]`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("{thing} {id} not found")]
    NotFound { thing: Thing, id: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Photo(#[from] crate::media::PhotoError),
    #[error("not enough stock of {name}")]
    OutOfStock { name: String },
    /// A cart line changed (price, availability) since the buyer last looked.
    #[error("{name} changed since it was added to the cart")]
    CartChanged { name: String },
    #[error(transparent)]
    Transition(#[from] crate::order::TransitionError),
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
    /// One line of a batch refused, and with it the whole batch (a chat draft put in
    /// the cart): which line (from 0) and its product's name, when known.
    #[error("line {} ({name}): {error}", .line + 1)]
    InLine {
        line: usize,
        name: String,
        error: Box<Error>,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<PhoneError> for Error {
    fn from(e: PhoneError) -> Self {
        Error::Validation(e.into())
    }
}

/// An error as a screen shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    pub kind: ErrorKind,
    /// For [`ErrorKind::Validation`]: the input field at fault (`"price_idr"`).
    pub field: Option<String>,
    pub message: Text,
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        self.to_user().kind
    }

    pub fn to_user(&self) -> UserError {
        match self {
            Error::Validation(v) => UserError {
                kind: ErrorKind::Validation,
                field: Some(v.field.to_owned()),
                message: v.message(),
            },
            Error::NotFound { thing, .. } => {
                let label = thing.label();
                UserError {
                    kind: ErrorKind::NotFound,
                    field: None,
                    message: Text::new(
                        format!("{} tidak ditemukan", label.id),
                        format!("{} not found", label.en),
                    ),
                }
            }
            Error::Store(e) => UserError {
                kind: ErrorKind::Storage,
                field: None,
                message: e.user_message(),
            },
            // A photo we cannot take is the user's to fix (another photo); one we fail to
            // encode is ours.
            Error::Photo(e) => UserError {
                kind: if e.is_internal() {
                    ErrorKind::Internal
                } else {
                    ErrorKind::Validation
                },
                field: Some("photo".to_owned()),
                message: e.user_message(),
            },
            Error::OutOfStock { name } => UserError {
                kind: ErrorKind::OutOfStock,
                field: None,
                message: Text::new(
                    format!("Stok {name} tidak cukup"),
                    format!("Not enough {name} in stock"),
                ),
            },
            Error::CartChanged { name } => UserError {
                kind: ErrorKind::Validation,
                field: Some("cart".to_owned()),
                message: Text::new(
                    format!(
                        "{name} berubah sejak dimasukkan ke keranjang. Periksa keranjang dulu."
                    ),
                    format!("{name} changed since you added it. Please check your cart."),
                ),
            },
            Error::Transition(t) => {
                use crate::order::TransitionError as T;
                match t {
                    T::MissingResi => UserError {
                        kind: ErrorKind::Validation,
                        field: Some("resi".to_owned()),
                        message: Text::new(
                            "Kurir dan nomor resi wajib diisi",
                            "Courier and tracking number are required",
                        ),
                    },
                    T::MissingReason => UserError {
                        kind: ErrorKind::Validation,
                        field: Some("reason".to_owned()),
                        message: Text::new(
                            "Alasan pembatalan wajib diisi",
                            "A cancellation reason is required",
                        ),
                    },
                    T::NotAllowed { from, .. } => {
                        let label = from.label();
                        UserError {
                            kind: ErrorKind::Conflict,
                            field: None,
                            message: Text::new(
                                format!(
                                    "Pesanan berstatus {} tidak bisa diubah seperti itu",
                                    label.id
                                ),
                                format!(
                                    "An order that is {} cannot be changed that way",
                                    label.en.to_lowercase()
                                ),
                            ),
                        }
                    }
                }
            }
            Error::Sync(e) => e.to_user(),
            // The line's own error, its sentence saying which line: "Baris 2 (Donat
            // Bomboloni): Jumlah tidak valid".
            Error::InLine { line, name, error } => {
                let mut u = error.to_user();
                let n = line + 1;
                let (id, en) = if name.is_empty() {
                    (format!("Baris {n}"), format!("Line {n}"))
                } else {
                    (format!("Baris {n} ({name})"), format!("Line {n} ({name})"))
                };
                u.message = Text::new(
                    format!("{id}: {}", u.message.id),
                    format!("{en}: {}", u.message.en),
                );
                u
            }
            Error::Internal(_) => UserError {
                kind: ErrorKind::Internal,
                field: None,
                message: Text::new(
                    "Terjadi kesalahan pada aplikasi. Coba lagi.",
                    "Something went wrong in the app. Please try again.",
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_name_the_field_in_both_languages() {
        let e: Error = ValidationError::new("price", Problem::TooSmall { min: 1 }).into();
        let u = e.to_user();
        assert_eq!(u.kind, ErrorKind::Validation);
        assert_eq!(u.field.as_deref(), Some("price"));
        assert_eq!(u.message.id, "Harga minimal 1");
        assert_eq!(u.message.en, "Price must be at least 1");

        let e: Error =
            ValidationError::new("price", Problem::TooLarge { max: 1_000_000_000 }).into();
        assert_eq!(e.to_user().message.id, "Harga maksimal 1.000.000.000");

        let e: Error = PhoneError::TooShort.into();
        let u = e.to_user();
        assert_eq!(u.field.as_deref(), Some("phone"));
        assert_eq!(u.message.id, "Nomor HP terlalu pendek");
    }

    #[test]
    fn a_refused_line_keeps_its_kind_and_field_and_says_which_line() {
        let e = Error::InLine {
            line: 1,
            name: "Donat Bomboloni".into(),
            error: Box::new(ValidationError::new("quantity", Problem::Invalid).into()),
        };
        let u = e.to_user();
        assert_eq!(u.kind, ErrorKind::Validation);
        assert_eq!(u.field.as_deref(), Some("quantity"));
        assert_eq!(
            u.message.id,
            "Baris 2 (Donat Bomboloni): Jumlah tidak valid"
        );
        assert_eq!(
            u.message.en,
            "Line 2 (Donat Bomboloni): Quantity is not valid"
        );
    }

    #[test]
    fn not_found_is_its_own_kind() {
        let e = Error::NotFound {
            thing: Thing::Product,
            id: "x".into(),
        };
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.to_user().message.id, "Produk tidak ditemukan");
    }
}
