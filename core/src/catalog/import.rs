//! Catalog files in and out: the JSON array sellers and our tools exchange, and the CSV
//! sellers keep in a spreadsheet.
//!
//! JSON: `[{"id", "name", "price_idr", "unit", "variants": {"warna": ["merah", ...]}}]`,
//! optional `description`, `stock` (null or absent: unlimited), `category`, `seller`.
//! CSV: a header row naming columns in English or Indonesian (`name`/`nama`,
//! `price`/`harga`, `stock`/`stok`, ...), comma or semicolon separated (Indonesian Excel
//! writes semicolons), variants as `warna: merah|biru; ukuran: M|L`.
//!
//! Each row is checked on its own: a bad row is reported with its number and reason and
//! skipped; the good rows are saved, all in one transaction.

use super::product::{
    NewProduct, PriceInput, Product, ProductPatch, Stock, VariantOption, VariantsInput,
};
use crate::error::{Error, Problem, ValidationError};
use serde::Deserialize;
use serde_json::Value;

/// A catalog file larger than this is refused before it is read.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
pub const MAX_ROWS: usize = 200_000;

/// One product as a catalog file describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct CatalogRow {
    pub id: Option<String>,
    pub name: String,
    pub price: PriceInput,
    pub unit: String,
    pub stock: Stock,
    pub description: String,
    pub category: Option<String>,
    pub seller: Option<String>,
    pub options: Vec<VariantOption>,
}

/// The rows read from a file (with their row numbers) and the rows that could not be read.
pub type Rows = (Vec<(usize, CatalogRow)>, Vec<RowError>);

/// Why a row was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// 1-based: the element of the JSON array, or the line of the CSV file.
    pub row: usize,
    pub id: Option<String>,
    pub field: String,
    pub message: crate::i18n::Text,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub errors: Vec<RowError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("file too large: {bytes} bytes")]
    TooLarge { bytes: usize },
    #[error("not a catalog file: {0}")]
    Malformed(String),
}

impl From<ImportError> for Error {
    fn from(e: ImportError) -> Self {
        let problem = match e {
            ImportError::TooLarge { .. } => Problem::TooLarge {
                max: i64::try_from(MAX_FILE_BYTES).unwrap_or(i64::MAX),
            },
            ImportError::Malformed(_) => Problem::Invalid,
        };
        ValidationError::new("file", problem).into()
    }
}

#[derive(Deserialize)]
struct JsonRow {
    id: Option<Value>,
    name: Option<String>,
    price_idr: Option<Value>,
    unit: Option<String>,
    variants: Option<std::collections::BTreeMap<String, Vec<Value>>>,
    description: Option<String>,
    stock: Option<Value>,
    category: Option<String>,
    seller: Option<String>,
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads a JSON catalog. Rows that cannot be read are returned as errors.
pub fn read_json(bytes: &[u8]) -> Result<Rows, ImportError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { bytes: bytes.len() });
    }
    let raw: Vec<Value> =
        serde_json::from_slice(bytes).map_err(|e| ImportError::Malformed(e.to_string()))?;
    if raw.len() > MAX_ROWS {
        return Err(ImportError::Malformed(format!(
            "more than {MAX_ROWS} products"
        )));
    }
    let mut rows = Vec::with_capacity(raw.len());
    let mut errors = Vec::new();
    for (i, value) in raw.into_iter().enumerate() {
        let n = i + 1;
        let id_hint = value.get("id").and_then(text_of);
        let bad = |field: &str| RowError {
            row: n,
            id: id_hint.clone(),
            field: field.to_owned(),
            message: crate::i18n::Text::new(
                format!("Baris {n}: kolom {field} tidak terbaca"),
                format!("Row {n}: field {field} cannot be read"),
            ),
        };
        let row: JsonRow = match serde_json::from_value(value) {
            Ok(r) => r,
            Err(_) => {
                errors.push(bad("row"));
                continue;
            }
        };
        let price = match row.price_idr {
            Some(Value::Number(num)) => match num.as_i64() {
                Some(idr) => PriceInput::Idr(idr),
                None => {
                    errors.push(bad("price_idr"));
                    continue;
                }
            },
            Some(Value::String(s)) => PriceInput::Typed(s),
            _ => {
                errors.push(bad("price_idr"));
                continue;
            }
        };
        let stock = match row.stock {
            None | Some(Value::Null) => Stock::Unlimited,
            Some(Value::Number(num)) => match num.as_i64() {
                Some(n) => Stock::Limited(n),
                None => {
                    errors.push(bad("stock"));
                    continue;
                }
            },
            Some(_) => {
                errors.push(bad("stock"));
                continue;
            }
        };
        let options = row
            .variants
            .unwrap_or_default()
            .into_iter()
            .map(|(name, values)| VariantOption {
                name,
                values: values.iter().filter_map(text_of).collect(),
            })
            .collect();
        rows.push((
            n,
            CatalogRow {
                id: row.id.as_ref().and_then(text_of),
                name: row.name.unwrap_or_default(),
                price,
                unit: row.unit.unwrap_or_default(),
                stock,
                description: row.description.unwrap_or_default(),
                category: row.category,
                seller: row.seller,
                options,
            },
        ));
    }
    Ok((rows, errors))
}

