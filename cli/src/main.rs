//! `pasar`: the command line of the Pasar core. `pasar demo` runs the end-to-end demo.

mod catalog;
mod demo;
mod photo;

use std::process::ExitCode;

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
    pasar version              print the version
    pasar help                 print this help
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo::run(&args[1..]),
        Some("photo") => photo::run(&args[1..]),
        Some("catalog") => catalog::run(&args[1..]),
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
