//! `pasar-push-sink DIR`: the local stand-in for FCM, APNs and a Web Push service
//! ([`pasar_server::push::sink`]) as a process, for the Kotlin and Swift tests.
//!
//! Writes into DIR the key files and `server.env` (the `PASAR_PUSH_*` settings that
//! aim a `pasar-server` at it), prints `listening on ADDR` on stdout, then writes each
//! push it accepts to `DIR/received/NNNN-<service>.json` until SIGTERM or Ctrl-C.

use pasar_server::push::sink::{self, SinkKeys};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("usage: pasar-push-sink DIR");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("pasar-push-sink: {e}");
            return ExitCode::from(1);
        }
    };
    let result: Result<(), String> = runtime.block_on(async {
        let stop = pasar_server::shutdown_signal();
        let keys = SinkKeys::generate()?.with_out_dir(dir.join("received"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("cannot listen: {e}"))?;
        let sink = sink::start(listener, keys)
            .await
            .map_err(|e| e.to_string())?;
        sink.write_settings(&dir)
            .map_err(|e| format!("cannot write the settings into {}: {e}", dir.display()))?;
        println!("listening on {}", sink.url().trim_start_matches("http://"));
        stop.await;
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pasar-push-sink: {e}");
            ExitCode::from(1)
        }
    }
}
