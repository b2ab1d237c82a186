//! Chat orders for `bench/run orders`: a catalog people order from and a market group's
//! WhatsApp messages, each written with what it means (intent, ordered items, quantities
//! in the product's unit), so extractors can be scored on it. Same seed, same chat.
//!
//! Only orders have items: a question or a cancel that names a product orders nothing.

use crate::generate::{self, Rng};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};

/// What a message is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Intent {
    Order,
    Question,
    Cancel,
    Other,
}

impl Intent {
    pub const ALL: [Intent; 4] = [
        Intent::Order,
        Intent::Question,
        Intent::Cancel,
        Intent::Other,
    ];

    /// The label extractors print.
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Order => "order",
            Intent::Question => "question",
            Intent::Cancel => "cancel",
            Intent::Other => "other",
        }
    }
}

/// One ordered line: a product (its index in the catalog), how many of its unit, and the
/// variant the message named (option → value, as the catalog spells them).
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub product: usize,
    pub qty: u32,
    pub variant: Vec<(String, String)>,
}

/// What the group's order form asked for, as the buyer filled it in.
#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub name: String,
    pub phone: String,
    pub address: String,
    pub payment: String,
}

/// A message and what it means.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub id: String,
    pub text: String,
    pub intent: Intent,
    pub items: Vec<Item>,
    pub form: Option<Form>,
}

impl Message {
    /// The input line: `{"id", "text"}`.
    pub fn input_json(&self) -> Value {
        json!({"id": self.id, "text": self.text})
    }

    /// The truth line: `{"id", "intent", "items": [{"product_id", "qty", "variant"?}]}`,
    /// plus `name`, `phone`, `address`, `payment` for filled-in order forms.
    pub fn truth_json(&self, catalog: &Catalog) -> Value {
        let items: Vec<Value> = self
            .items
            .iter()
            .map(|item| {
                let mut v = json!({"product_id": catalog.id(item.product), "qty": item.qty});
                if !item.variant.is_empty() {
                    let variant: Map<String, Value> = item
                        .variant
                        .iter()
                        .map(|(k, val)| (k.clone(), Value::from(val.as_str())))
                        .collect();
                    v["variant"] = Value::Object(variant);
                }
                v
            })
            .collect();
        let mut v = json!({"id": self.id, "intent": self.intent.as_str(), "items": items});
        if let Some(form) = &self.form {
            v["name"] = json!(form.name);
            v["phone"] = json!(form.phone);
            v["address"] = json!(form.address);
            v["payment"] = json!(form.payment);
        }
        v
    }
}

/// Words sellers put around a name that no buyer types ("Jual … Murah"); the same list as
/// the catalog generator's, longest first so "Ready Stock" goes before "Ready".
const FILLER: &[&str] = &[
    "Ready Stock",
    "Best Seller",
    "Termurah",
    "Promo",
    "Ready",
    "Murah",
    "Viral",
    "Jual",
    "Ori",
    "COD",
];

/// What the message writer knows about a product.
struct Product {
    /// The name without the sellers' filler words, as the catalog capitalises it.
    plain: String,
    /// Its words, lower case: what identifies the product.
    words: Vec<String>,
    /// Its first term and one other that together point at it (see `Catalog::shorten`),
    /// for names of three terms or more: what a buyer in a hurry types.
    short: Option<String>,
    unit: String,
    /// Option name and values, as in the catalog's `variants`.
    options: Vec<(String, Vec<String>)>,
}

/// A catalog in the JSON shape of catalog files, every product told apart by its words.
pub struct Catalog {
    pub rows: Vec<Value>,
    products: Vec<Product>,
    /// Every word of every name, lower case: a typo must not land on one of them.
    vocabulary: HashSet<String>,
}

