//! The relevance set: products planted among the generated ones, and queries the way
//! buyers type them, each with the product it must find (or none: no junk). Covers every
//! kind of query the catalog issue names. Written by hand, not derived from the index.

/// (file id, name, category, description)
pub const TARGETS: &[(&str, &str, &str, &str)] = &[
    (
        "T01",
        "Bolu Kukus Pandan Wangi Mekar",
        "Kue",
        "Bolu kukus mekar aroma pandan asli, lembut dan wangi.",
    ),
    (
        "T02",
        "Choco Lava Cake Lumer",
        "Kue",
        "Kue coklat dengan lelehan coklat di dalamnya, disajikan hangat.",
    ),
    (
        "T03",
        "Kaos Anak Lengan Pendek Motif Dinosaurus",
        "Fashion",
        "Kaos katun untuk anak 2-8 tahun, motif dino lucu.",
    ),
    (
        "T04",
        "Handphone Android Second Mulus Fullset",
        "Elektronik",
        "HP bekas pakai, mulus, lengkap dengan dus dan charger.",
    ),
    (
        "T05",
        "Tas Selempang Kulit Sapi Pria Vintage",
        "Fashion",
        "Tas kulit asli model vintage untuk pria.",
    ),
    (
        "T06",
        "Powerbank 20000mAh Quick Charge Layar Digital",
        "Elektronik",
        "Pengisi daya cadangan kapasitas besar.",
    ),
    (
        "T07",
        "Nastar Nanas Wisman Premium Toples",
        "Kue",
        "Kue kering nastar isi selai nanas asli, mentega wisman.",
    ),
    (
        "T08",
        "Rendang Daging Sapi Padang Uni Ema",
        "Makanan",
        "Rendang kering khas Padang, tahan 2 minggu.",
    ),
    (
        "T09",
        "Parsel Bunga Mawar Merah Box",
        "Hadiah",
        "Buket mawar merah dalam box, cocok untuk kado ulang tahun ibu atau pacar.",
    ),
    (
        "T10",
        "Singkong Goreng Keju Mekar Frozen",
        "Camilan",
        "Singkong mekar siap goreng, tinggal goreng 5 menit.",
    ),
    (
        "T11",
        "Basreng Pedas Daun Jeruk Level 10",
        "Camilan",
        "Bakso goreng kering super pedas dengan daun jeruk.",
    ),
    (
        "T12",
        "Mukena Katun Rayon Bordir Tasikmalaya",
        "Fashion",
        "Mukena adem bordir khas Tasik, lengkap dengan tas.",
    ),
    (
        "T13",
        "Sambal Cumi Asin Pete Bu Yati",
        "Makanan",
        "Sambal cumi asin dengan pete, pedas gurih, botol 200 gr.",
    ),
    (
        "T14",
        "Kripik Tempe Sagu Malang Renyah",
        "Camilan",
        "Keripik tempe tipis khas Malang.",
    ),
    (
        "T15",
        "Gamis Syari Set Khimar Wolfis",
        "Fashion",
        "Gamis syar'i lengkap dengan khimar, bahan wolfis jatuh.",
    ),
    (
        "T16",
        "Jam Tangan Digital Anak Waterproof",
        "Elektronik",
        "Jam tangan anak tahan air dengan lampu.",
    ),
    (
        "T17",
        "Kopi Bubuk Gayo Arabika 250 gr",
        "Minuman",
        "Kopi arabika Gayo Aceh, sangrai medium.",
    ),
    (
        "T18",
        "Seprai Katun Jepang King Size 180x200",
        "Rumah",
        "Sprei katun Jepang adem, ukuran king 180x200.",
    ),
    (
        "T19",
        "Bakpia Kacang Hijau Pathok 25",
        "Kue",
        "Bakpia khas Jogja isi kacang hijau, isi 20 per box.",
    ),
    (
        "T20",
        "Lampu Tidur Proyektor Bintang Galaxy",
        "Elektronik",
        "Lampu tidur yang memproyeksikan bintang ke langit-langit kamar.",
    ),
];

/// (query, expected target file id or "" for no results, kind)
pub const QUERIES: &[(&str, &str, &str)] = &[
    // exact and near-exact
    ("bolu kukus pandan", "T01", "exact"),
    ("nastar wisman", "T07", "exact"),
    ("rendang uni ema", "T08", "exact"),
    ("bakpia pathok", "T19", "exact"),
    // typos
    ("blu kukus pandn", "T01", "typo"),
    ("nastar wismann", "T07", "typo"),
    ("rendang uni emma", "T08", "typo"),
    ("bakpia patok", "T19", "typo"),
    ("mukena tasikmalya", "T12", "typo"),
    ("proyektor bintnag", "T20", "typo"),
    ("seprai katun jepag", "T18", "typo"),
    // spelling variants
    ("kue cokelat lava", "T02", "variant"),
    ("keripik tempe sagu", "T14", "variant"),
    ("sprei king 180x200", "T18", "variant"),
    ("sambel cumi pete", "T13", "variant"),
    // slang and abbreviations
    ("kaos anak2 lengan pdk dino", "T03", "slang"),
    ("sambal cumi pete yg pedes", "T13", "slang"),
    ("gamis syari set khimar bgt", "T15", "slang"),
    ("kpi gayo arabika", "T17", "abbreviation"),
    ("bsreng daun jeruk", "T11", "abbreviation"),
    // synonyms and regional words
    ("ponsel android second", "T04", "synonym"),
    ("hp android bekas mulus", "T04", "synonym"),
    ("ketela goreng keju", "T10", "synonym"),
    ("mukena katun rayon", "T12", "synonym"),
    ("jilbab khimar wolfis", "T15", "synonym"),
    // glued and split words
    ("tasselempang kulit sapi", "T05", "glued"),
    ("power bank 20000mah", "T06", "split"),
    ("jamtangan anak waterproof", "T16", "glued"),
    // as the buyer types (prefix)
    ("nastar wis", "T07", "prefix"),
    ("lampu proyektor bin", "T20", "prefix"),
    ("rendang uni e", "T08", "prefix"),
    // filler words
    ("jual murah rendang uni ema ready", "T08", "filler"),
    ("promo bakpia pathok ori termurah", "T19", "filler"),
    // descriptive
    ("kado ulang tahun mawar", "T09", "descriptive"),
    ("lampu kamar bintang langit", "T20", "descriptive"),
    ("kopi aceh sangrai", "T17", "descriptive"),
    ("jam tahan air anak", "T16", "descriptive"),
    // no good match: no junk
    ("laptop gaming rtx", "", "none"),
    ("sepeda lipat polygon", "", "none"),
    ("jasa servis ac", "", "none"),
    ("tiket pesawat jakarta", "", "none"),
];
