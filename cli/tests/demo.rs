//! `pasar demo` as a newcomer runs it: a real process, its output read back.

use std::process::Command;

#[test]
fn the_demo_runs_end_to_end_and_exits_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_pasar"))
        .args(["demo", "--data"])
        .arg(dir.path())
        .output()
        .expect("run pasar demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "seller Dapur Bu Rina (+6281234567890)",
        "group Pasar Ibu-ibu Sidoarjo (admin: Dapur Bu Rina)",
        "+ Donat coklat isi 6            \"25rb\" -> Rp25.000 \u{2013} Rp30.000 / box",
        "Topping: Keju         Rp30.000  4 left",
        "\"Rp45.000\" -> Rp45.000            / pcs",
        "pre-order: ready 2 days after ordering",
        "price of Donat coklat isi 6 is now Rp27.500",
        "refused: field `name`: \"Nama produk wajib diisi\"",
        "refused: field `price`: \"Harga tidak terbaca.",
        "refused: field `variants`: \"Varian tidak valid\"",
        "refused: \"Penjual tidak ditemukan\"",
        "listener stopped after 4 events",
        "page 2: Donat coklat isi 6         Rp27.500",
        "2 variants, listed in Pasar Ibu-ibu Sidoarjo",
        "\"1,5jt\"            -> Rp1.500.000",
        "0812-3456-7890     -> +6281234567890",
        "(GPS inside: yes) -> ",
        "240x320 upright, GPS inside: no",
        "imported 22 products (0 updated, 0 refused)",
        "search \"dnt coklat\" (understood: donat coklat): 1 found",
        "search \"kripik pedes\" (understood: kripik pedas): 1 found",
        "search \"laptop gaming\": 0 found",
        "/v1/version -> HTTP/1.1 200 OK {\"server\":\"0.1.0\",\"api\":2,\"min_client_api\":1}",
        "the same checkout sent twice: 2 orders, the same ones: true",
        "Bu Dewi, the group's admin, pastes a buyer's message: \"kak pesen 3 donat kentang coklat ya",
        "read as Donat kentang coklat × 3 box, payment transfer",
        "(Transfer BCA, pick-up): Rp75.",
        "(COD (bayar di tempat), Dikemas) and order #",
        "(Transfer BCA, Belum Bayar)",
        ": Dikemas; and ships #",
        "the server pushes to Sari's phone over FCM HTTP v1 (OAuth2, RS256): {\"o\":",
        "her phone pulls the order and shows: \"Pesanan dikirim\" — Pesanan #",
        "sedang dikirim — JNE JNE0123456789",
        "the same push again shows 0 notification(s)",
        "Kirana claims the code KIRANA and shares: https://pasar.app/p/",
        "Kalau pesan lewat chat, sebut kode: KIRANA",
        "came through Kirana Putri (KIRANA), commission Rp11.250",
        "commission pending Rp11.250 (paid once completed)",
        "sender Kirana Putri (0813-1000-0002), to Ayu Lestari (0813-1000-0003); 2 pcs Bantal leher",
        "Budi is owed Rp40.000, her margin Rp30.000",
        "the supplier and his price are not on it (checked)",
        "packed: Ayu's phone shows \"Pesanan dikemas\"",
        "shipped: Ayu's phone shows \"Pesanan dikirim\" — Pesanan #",
        "Dikemas → Dikirim → Sampai → Selesai",
        "refused: Pesanan berstatus Selesai tidak bisa diubah seperti itu",
        "wa.me link for the buyer: https://wa.me/6281211112222?text=Halo%20Ibu%20Sari",
        "demo finished",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    // The store it left behind is a real database the next run reopens.
    assert!(dir.path().join("pasar.sqlite3").exists());
}

#[test]
fn unknown_commands_and_options_are_refused_with_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_pasar"))
        .arg("dmeo")
        .output()
        .expect("run pasar");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("USAGE"));
    let out = Command::new(env!("CARGO_BIN_EXE_pasar"))
        .args(["demo", "--data"])
        .output()
        .expect("run pasar");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_catalog_file_is_imported_searched_and_exported_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    let csv = dir.path().join("katalog.csv");
    std::fs::write(
        &csv,
        "Kode;Nama;Harga;Stok;Kategori\nDNT-1;Donat Coklat Lumer;25rb;5;Kue\nX;Rusak;murah;1;\n",
    )
    .expect("write");
    let pasar = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_pasar"))
            .args(args)
            .arg("--data")
            .arg(&data)
            .output()
            .expect("run pasar");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let csv_path = csv.display().to_string();
    let (code, out, err) = pasar(&["catalog", "import", &csv_path]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "1 created, 0 updated, 1 refused");
    assert!(err.contains("Row 3: Price cannot be read"), "{err}");
    let (_, out, _) = pasar(&["catalog", "search", "dnt", "cklt"]);
    assert!(
        out.starts_with("DNT-1\tRp25.000\tDonat Coklat Lumer"),
        "{out}"
    );
    let (_, out, _) = pasar(&["catalog", "export"]);
    assert!(out.contains("\"id\": \"DNT-1\""), "{out}");
    let (code, _, err) = pasar(&["catalog", "import", "/no/such/file.json"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot read"), "{err}");
}