impl Catalog {
    /// `n` products drawn from the catalog generator, ids `P00001`…, keeping only names
    /// whose words (fillers aside) no earlier product has: two products a buyer would call
    /// by the same words cannot be told apart in a chat, by a person or a parser. Half
    /// the names carry their maker ("Brownies Keju Amanda", "Sambal Bawang Bu Rina"), as
    /// home-made goods do: the generator's words alone make about 5,200 names, so 5,000
    /// of them would be every combination, and no short name would point at one product.
    pub fn generate(seed: u64, n: usize) -> Catalog {
        let mut rng = Rng::new(seed);
        let sellers = generate::sellers(&mut rng, 300);
        let (mut rows, mut products) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let mut seen = HashSet::new();
        let mut draws = 0;
        while rows.len() < n {
            draws += 1;
            assert!(
                draws < n * 200,
                "the catalog generator has fewer than {n} distinct names"
            );
            let mut row = generate::product(&mut rng, draws, &sellers);
            let mut name = row["name"].as_str().expect("generated name").to_owned();
            let mut plain = strip_filler(&name).to_owned();
            if rng.chance(50) {
                let maker = format!("{plain} {}", rng.pick(MAKERS));
                name = name.replacen(&plain, &maker, 1);
                row["name"] = json!(name);
                plain = maker;
            }
            let words: Vec<String> = plain.split_whitespace().map(str::to_lowercase).collect();
            let mut key = words.clone();
            key.sort();
            key.dedup();
            if !seen.insert(key.join(" ")) {
                continue;
            }
            row["id"] = json!(format!("P{:05}", rows.len() + 1));
            let options = row["variants"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| {
                            let values = v.as_array().map_or(Vec::new(), |a| {
                                a.iter()
                                    .filter_map(|x| x.as_str().map(str::to_owned))
                                    .collect()
                            });
                            (k.clone(), values)
                        })
                        .collect()
                })
                .unwrap_or_default();
            products.push(Product {
                plain,
                words,
                short: None,
                unit: row["unit"].as_str().unwrap_or("pcs").to_owned(),
                options,
            });
            rows.push(row);
        }
        let vocabulary = products
            .iter()
            .flat_map(|p| p.words.iter().cloned())
            .collect();
        let mut catalog = Catalog {
            rows,
            products,
            vocabulary,
        };
        catalog.shorten();
        catalog
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn id(&self, product: usize) -> &str {
        self.rows[product]["id"].as_str().expect("generated id")
    }

    /// Products with a short name (for the generator's own report).
    pub fn shortened(&self) -> usize {
        self.products.iter().filter(|p| p.short.is_some()).count()
    }

    /// Finds each long name's two most distinctive terms: its first term and the rarest
    /// other such that no name holding both has as few words as this one. Names share
    /// most of their words ("Donat Keju", "Donat Coklat Keju"), so a pair rarely belongs
    /// to one name alone; a reader takes the closest: "singkong pedas" is "Keripik
    /// Singkong Pedas", not "Keripik Singkong Pedas Manis".
    fn shorten(&mut self) {
        let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut next: HashMap<&str, HashSet<Option<&str>>> = HashMap::new();
        for (i, p) in self.products.iter().enumerate() {
            let mut seen = HashSet::new();
            for (k, w) in p.words.iter().enumerate() {
                if seen.insert(w.as_str()) {
                    postings.entry(w.as_str()).or_default().push(i);
                }
                let after = p.words.get(k + 1).map(String::as_str);
                next.entry(w.as_str()).or_default().insert(after);
            }
        }
        // A word always followed by the same one makes one term with it ("green tea",
        // "gula aren", "vitamin c", "kue lapis"): a buyer does not split those. "Keripik"
        // is followed by "singkong" or "pisang", so "singkong pedas" stays possible.
        let glued = |a: &str, b: &str| {
            next.get(a)
                .is_some_and(|s| s.len() == 1 && s.contains(&Some(b)))
        };
        let sizes: Vec<usize> = self
            .products
            .iter()
            .map(|p| p.words.iter().collect::<HashSet<_>>().len())
            .collect();
        let mut shorts = Vec::with_capacity(self.products.len());
        for (i, p) in self.products.iter().enumerate() {
            let mut terms: Vec<Vec<&str>> = Vec::new();
            for w in &p.words {
                match terms.last_mut() {
                    Some(term) if glued(term[term.len() - 1], w) => term.push(w),
                    _ => terms.push(vec![w]),
                }
            }
            let all_terms = terms.len();
            // Numbers and two-letter words ("1 liter", "isi 10", "bu") are not what people
            // pick to name a thing.
            terms.retain(|t| {
                t.iter()
                    .all(|w| w.len() > 2 && w.chars().all(char::is_alphabetic))
            });
            if all_terms < 3 || terms.len() < 2 || terms[0][0] != p.words[0] {
                shorts.push(None);
                continue;
            }
            // The first term is what the thing is ("serum wajah", "keset"): people keep it
            // and add the one other word that sets theirs apart.
            let mut others: Vec<(usize, usize)> = (1..terms.len())
                .filter(|&b| terms[b] != terms[0])
                .map(|b| (postings[terms[b][0]].len(), b))
                .collect();
            others.sort();
            let short = others.into_iter().find_map(|(_, b)| {
                let mut both = postings[terms[0][0]].clone();
                for w in terms[0].iter().chain(&terms[b]) {
                    both = intersection(&both, &postings[w]);
                }
                let fewest = both.iter().map(|&o| sizes[o]).min();
                let alone = both.iter().filter(|&&o| Some(sizes[o]) == fewest).count() == 1;
                (alone && Some(sizes[i]) == fewest)
                    .then(|| format!("{} {}", terms[0].join(" "), terms[b].join(" ")))
            });
            shorts.push(short);
        }
        for (p, short) in self.products.iter_mut().zip(shorts) {
            p.short = short;
        }
    }
}