/// Splits CSV text into records: quotes, doubled quotes, separators and line breaks
/// inside quotes, CRLF. The separator is the one (`,` `;` or tab) the header uses most.
pub fn csv_records(text: &str) -> Vec<(usize, Vec<String>)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = text.lines().next().unwrap_or_default();
    let sep = [',', ';', '\t']
        .into_iter()
        .max_by_key(|s| header.matches(*s).count())
        .unwrap_or(',');
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut record_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' if quoted => quoted = false,
            '"' if field.is_empty() => quoted = true,
            '\n' if quoted => {
                line += 1;
                field.push('\n');
            }
            c if c == sep && !quoted => record.push(std::mem::take(&mut field)),
            '\r' if !quoted => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                if record.iter().any(|f| !f.trim().is_empty()) {
                    records.push((record_line, std::mem::take(&mut record)));
                } else {
                    record.clear();
                }
                line += 1;
                record_line = line;
            }
            c => field.push(c),
        }
    }
    record.push(field);
    if record.iter().any(|f| !f.trim().is_empty()) {
        records.push((record_line, record));
    }
    records
}

/// Reads a CSV catalog with a header row.
pub fn read_csv(bytes: &[u8]) -> Result<Rows, ImportError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { bytes: bytes.len() });
    }
    let text =
        std::str::from_utf8(bytes).map_err(|_| ImportError::Malformed("not UTF-8 text".into()))?;
    let mut records = csv_records(text).into_iter();
    let Some((_, header)) = records.next() else {
        return Err(ImportError::Malformed("empty file".into()));
    };
    let column = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.contains(&h.trim().to_lowercase().as_str()))
    };
    let name_col = column(&["name", "nama", "nama produk", "produk"])
        .ok_or_else(|| ImportError::Malformed("no name column (name / nama)".into()))?;
    let price_col = column(&["price", "price_idr", "harga", "harga jual"])
        .ok_or_else(|| ImportError::Malformed("no price column (price / harga)".into()))?;
    let id_col = column(&["id", "sku", "kode", "kode produk"]);
    let unit_col = column(&["unit", "satuan"]);
    let stock_col = column(&["stock", "stok"]);
    let desc_col = column(&["description", "deskripsi", "keterangan"]);
    let cat_col = column(&["category", "kategori"]);
    let seller_col = column(&["seller", "penjual", "toko"]);
    let var_col = column(&["variants", "varian", "variasi"]);
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (line, rec) in records.take(MAX_ROWS) {
        let get = |col: Option<usize>| {
            col.and_then(|c| rec.get(c))
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        let stock = match get(stock_col) {
            None => Stock::Unlimited,
            Some(s)
                if ["unlimited", "tak terbatas", "-", "∞"].contains(&s.to_lowercase().as_str()) =>
            {
                Stock::Unlimited
            }
            Some(s) => match s.replace(['.', ','], "").parse::<i64>() {
                Ok(n) => Stock::Limited(n),
                Err(_) => {
                    errors.push(RowError {
                        row: line,
                        id: get(id_col),
                        field: "stock".into(),
                        message: crate::i18n::Text::new(
                            format!("Baris {line}: stok \"{s}\" bukan angka"),
                            format!("Line {line}: stock \"{s}\" is not a number"),
                        ),
                    });
                    continue;
                }
            },
        };
        rows.push((
            line,
            CatalogRow {
                id: get(id_col),
                name: get(Some(name_col)).unwrap_or_default(),
                price: PriceInput::Typed(get(Some(price_col)).unwrap_or_default()),
                unit: get(unit_col).unwrap_or_default(),
                stock,
                description: get(desc_col).unwrap_or_default(),
                category: get(cat_col),
                seller: get(seller_col),
                options: get(var_col)
                    .map(|v| parse_variants_cell(&v))
                    .unwrap_or_default(),
            },
        ));
    }
    Ok((rows, errors))
}

/// `warna: merah|biru; ukuran: M|L` → two options.
fn parse_variants_cell(cell: &str) -> Vec<VariantOption> {
    cell.split(';')
        .filter_map(|part| {
            let (name, values) = part.split_once(':')?;
            Some(VariantOption {
                name: name.trim().to_owned(),
                values: values
                    .split(['|', ',', '/'])
                    .map(|v| v.trim().to_owned())
                    .collect(),
            })
        })
        .collect()
}

