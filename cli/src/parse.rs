//! `pasar parse export|number|money|order`: the chat parsers on the command line, for
//! admins and for scoring them against corpora.

pub fn run(args: &[String]) -> Result<(), String> {
    let (what, rest) = args
        .split_first()
        .ok_or("parse needs export, number, money or order")?;
    match what.as_str() {
        "export" => crate::parse_export::run(rest),
        "number" | "money" => crate::parse_amounts::run(what, rest),
        "order" => crate::parse_order::run(rest),
        other => Err(format!(
            "unknown parse action `{other}`: export, number, money or order"
        )),
    }
}
