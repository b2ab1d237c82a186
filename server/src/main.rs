//! `pasar-server [--config FILE]`: runs the server with settings from the file (or
//! `PASAR_CONFIG`) and the environment, see `ops::config`.
//!
//! Exit codes: 0 after a clean stop (SIGTERM, Ctrl-C), 2 for bad settings, 1 for a
//! failure to listen or to open the database. Stdout carries exactly two lines,
//! `listening on ADDR` and `stopped`, for a supervisor or a test; the log goes to stderr.

use pasar_server::Settings;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "usage: pasar-server [--config FILE]\n\
             Settings come from FILE (or PASAR_CONFIG), overridden by PASAR_* variables."
        );
        return ExitCode::SUCCESS;
    }
    // Before the logger exists (its settings are among these), errors go to stderr plainly.
    let settings =
        match Settings::config_arg(&args).and_then(|file| Settings::load(file.as_deref())) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("pasar-server: {e}");
                return ExitCode::from(2);
            }
        };
    if let Err(e) = pasar_server::ops::logging::init(&settings.log) {
        eprintln!("pasar-server: {e}");
        return ExitCode::from(2);
    }
    let listener = match tokio::net::TcpListener::bind(settings.addr).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(addr = %settings.addr, error = %e, "cannot listen");
            return ExitCode::from(1);
        }
    };
    // Signal handlers before "listening on": a supervisor may stop us the moment it reads it.
    let stop = pasar_server::shutdown_signal();
    match listener.local_addr() {
        Ok(addr) => {
            tracing::info!(%addr, "listening");
            println!("listening on {addr}");
        }
        Err(e) => tracing::warn!(error = %e, "cannot tell the address listened on"),
    }
    match pasar_server::serve_with(listener, &settings, stop).await {
        Ok(()) => {
            println!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %e, "the server failed");
            ExitCode::from(1)
        }
    }
}