impl CatalogRow {
    pub(crate) fn into_new(self, seller_id: String) -> NewProduct {
        let mut n = NewProduct::new(&seller_id, &self.name, self.price);
        n.source_id = self.id;
        n.unit = self.unit;
        n.stock = self.stock;
        n.description = self.description;
        n.category = self.category;
        n.options = self.options;
        n
    }

    pub(crate) fn into_patch(self) -> ProductPatch {
        ProductPatch {
            name: Some(self.name),
            description: Some(self.description),
            price: Some(self.price),
            unit: Some(self.unit),
            stock: Some(self.stock),
            category: Some(self.category),
            variants: Some(VariantsInput {
                options: self.options,
                variants: Vec::new(),
            }),
            ..Default::default()
        }
    }
}

pub(crate) fn row_error(row: usize, id: Option<String>, e: &Error) -> RowError {
    let user = e.to_user();
    RowError {
        row,
        id,
        field: user.field.unwrap_or_default(),
        message: crate::i18n::Text::new(
            format!("Baris {row}: {}", user.message.id),
            format!("Row {row}: {}", user.message.en),
        ),
    }
}

/// The catalog as the JSON file format, with the seller's name.
pub fn to_json(products: &[(Product, Option<String>)]) -> String {
    let rows: Vec<Value> = products
        .iter()
        .map(|(p, seller)| {
            let mut row = serde_json::json!({
                "id": p.source_id.clone().unwrap_or_else(|| p.id.clone()),
                "name": p.name,
                "price_idr": p.price.idr(),
                "unit": p.unit,
                "variants": p.options.iter().map(|o| (o.name.clone(), Value::from(o.values.clone()))).collect::<serde_json::Map<String, Value>>(),
            });
            if let Some(obj) = row.as_object_mut() {
                if !p.description.is_empty() {
                    obj.insert("description".into(), p.description.clone().into());
                }
                if let Stock::Limited(n) = p.stock {
                    obj.insert("stock".into(), n.into());
                }
                if let Some(c) = &p.category {
                    obj.insert("category".into(), c.clone().into());
                }
                if let Some(s) = seller {
                    obj.insert("seller".into(), s.clone().into());
                }
            }
            row
        })
        .collect();
    serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_rows_are_read_and_bad_ones_reported() {
        let json = br#"[
            {"id": "DNT-01", "name": "Donat coklat", "price_idr": 25000, "unit": "box",
             "variants": {"topping": ["keju", "meses"]}, "stock": 12, "category": "Kue", "seller": "Bu Rina"},
            {"id": 7, "name": "Bantal", "price_idr": "45rb", "unit": "pcs", "variants": {}},
            {"id": "X", "name": "Rusak", "price_idr": [1], "unit": "pcs"},
            "not an object"
        ]"#;
        let (rows, errors) = read_json(json).expect("read");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].1.id.as_deref(), Some("DNT-01"));
        assert_eq!(rows[0].1.options[0].values, ["keju", "meses"]);
        assert_eq!(rows[1].1.id.as_deref(), Some("7"));
        assert_eq!(rows[1].1.price, PriceInput::Typed("45rb".into()));
        assert_eq!(errors.iter().map(|e| e.row).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(errors[0].field, "price_idr");
        assert!(read_json(b"{\"not\": \"an array\"}").is_err());
        assert!(read_json(b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]").is_err());
    }

    #[test]
    fn csv_in_indonesian_excel_shape() {
        let csv = "\u{feff}Kode;Nama;Harga;Satuan;Stok;Kategori;Varian\r\n\
                   DNT-01;\"Donat coklat; isi 6\";Rp25.000;box;12;Kue;topping: keju|meses\r\n\
                   BTL-02;Bantal;45rb;;tak terbatas;Rumah;\r\n\
                   \r\n\
                   X;Rusak;1000;pcs;banyak;;\r\n";
        let (rows, errors) = read_csv(csv.as_bytes()).expect("read");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].1.name, "Donat coklat; isi 6");
        assert_eq!(rows[0].1.price, PriceInput::Typed("Rp25.000".into()));
        assert_eq!(rows[0].1.options[0].name, "topping");
        assert_eq!(rows[1].1.stock, Stock::Unlimited);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].row, 5);
        assert!(
            read_csv(b"foo,bar\n1,2\n").is_err(),
            "no name or price column"
        );
    }

    #[test]
    fn csv_quotes_and_line_breaks() {
        let recs = csv_records("a,b\n\"x, \"\"y\"\"\",\"line\nbreak\"\n");
        assert_eq!(recs[1].1, ["x, \"y\"", "line\nbreak"]);
    }
}