fn intersection(a: &[usize], b: &[usize]) -> Vec<usize> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn strip_filler(name: &str) -> &str {
    let mut s = name;
    for f in FILLER {
        if let Some(rest) = s.strip_prefix(f).and_then(|r| r.strip_prefix(' ')) {
            s = rest;
            break;
        }
    }
    for f in FILLER {
        if let Some(rest) = s.strip_suffix(f).and_then(|r| r.strip_suffix(' ')) {
            s = rest;
            break;
        }
    }
    s
}

/// Who makes it: one title per name, so "Bu Rina" stays one term (see `shorten`).
const MAKERS: &[&str] = &[
    "Bu Rina",
    "Mak Ijah",
    "Mama Ita",
    "Bunda Aira",
    "Ceu Yuyun",
    "Mbak Lia",
    "Ci Melati",
    "Cak Har",
    "Pak Eko",
    "Kak Nisa",
    "Amanda",
    "Meranti",
    "Juara",
    "Mantul",
    "Sultan",
    "Kencana",
    "Lestari",
    "Barokah",
    "Berkah",
    "Sinar",
    "Mulya",
    "Jaya",
];

const BUYERS: &[&str] = &[
    "Rina Susanti",
    "Bu Ani",
    "Dewi Lestari",
    "Pak Budi",
    "Mama Andi",
    "Siti Nurhaliza",
    "Yuyun",
    "Lia Blok C",
    "Joko Santoso",
    "Melati",
    "Bunda Aira",
    "Dimas Pratama",
    "Ayu Wulandari",
    "Endang",
    "Nisa",
];

const STREETS: &[&str] = &[
    "Jl. Melati",
    "Jl. Kenanga Raya",
    "Gg. Mawar",
    "Jl. Diponegoro",
    "Perum Griya Asri",
    "Jl. Sudirman",
    "Komplek Bumi Indah",
];

const PAYMENTS: &[&str] = &[
    "transfer BCA",
    "COD",
    "QRIS",
    "tf Mandiri",
    "bayar di tempat",
];

const NUMBER_WORDS: &[&str] = &[
    "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh",
];

/// Writes a market group's chat over `catalog`.
pub struct ChatWriter<'a> {
    catalog: &'a Catalog,
    rng: Rng,
}

