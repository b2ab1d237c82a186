//! A realistic, deterministic Indonesian catalog: names of 2–6 words, descriptions of
//! 80–300 characters, 40 % with variants, 300 sellers, filler words where sellers put
//! them. Same seed, same catalog.

use serde_json::{Value, json};

/// xorshift64*: small, fast, deterministic; quality is plenty for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

struct Kind {
    category: &'static str,
    nouns: &'static [&'static str],
    qualifiers: &'static [&'static str],
    unit: &'static str,
    price: (i64, i64),
    options: &'static [(&'static str, &'static [&'static str])],
}

const KINDS: &[Kind] = &[
    Kind {
        category: "Kue",
        nouns: &[
            "Donat",
            "Brownies",
            "Bolu",
            "Kue Lapis",
            "Nastar",
            "Kastengel",
            "Roti Sobek",
            "Pie Susu",
            "Klepon",
            "Martabak Manis",
            "Cheesecake",
            "Bika Ambon",
        ],
        qualifiers: &[
            "Coklat",
            "Keju",
            "Pandan",
            "Stroberi",
            "Green Tea",
            "Original",
            "Lumer",
            "Panggang",
            "Kukus",
            "Meses",
            "Almond",
            "Tiramisu",
            "Red Velvet",
            "Susu",
        ],
        unit: "box",
        price: (15_000, 150_000),
        options: &[
            ("Isi", &["6", "12", "24"]),
            ("Topping", &["Keju", "Meses", "Kacang", "Oreo"]),
        ],
    },
    Kind {
        category: "Camilan",
        nouns: &[
            "Keripik Singkong",
            "Keripik Pisang",
            "Makaroni",
            "Basreng",
            "Seblak Kering",
            "Rempeyek",
            "Kacang Bawang",
            "Rengginang",
            "Usus Crispy",
            "Kerupuk Kulit",
        ],
        qualifiers: &[
            "Pedas",
            "Balado",
            "Original",
            "Level 5",
            "Daun Jeruk",
            "Jagung Bakar",
            "Keju",
            "Manis",
            "Asin",
            "Renyah",
        ],
        unit: "bungkus",
        price: (5_000, 50_000),
        options: &[
            ("Ukuran", &["100 gr", "250 gr", "500 gr"]),
            ("Rasa", &["Pedas", "Original", "Balado"]),
        ],
    },
    Kind {
        category: "Makanan",
        nouns: &[
            "Nasi Box",
            "Ayam Geprek",
            "Rendang",
            "Sambal Bawang",
            "Dimsum",
            "Nugget Ayam",
            "Bakso Sapi",
            "Risol Mayo",
            "Pempek",
            "Siomay",
            "Lumpia",
            "Ayam Bakar",
        ],
        qualifiers: &[
            "Frozen", "Pedas", "Homemade", "Isi 10", "Keju", "Original", "Madu", "Padang", "Jumbo",
            "Mini",
        ],
        unit: "pack",
        price: (10_000, 120_000),
        options: &[
            ("Level", &["Tidak Pedas", "Sedang", "Pedas"]),
            ("Isi", &["5", "10", "20"]),
        ],
    },
    Kind {
        category: "Minuman",
        nouns: &[
            "Es Kopi Susu",
            "Thai Tea",
            "Jus Alpukat",
            "Boba Brown Sugar",
            "Teh Tarik",
            "Wedang Jahe",
            "Kopi Bubuk",
            "Susu Kedelai",
            "Cold Brew",
        ],
        qualifiers: &[
            "Literan",
            "Gula Aren",
            "Less Sugar",
            "Original",
            "Botol 1 Liter",
            "Botol 250 ml",
            "Robusta",
            "Arabika",
        ],
        unit: "botol",
        price: (8_000, 90_000),
        options: &[("Ukuran", &["250 ml", "500 ml", "1 liter"])],
    },
    Kind {
        category: "Fashion",
        nouns: &[
            "Kaos Polos",
            "Kemeja Flanel",
            "Gamis",
            "Jilbab Segi Empat",
            "Celana Kulot",
            "Hoodie",
            "Tas Selempang",
            "Sandal Jepit",
            "Sepatu Sneakers",
            "Dompet",
            "Kaos Kaki",
            "Rok Plisket",
        ],
        qualifiers: &[
            "Pria",
            "Wanita",
            "Anak",
            "Katun",
            "Rayon",
            "Oversize",
            "Motif Bunga",
            "Polos",
            "Kulit",
            "Premium",
            "Lengan Panjang",
            "Lengan Pendek",
        ],
        unit: "pcs",
        price: (15_000, 350_000),
        options: &[
            (
                "Warna",
                &["Hitam", "Putih", "Navy", "Maroon", "Mocca", "Sage"],
            ),
            ("Ukuran", &["S", "M", "L", "XL"]),
        ],
    },
    Kind {
        category: "Rumah",
        nouns: &[
            "Bantal",
            "Guling",
            "Sprei",
            "Selimut",
            "Handuk",
            "Rak Piring",
            "Toples Kaca",
            "Gorden",
            "Keset",
            "Sapu",
        ],
        qualifiers: &[
            "Silikon",
            "Dakron",
            "Motif Kartun",
            "Microfiber",
            "Anti Tungau",
            "Jumbo",
            "Minimalis",
            "Stainless",
            "Tebal",
            "Lembut",
        ],
        unit: "pcs",
        price: (10_000, 400_000),
        options: &[
            ("Ukuran", &["Kecil", "Sedang", "Besar"]),
            ("Warna", &["Putih", "Abu", "Biru", "Pink"]),
        ],
    },
    Kind {
        category: "Elektronik",
        nouns: &[
            "Casing HP",
            "Powerbank",
            "Earphone",
            "Charger",
            "Kabel Data",
            "Lampu LED",
            "Kipas Angin Mini",
            "Tripod HP",
            "Speaker Bluetooth",
            "Ring Light",
        ],
        qualifiers: &[
            "Fast Charging",
            "Type C",
            "Samsung",
            "Xiaomi",
            "Oppo",
            "iPhone",
            "10000mAh",
            "Bluetooth",
            "USB",
            "Portable",
        ],
        unit: "pcs",
        price: (10_000, 500_000),
        options: &[
            ("Warna", &["Hitam", "Putih"]),
            ("Tipe", &["Type C", "Micro USB", "Lightning"]),
        ],
    },
    Kind {
        category: "Kecantikan",
        nouns: &[
            "Lipstik",
            "Bedak",
            "Serum Wajah",
            "Sabun Cuci Muka",
            "Masker Wajah",
            "Parfum",
            "Body Lotion",
            "Sunscreen",
        ],
        qualifiers: &[
            "Matte",
            "Vitamin C",
            "Whitening",
            "Aloe Vera",
            "Travel Size",
            "Original",
            "BPOM",
            "Glowing",
        ],
        unit: "pcs",
        price: (10_000, 250_000),
        options: &[("Varian", &["01", "02", "03", "04"])],
    },
];

