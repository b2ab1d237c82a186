//! `pasar`: the command line of the Pasar core. `pasar demo` runs the end-to-end demo.

mod catalog;
mod demo;
mod parse;
mod parse_amounts;
mod parse_export;
mod parse_order;
mod photo;
mod rekap;
mod sync_demo;
mod trade_demo;

use std::process::ExitCode;

// See Cargo.toml: the allocator is a measured choice of the command line.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
pasar — the Pasar core on the command line

USAGE:
    pasar demo [--data DIR]    run the end-to-end demo (a fresh temporary store unless --data)
    pasar photo IN --out DIR   prepare a listing photo (1280 px + thumbnail, metadata stripped)
    pasar catalog import FILE [--data DIR] [--seller NAME]
                               load a JSON or CSV catalog file into a store (default ./pasar-data)
    pasar catalog export [--data DIR]
                               print the store's catalog as JSON
    pasar catalog search WORDS... [--data DIR] [--limit N]
                               search the store's catalog the way the app does
    pasar rekap EXPORT.txt --catalog CATALOG.json [--format text|csv|json] [--admin NAME] [--title T]
                               a WhatsApp export → every buyer's order and the rekap to post back
    pasar parse export FILE    a WhatsApp export as JSON messages
    pasar parse number|money   numbers / rupiah amounts, one expression per stdin line → JSON lines
    pasar parse order --catalog CATALOG.json [--score]
                               chat messages (JSON lines with id and text) → orders matched to the catalog
    pasar serve [--addr ADDR]  run the server (default 127.0.0.1:8080; env PASAR_ADDR, PASAR_DATABASE_URL)
    pasar version              print the version
    pasar help                 print this help
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo::run(&args[1..]),
        Some("photo") => photo::run(&args[1..]),
        Some("catalog") => catalog::run(&args[1..]),
        Some("parse") => parse::run(&args[1..]),
        Some("rekap") => rekap::run(&args[1..]),
        Some("serve") => serve(&args[1..]),
        Some("version" | "--version" | "-V") => {
            println!("pasar {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pasar: {message}");
            ExitCode::from(2)
        }
    }
}

/// `pasar serve`: the server in the foreground until Ctrl-C or SIGTERM.
fn serve(args: &[String]) -> Result<(), String> {
    let mut config = pasar_server::Config::from_env()?;
    for (flag, value) in parse_flags(args, &["--addr"])? {
        if flag == "--addr" {
            config.addr = value
                .parse()
                .map_err(|_| format!("--addr `{value}` is not an address like 127.0.0.1:8080"))?;
        }
    }
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let listener = pasar_server::bind(&config)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
        let stop = pasar_server::shutdown_signal();
        if let Ok(addr) = listener.local_addr() {
            println!("listening on {addr}");
        }
        pasar_server::serve(listener, config.database.clone(), stop)
            .await
            .map_err(|e| e.to_string())
    })
}

/// Reads `--name VALUE` from `args`; anything else is an error.
pub(crate) fn parse_flags<'a>(
    args: &'a [String],
    known: &[&str],
) -> Result<Vec<(&'a str, &'a str)>, String> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if !known.contains(&flag.as_str()) {
            return Err(format!("unknown option `{flag}`\n\n{USAGE}"));
        }
        let value = it
            .next()
            .ok_or_else(|| format!("option `{flag}` needs a value"))?;
        out.push((flag.as_str(), value.as_str()));
    }
    Ok(out)
}
