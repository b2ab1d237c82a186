//! `pasar-crash-client DIR SERVER_URL TOKEN TAG [--settle]`: a phone's core in a process
//! of its own, for the crash tests (`tests/e2e/crash.rs`) to kill with SIGKILL anywhere.
//!
//! It opens the store in DIR (signed in already), then writes and syncs for ever: each
//! change is announced on stdout as `doing …` before its local transaction and `ack …`
//! once that transaction returned, which is the moment an app tells its user "saved".
//! With `--settle` it only syncs until nothing is left to send and exits 0.

use pasar_core::Pasar;
use pasar_core::catalog::{NewProduct, PageRequest, ProductPatch, Stock};
use pasar_core::sync::http::ReqwestClient;
use pasar_core::sync::{Backoff, MemoryTokens, SyncConfig, TokenStore};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, url, token, tag, rest @ ..] = args.as_slice() else {
        eprintln!("usage: pasar-crash-client DIR SERVER_URL TOKEN TAG [--settle]");
        return ExitCode::from(2);
    };
    match run(dir, url, token, tag, rest.iter().any(|a| a == "--settle")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pasar-crash-client: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(dir: &str, url: &str, token: &str, tag: &str, settle: bool) -> Result<(), String> {
    let pasar = Pasar::open(dir).map_err(|e| format!("open: {e}"))?;
    let tokens = Arc::new(MemoryTokens::default());
    tokens.save(Some(token.to_owned()));
    let sync = pasar.sync(SyncConfig {
        server_url: url.to_owned(),
        http: Arc::new(ReqwestClient::new().map_err(|e| e.0)?),
        tokens,
        backoff: Backoff {
            initial: Duration::from_millis(5),
            max: Duration::from_millis(50),
        },
    });
    let account = sync
        .account_id_blocking()
        .map_err(|e| e.to_string())?
        .ok_or("not signed in")?;
    if settle {
        for _ in 0..20 {
            match sync.sync_blocking(Duration::from_secs(30)) {
                Ok(r) if r.complete && r.pending == 0 => return Ok(()),
                _ => continue,
            }
        }
        return Err("never settled".into());
    }
    let mut own: Vec<String> = pasar
        .catalog()
        .list_products_blocking(&PageRequest::first(200))
        .map_err(|e| e.to_string())?
        .items
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut dice = std::process::id() as u64 ^ pasar_core::time::now_ms() as u64;
    let mut out = std::io::stdout().lock();
    for n in 0u64.. {
        dice = dice
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let roll = dice >> 33;
        if own.is_empty() || roll.is_multiple_of(3) {
            let name = format!("Kue {tag}-{n}");
            let _ = writeln!(out, "doing product {name}");
            let mut product = NewProduct::new(&account, &name, "15rb");
            product.stock = Stock::Limited(50);
            let made = pasar
                .catalog()
                .create_product_blocking(product)
                .map_err(|e| e.to_string())?;
            let _ = writeln!(out, "ack product {} {name}", made.id);
            own.push(made.id);
        } else {
            let id = &own[(roll as usize / 3) % own.len()];
            let description = format!("{tag}-{n}");
            let _ = writeln!(out, "doing edit {id} {description}");
            pasar
                .catalog()
                .update_product_blocking(
                    id,
                    ProductPatch {
                        description: Some(description.clone()),
                        ..Default::default()
                    },
                )
                .map_err(|e| e.to_string())?;
            let _ = writeln!(out, "ack edit {id} {description}");
        }
        let _ = out.flush();
        if n % 4 == 3 {
            // Out of retries mid-round is not the end: the next round goes on.
            let _ = sync.sync_blocking(Duration::from_secs(10));
        }
    }
    Ok(())
}