const FILLER: &[&str] = &[
    "Jual",
    "Murah",
    "Ready",
    "Ori",
    "Promo",
    "Best Seller",
    "Termurah",
    "Ready Stock",
    "Viral",
    "COD",
];
const PEOPLE: &[&str] = &[
    "Rina", "Sari", "Dewi", "Budi", "Wati", "Yuni", "Eko", "Tini", "Agus", "Lina", "Rudi", "Fitri",
    "Hendra", "Nur", "Ani",
];
const SHOP_WORDS: &[&str] = &[
    "Dapur", "Toko", "Warung", "Griya", "Rumah", "Kedai", "Galeri", "Pojok",
];
const DESC: &[&str] = &[
    "Dibuat setiap hari dengan bahan pilihan.",
    "Cocok untuk oleh-oleh dan hantaran.",
    "Kirim ke seluruh Sidoarjo dan Surabaya.",
    "Bisa COD area kota, luar kota via ekspedisi.",
    "Tanpa pengawet, tahan 3 hari di suhu ruang.",
    "Bahan adem dan nyaman dipakai seharian.",
    "Garansi uang kembali kalau tidak sesuai.",
    "Pre-order dibuka setiap Senin dan Kamis.",
    "Kemasan aman, dijamin tidak bocor.",
    "Harga grosir untuk pembelian di atas 10 pcs.",
    "Stok terbatas, tanyakan dulu sebelum order ya kak.",
    "Sudah terjual ribuan, banyak ulasan bagus.",
];

pub fn sellers(rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("{} {} {}", rng.pick(SHOP_WORDS), rng.pick(PEOPLE), i + 1))
        .collect()
}

/// One generated product as a catalog JSON row.
pub fn product(rng: &mut Rng, i: usize, sellers: &[String]) -> Value {
    let kind = rng.pick(KINDS);
    let mut words: Vec<&str> = Vec::new();
    if rng.chance(25) {
        words.push(*rng.pick(FILLER));
    }
    words.push(*rng.pick(kind.nouns));
    for _ in 0..rng.below(3) {
        let q = *rng.pick(kind.qualifiers);
        if !words.contains(&q) {
            words.push(q);
        }
    }
    if rng.chance(20) {
        words.push(*rng.pick(FILLER));
    }
    let name = words.join(" ");
    let mut description = String::new();
    let target = 80 + rng.below(220);
    while description.len() < target {
        if !description.is_empty() {
            description.push(' ');
        }
        description.push_str(rng.pick::<&str>(DESC));
    }
    let (lo, hi) = kind.price;
    let price = (lo + (rng.next_u64() % (hi - lo) as u64) as i64) / 500 * 500;
    let mut row = json!({
        "id": format!("GEN-{i:06}"),
        "name": name,
        "price_idr": price.max(500),
        "unit": kind.unit,
        "variants": {},
        "description": description,
        "category": kind.category,
        "seller": rng.pick(sellers),
    });
    if rng.chance(40) {
        let mut variants = serde_json::Map::new();
        let dims = 1 + rng.below(kind.options.len().min(2));
        for (name, values) in kind.options.iter().take(dims) {
            let n = 2 + rng.below(values.len() - 1);
            variants.insert(
                (*name).into(),
                values[..n].iter().map(|v| Value::from(*v)).collect(),
            );
        }
        row["variants"] = Value::Object(variants);
    }
    if rng.chance(70) {
        row["stock"] = json!(rng.below(50));
    }
    row
}

/// `n` products with 300 sellers, as a JSON catalog file.
pub fn catalog(seed: u64, n: usize) -> Vec<Value> {
    let mut rng = Rng::new(seed);
    let sellers = sellers(&mut rng, 300);
    (0..n).map(|i| product(&mut rng, i, &sellers)).collect()
}
