//! The one error the apps see: a variant per thing a screen can do about it, each with
//! the message to show in Indonesian (`indonesian`) and English (`english`).
//!
//! (Not `message`: that name is taken by `Throwable.message` in Kotlin.)

use pasar_core::{ErrorKind, UserError};

#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum PasarError {
    /// Bad input; `field` names the form field (`"price"`, `"variants"`...).
    #[error("{english}")]
    Validation {
        field: String,
        indonesian: String,
        english: String,
    },
    #[error("{english}")]
    NotFound { indonesian: String, english: String },
    #[error("{english}")]
    Conflict { indonesian: String, english: String },
    #[error("{english}")]
    OutOfStock { indonesian: String, english: String },
    #[error("{english}")]
    Unauthorized { indonesian: String, english: String },
    #[error("{english}")]
    Network { indonesian: String, english: String },
    #[error("{english}")]
    Storage { indonesian: String, english: String },
    #[error("{english}")]
    Internal { indonesian: String, english: String },
}

impl From<UserError> for PasarError {
    fn from(u: UserError) -> Self {
        let (indonesian, english) = (u.message.id, u.message.en);
        match u.kind {
            ErrorKind::Validation => PasarError::Validation {
                field: u.field.unwrap_or_default(),
                indonesian,
                english,
            },
            ErrorKind::NotFound => PasarError::NotFound {
                indonesian,
                english,
            },
            ErrorKind::Conflict => PasarError::Conflict {
                indonesian,
                english,
            },
            ErrorKind::OutOfStock => PasarError::OutOfStock {
                indonesian,
                english,
            },
            ErrorKind::Unauthorized => PasarError::Unauthorized {
                indonesian,
                english,
            },
            ErrorKind::Network => PasarError::Network {
                indonesian,
                english,
            },
            ErrorKind::Storage => PasarError::Storage {
                indonesian,
                english,
            },
            ErrorKind::Internal => PasarError::Internal {
                indonesian,
                english,
            },
        }
    }
}

impl From<pasar_core::Error> for PasarError {
    fn from(e: pasar_core::Error) -> Self {
        e.to_user().into()
    }
}

impl PasarError {
    pub(crate) fn invalid_data_dir() -> Self {
        let e: pasar_core::Error = pasar_core::error::ValidationError::new(
            "data_dir",
            pasar_core::error::Problem::Required,
        )
        .into();
        e.into()
    }
}
