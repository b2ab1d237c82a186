//! `pasar-server`: runs the server with settings from the environment.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match pasar_server::Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pasar-server: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match pasar_server::bind(&config).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("pasar-server: cannot listen on {}: {e}", config.addr);
            return ExitCode::from(1);
        }
    };
    // The first line tells a supervisor (or a test) where we listen.
    match listener.local_addr() {
        Ok(addr) => println!("listening on {addr}"),
        Err(e) => eprintln!("pasar-server: {e}"),
    }
    let database = config.database.clone();
    match pasar_server::serve(listener, database, pasar_server::shutdown_signal()).await {
        Ok(()) => {
            println!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pasar-server: {e}");
            ExitCode::from(1)
        }
    }
}
