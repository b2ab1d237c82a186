//! `pasar catalog import|export|search`: a store's catalog from the command line, for
//! sellers' catalog files and admins.

use pasar_core::Pasar;
use pasar_core::account::NewAccount;
use pasar_core::catalog::{FileFormat, SearchRequest};
use std::path::{Path, PathBuf};

/// The store used when no `--data` is given: a folder in the current directory.
const DEFAULT_DATA: &str = "pasar-data";

pub fn run(args: &[String]) -> Result<(), String> {
    let (action, rest) = args
        .split_first()
        .ok_or("catalog needs import, export or search")?;
    let positional: Vec<&String> = rest.iter().take_while(|a| !a.starts_with("--")).collect();
    let flags = crate::parse_flags(
        &rest[positional.len()..],
        &["--data", "--seller", "--limit"],
    )?;
    let flag = |name: &str| flags.iter().find(|(f, _)| *f == name).map(|(_, v)| *v);
    let data = PathBuf::from(flag("--data").unwrap_or(DEFAULT_DATA));
    let pasar = Pasar::open(&data).map_err(|e| e.to_user().message.en)?;
    match action.as_str() {
        "import" => {
            let [file] = positional.as_slice() else {
                return Err("usage: pasar catalog import FILE [--data DIR] [--seller NAME]".into());
            };
            import(
                &pasar,
                Path::new(file),
                flag("--seller").unwrap_or("Toko Saya"),
            )
        }
        "export" => {
            let json = pasar
                .catalog()
                .export_json_blocking()
                .map_err(|e| e.to_user().message.en)?;
            println!("{json}");
            Ok(())
        }
        "search" => {
            let limit = match flag("--limit") {
                Some(n) => n
                    .parse()
                    .map_err(|_| format!("--limit takes a number, not `{n}`"))?,
                None => 10,
            };
            let query = positional
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let page = pasar
                .catalog()
                .search_blocking(&SearchRequest {
                    query,
                    limit,
                    ..Default::default()
                })
                .map_err(|e| e.to_user().message.en)?;
            if !page.understood.is_empty() {
                eprintln!("{} found for: {}", page.total.unwrap_or(0), page.understood);
            }
            for p in page.items {
                println!("{}\t{}\t{}", p.source_id.unwrap_or(p.id), p.price, p.name);
            }
            Ok(())
        }
        other => Err(format!(
            "unknown catalog action `{other}`: import, export or search"
        )),
    }
}

fn import(pasar: &Pasar, file: &Path, seller_name: &str) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let format = match file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv" | "txt") => FileFormat::Csv,
        _ => FileFormat::Json,
    };
    // Rows that name no seller belong to this account (made if the store has none).
    let seller = pasar
        .accounts()
        .save_blocking(NewAccount {
            id: None,
            name: seller_name.to_owned(),
            phone: None,
        })
        .map_err(|e| e.to_user().message.en)?;
    let report = pasar
        .catalog()
        .import_file_blocking(&bytes, format, Some(&seller.id))
        .map_err(|e| e.to_user().message.en)?;
    for e in &report.errors {
        eprintln!("{}", e.message.en);
    }
    println!(
        "{} created, {} updated, {} refused",
        report.created,
        report.updated,
        report.errors.len()
    );
    Ok(())
}
