//! A development sender of one-time codes: each code is written to a file,
//! `<dir>/<E.164 number>.code`, for a developer's tools and for end-to-end tests that
//! drive a real server process (the Kotlin and Swift tests, `pasar demo`). Chosen with
//! `PASAR_DEV_CODES_DIR`; never in production, where an SMS or WhatsApp gateway plugs
//! into [`CodeSender`] instead.

use crate::auth::{CodeSender, SendFuture};
use pasar_core::PhoneNumber;
use std::path::PathBuf;

pub struct FileSender {
    dir: PathBuf,
}

impl FileSender {
    pub fn new(dir: impl Into<PathBuf>) -> std::io::Result<FileSender> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(FileSender { dir })
    }

    /// Where the last code for `e164` is written.
    pub fn path_for(&self, e164: &str) -> PathBuf {
        self.dir.join(format!("{e164}.code"))
    }
}

impl CodeSender for FileSender {
    fn send<'a>(&'a self, phone: &'a PhoneNumber, code: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let path = self.path_for(phone.e164());
            // Written aside and renamed, so a reader never sees half a code. A few
            // bytes on a local disk: not worth a blocking-pool hop.
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, code)
                .and_then(|()| std::fs::rename(&tmp, &path))
                .map_err(|e| format!("write code file: {e}"))
        })
    }
}