impl<'a> ChatWriter<'a> {
    pub fn new(catalog: &'a Catalog, seed: u64) -> Self {
        ChatWriter {
            catalog,
            rng: Rng::new(seed),
        }
    }

    /// `n` messages, ids `m000001`…: 60 % orders, 15 % questions, 10 % cancels, 15 % other.
    pub fn messages(&mut self, n: usize) -> Vec<Message> {
        (1..=n).map(|i| self.message(format!("m{i:06}"))).collect()
    }

    fn message(&mut self, id: String) -> Message {
        let roll = self.rng.below(100);
        let (intent, mut text, items, form) = if roll < 60 {
            let (text, items, form) = self.order();
            (Intent::Order, text, items, form)
        } else if roll < 75 {
            (Intent::Question, self.question(), Vec::new(), None)
        } else if roll < 85 {
            (Intent::Cancel, self.cancel(), Vec::new(), None)
        } else {
            (Intent::Other, self.other(), Vec::new(), None)
        };
        // Some people write in capitals.
        if self.rng.chance(3) {
            text = text.to_uppercase();
        }
        Message {
            id,
            text,
            intent,
            items,
            form,
        }
    }

    fn order(&mut self) -> (String, Vec<Item>, Option<Form>) {
        let roll = self.rng.below(100);
        let count = match roll {
            0..40 => 1,
            40..60 => 2 + self.rng.below(2),
            _ => 2 + self.rng.below(4),
        };
        let products = self.distinct_products(count);
        if roll < 40 {
            let p = products[0];
            // An order that names no quantity is for one.
            if self.rng.chance(15) {
                let name = self.mention(p);
                let text = match self.rng.below(4) {
                    0 => format!("kak pesen {name} ya"),
                    1 => format!("mau order {name} kak"),
                    2 => format!("pesen {name} dong kak"),
                    _ => format!("aku ambil {name} ya bu 🙏"),
                };
                let item = Item {
                    product: p,
                    qty: 1,
                    variant: Vec::new(),
                };
                return (text, vec![item], None);
            }
            if self.rng.chance(10) {
                // Asks first, orders in the same breath.
                let name = self.mention(p);
                let qty = self.qty(p);
                let q = self.qty_text(p, qty);
                let text = format!("kak {name} masih ada? kalo ada aku pesen {q} ya");
                let item = Item {
                    product: p,
                    qty,
                    variant: Vec::new(),
                };
                return (text, vec![item], None);
            }
            let (line, item) = self.item(p);
            let text = match self.rng.below(11) {
                9 => format!("jadi ambil {line} ya kak"),
                10 => format!("{line} ya kak, makasih 🙏"),
                0 => format!("kak pesen {line} ya"),
                1 => format!("{line} ya kak"),
                2 => format!("mau order {line} kak"),
                3 => format!("bu, {line} ya, nanti sore diambil"),
                4 => format!("PO {line}"),
                5 => format!("saya ambil {line} kak 🙏"),
                6 => format!("aku mau {line}"),
                7 => format!("pesan {line}, bayar cod ya"),
                _ => format!("ikut PO {line} kak"),
            };
            return (text, vec![item], None);
        }
        let (lines, items): (Vec<String>, Vec<Item>) =
            products.iter().map(|&p| self.item(p)).unzip();
        let text = if roll < 60 {
            let joiner = *self
                .rng
                .pick(&[" sm ", ", ", " dan ", " & ", " sama ", " + "]);
            let joined = lines.join(joiner);
            match self.rng.below(4) {
                0 => format!("kak pesen {joined} ya"),
                1 => joined,
                2 => format!("mau {joined} kak"),
                _ => format!("order {joined} 🙏"),
            }
        } else if roll < 80 {
            let header = *self.rng.pick(&[
                "kak pesen ya:",
                "order kak",
                "Pesanan saya:",
                "PO ya bu",
                "mau pesen",
            ]);
            let bullet = self.rng.below(4);
            let mut text = header.to_owned();
            for (k, line) in lines.iter().enumerate() {
                text.push('\n');
                match bullet {
                    0 => {}
                    1 => text.push_str("- "),
                    2 => text.push_str("• "),
                    _ => text.push_str(&format!("{}. ", k + 1)),
                }
                text.push_str(line);
            }
            if self.rng.chance(50) {
                text.push_str("\nmakasih kak 🙏");
            }
            text
        } else {
            let form = self.form();
            let mut text = String::from(*self.rng.pick(&[
                "Format order",
                "*FORMAT ORDER*",
                "FORMAT ORDER:",
                "Format Pemesanan",
            ]));
            let colon = *self.rng.pick(&[": ", " : ", ":"]);
            text.push_str(&format!("\nNama{colon}{}", form.name));
            text.push_str(&format!("\nAlamat{colon}{}", form.address));
            let hp = *self.rng.pick(&["No HP", "No. HP", "No WA", "HP"]);
            text.push_str(&format!("\n{hp}{colon}{}", form.phone));
            if lines.len() == 1 || self.rng.chance(15) {
                text.push_str(&format!("\nPesanan{colon}{}", lines.join(", ")));
            } else {
                text.push_str(&format!("\nPesanan{}", colon.trim_end()));
                for line in &lines {
                    text.push_str("\n- ");
                    text.push_str(line);
                }
            }
            text.push_str(&format!("\nPembayaran{colon}{}", form.payment));
            return (text, items, Some(form));
        };
        (text, items, None)
    }

    fn form(&mut self) -> Form {
        let rng = &mut self.rng;
        let name = (*rng.pick(BUYERS)).to_owned();
        let address = match rng.below(3) {
            0 => format!("{} No. {}", rng.pick(STREETS), 1 + rng.below(120)),
            1 => format!(
                "{} Blok {}{} No. {}",
                rng.pick(STREETS),
                ["A", "B", "C", "D"][rng.below(4)],
                1 + rng.below(9),
                1 + rng.below(40)
            ),
            _ => format!(
                "{} RT {:02}/RW {:02} no {}",
                rng.pick(STREETS),
                1 + rng.below(12),
                1 + rng.below(9),
                1 + rng.below(60)
            ),
        };
        let (a, b, c) = (10 + rng.below(90), rng.below(10_000), rng.below(10_000));
        let phone = match rng.below(3) {
            0 => format!("08{a}-{b:04}-{c:04}"),
            1 => format!("+62 8{a} {b:04} {c:04}"),
            _ => format!("08{a}{b:04}{c:04}"),
        };
        let payment = (*rng.pick(PAYMENTS)).to_owned();
        Form {
            name,
            phone,
            address,
            payment,
        }
    }

    fn distinct_products(&mut self, count: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::with_capacity(count);
        while out.len() < count {
            let p = self.rng.below(self.catalog.len());
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    /// One ordered item as written: name, maybe a variant, a quantity, in some order.
    fn item(&mut self, p: usize) -> (String, Item) {
        let name = self.mention(p);
        let qty = self.qty(p);
        let mut variant = Vec::new();
        let mut var_text = String::new();
        let options = &self.catalog.products[p].options;
        if !options.is_empty() && self.rng.chance(30) {
            let (option, values) = &options[self.rng.below(options.len())];
            if !values.is_empty() {
                let value = values[self.rng.below(values.len())].clone();
                // A colour or a letter size is clear alone; "12" or "pedas" needs its option
                // ("isi 12"), or it reads as a quantity or as another product's name.
                let bare = option == "Warna"
                    || (option == "Ukuran" && value.chars().all(|c| c.is_ascii_uppercase()));
                var_text = if bare {
                    value.to_lowercase()
                } else {
                    format!("{} {}", option.to_lowercase(), value.to_lowercase())
                };
                variant.push((option.clone(), value));
            }
        }
        let named = if var_text.is_empty() {
            name
        } else {
            format!("{name} {var_text}")
        };
        let line = match self.rng.below(10) {
            0..4 => format!("{named} {}", self.qty_text(p, qty)),
            4..6 => format!("{} {named}", self.qty_text(p, qty)),
            6 => format!("{named} x{qty}"),
            7 => format!("{named} {qty}x"),
            8 if qty <= 10 => format!("{named} {}", NUMBER_WORDS[qty as usize - 1]),
            _ => format!("{named} {qty}"),
        };
        let item = Item {
            product: p,
            qty,
            variant,
        };
        (line, item)
    }

    /// Mostly 1–3, sometimes up to 10, dozens of things sold by the piece or bottle.
    fn qty(&mut self, p: usize) -> u32 {
        let unit = self.catalog.products[p].unit.as_str();
        if matches!(unit, "pcs" | "botol") && self.rng.chance(8) {
            return *self.rng.pick(&[6, 12, 12, 24]);
        }
        match self.rng.below(10) {
            0..4 => 1,
            4..7 => 2,
            7..8 => 3,
            _ => 4 + self.rng.below(7) as u32,
        }
    }

    /// A quantity with or without its unit, in digits, words, or dozens.
    fn qty_text(&mut self, p: usize, qty: u32) -> String {
        let unit = self.catalog.products[p].unit.as_str();
        if matches!(unit, "pcs" | "botol") && qty.is_multiple_of(6) && self.rng.chance(70) {
            let dozens = match qty {
                6 => "setengah lusin".to_owned(),
                12 => (*self.rng.pick(&["selusin", "1 lusin", "satu lusin"])).to_owned(),
                _ => format!("{} lusin", qty / 12),
            };
            return if self.rng.chance(50) {
                format!("{dozens} {unit}")
            } else {
                dozens
            };
        }
        let number = if qty <= 10 && self.rng.chance(20) {
            NUMBER_WORDS[qty as usize - 1].to_owned()
        } else {
            qty.to_string()
        };
        if self.rng.chance(50) {
            return number;
        }
        let unit_word = match unit {
            "box" => *self.rng.pick(&["box", "kotak", "bx"]),
            "bungkus" => *self.rng.pick(&["bungkus", "bks", "bks"]),
            "pack" => *self.rng.pick(&["pack", "pak", "pck"]),
            "botol" => *self.rng.pick(&["botol", "btl"]),
            "pcs" => *self.rng.pick(&["pcs", "pc", "biji", "buah"]),
            other => other,
        };
        format!("{number} {unit_word}")
    }

    /// How a buyer names a product: its name, two words of it, with a typo, or pasted
    /// from the seller's post with the filler words.
    fn mention(&mut self, p: usize) -> String {
        let product = &self.catalog.products[p];
        let roll = self.rng.below(100);
        let mut name = if roll < 25 {
            product
                .short
                .clone()
                .unwrap_or_else(|| product.plain.clone())
        } else if roll < 30 {
            self.catalog.rows[p]["name"]
                .as_str()
                .expect("generated name")
                .to_owned()
        } else {
            product.plain.clone()
        };
        if self.rng.chance(15) {
            name = self.typo(&name);
        }
        if self.rng.chance(80) {
            name = name.to_lowercase();
        }
        name
    }

    /// Drops a vowel from, or swaps two letters of, one word of four letters or more,
    /// unless that makes another word of the catalog.
    fn typo(&mut self, name: &str) -> String {
        let words: Vec<&str> = name.split(' ').collect();
        let long: Vec<usize> = (0..words.len())
            .filter(|&i| words[i].chars().count() >= 4 && words[i].chars().all(char::is_alphabetic))
            .collect();
        if long.is_empty() {
            return name.to_owned();
        }
        let at = long[self.rng.below(long.len())];
        let chars: Vec<char> = words[at].chars().collect();
        let mut changed = chars.clone();
        if self.rng.chance(50) {
            // Keep the first letter: people rarely miss that one.
            let vowels: Vec<usize> = (1..chars.len())
                .filter(|&i| "aeiouAEIOU".contains(chars[i]))
                .collect();
            if vowels.is_empty() {
                return name.to_owned();
            }
            changed.remove(vowels[self.rng.below(vowels.len())]);
        } else {
            let i = 1 + self.rng.below(chars.len() - 2);
            if chars[i] == chars[i + 1] {
                return name.to_owned();
            }
            changed.swap(i, i + 1);
        }
        let typo: String = changed.into_iter().collect();
        if self.catalog.vocabulary.contains(&typo.to_lowercase()) {
            return name.to_owned();
        }
        let mut out: Vec<&str> = words.clone();
        out[at] = &typo;
        out.join(" ")
    }

    fn question(&mut self) -> String {
        let p = self.rng.below(self.catalog.len());
        let name = self.mention(p);
        let mut text = match self.rng.below(12) {
            0 => format!("brp kak {name}?"),
            1 => format!("{name} ready?"),
            2 => "ready kak?".to_owned(),
            3 => format!("{name} masih ada kak?"),
            4 => format!("harga {name} berapa ya?"),
            5 => format!("kak {name} ada varian apa aja?"),
            6 => "bisa cod ga kak?".to_owned(),
            7 => format!(
                "ongkir ke blok {} brp kak?",
                ["A", "B", "C", "D"][self.rng.below(4)]
            ),
            8 => format!("kak {name} kalo ambil {} brp?", 2 + self.rng.below(9)),
            9 => format!("kapan ready lagi {name} kak?"),
            10 => format!(
                "{name} kalo {} {} brp kak?",
                2 + self.rng.below(4),
                self.catalog.products[p].unit
            ),
            _ => format!("{name} stok masih?"),
        };
        // Many leave the question mark out.
        if self.rng.chance(30) {
            text = text.replacen('?', "", 1);
        }
        text
    }

    fn cancel(&mut self) -> String {
        let p = self.rng.below(self.catalog.len());
        let name = self.mention(p);
        match self.rng.below(12) {
            9 => "ga usah kak, maaf ya".to_owned(),
            10 => "hapus aja pesanan saya ya kak".to_owned(),
            11 => format!("skip dulu {name}nya kak"),
            0 => format!("kak batal ya {name}nya 🙏"),
            1 => "cancel pesanan saya kak, maaf".to_owned(),
            2 => format!("ga jadi {name} kak, maaf ya"),
            3 => "gajadi kak maaf 🙏".to_owned(),
            4 => format!("batalin yg {name} {} ya kak", 1 + self.rng.below(5)),
            5 => "maaf kak pesanannya dibatalkan aja".to_owned(),
            6 => "kak yg tadi cancel aja ya".to_owned(),
            7 => format!("{name} nya ga jadi ya kak"),
            _ => "nggak jadi order kak, maaf".to_owned(),
        }
    }

    fn other(&mut self) -> String {
        let p = self.rng.below(self.catalog.len());
        match self.rng.below(16) {
            0 => "makasih kak".to_owned(),
            1 => "makasih bu 🙏".to_owned(),
            2 => "udah tf ya kak".to_owned(),
            3 => format!(
                "udah transfer {} ya kak",
                ["50rb", "Rp 125.000", "75.000", "rp45rb", "200 ribu",][self.rng.below(5)]
            ),
            4 => "siap kak".to_owned(),
            5 => "ok kak ditunggu".to_owned(),
            6 => "👍".to_owned(),
            7 => "sama2 kak".to_owned(),
            8 => "sudah sampai, enak bgt 😍".to_owned(),
            9 => "<Media tidak disertakan>".to_owned(),
            10 => "alhamdulillah sudah diterima".to_owned(),
            11 => format!("kemarin {} nya enak bgt kak", self.mention(p)),
            12 => format!("udah tf buat {} ya kak", self.mention(p)),
            13 => "oke noted".to_owned(),
            14 => "selamat pagi semua 🙏".to_owned(),
            _ => "wkwkwk".to_owned(),
        }
    }
}
