//! The reader on realistic exports of every format (`core/tests/data/chat/`), the edge
//! cases, arbitrary input, and its memory on a large generated export.

use super::*;
use proptest::prelude::*;
use std::io::{BufReader, Read};

const ANDROID_ID: &str = include_str!("../../../tests/data/chat/android_id.txt");
const ANDROID_EN_US: &str = include_str!("../../../tests/data/chat/android_en_us.txt");
const IOS_ID: &str = include_str!("../../../tests/data/chat/ios_id.txt");
const IOS_EN: &str = include_str!("../../../tests/data/chat/ios_en.txt");
const ANDROID_EN_GB: &str = include_str!("../../../tests/data/chat/android_en_gb_crlf.txt");

fn read(text: &str) -> (Vec<ChatMessage>, DateOrder, OrderBasis) {
    let reader = ExportReader::new(text.as_bytes()).expect("reader");
    let (order, basis) = (reader.date_order(), reader.order_basis());
    let all = reader.map(|m| m.expect("message")).collect();
    (all, order, basis)
}

/// The message whose text starts with `start`.
fn find<'a>(all: &'a [ChatMessage], start: &str) -> &'a ChatMessage {
    all.iter()
        .find(|m| m.text.starts_with(start))
        .unwrap_or_else(|| panic!("no message starting {start:?} in {all:#?}"))
}

fn author(m: &ChatMessage) -> &str {
    m.author.as_deref().unwrap_or("<system>")
}

/// Only the given flags are set.
fn flags(m: &ChatMessage) -> (bool, bool, bool, bool) {
    (m.system, m.media_omitted, m.deleted, m.edited)
}

#[test]
fn android_indonesian() {
    let (all, order, basis) = read(ANDROID_ID);
    assert_eq!((order, basis), (DateOrder::DayFirst, OrderBasis::Over12));
    assert_eq!(all.len(), 21, "{all:#?}");

    let e2e = &all[0];
    assert!(e2e.system && e2e.author.is_none());
    assert!(e2e.text.starts_with("Pesan dan panggilan terenkripsi"));
    assert_eq!(e2e.timestamp.to_string(), "2020-11-26T20:01:00");
    assert_eq!(e2e.line, 1);
    for (i, start) in [
        (1, "Bu Rina (Kue) 🍩 membuat grup \"Pasar Warga RT 05\""),
        (2, "Bu Rina (Kue) 🍩 menambahkan Pak Budi"),
        (
            3,
            "+62 812-3456-7890 bergabung menggunakan tautan undangan grup ini",
        ),
        (4, "Mama Andi: Sidoarjo bergabung"),
    ] {
        assert!(all[i].system, "{:?}", all[i]);
        assert!(all[i].text.starts_with(start), "{:?}", all[i].text);
    }

    let po = find(&all, "Selamat malam");
    assert_eq!(author(po), "Bu Rina (Kue) 🍩");
    assert_eq!(
        po.text,
        "Selamat malam ibu2, PO donat untuk Sabtu dibuka ya 🙏\nFormat order:\nNama:\nPesanan:\nAmbil/antar:"
    );
    assert_eq!(po.line, 6);

    let order = find(&all, "Nama: Bu Sari");
    assert_eq!(
        author(order),
        "+62 812-3456-7890",
        "direction marks removed"
    );
    assert_eq!(
        order.text,
        "Nama: Bu Sari\nPesanan: donat coklat 2 box\nAmbil/antar: antar blok C no 12"
    );

    let media = all.iter().find(|m| m.line == 14).expect("line 14");
    assert_eq!(flags(media), (false, true, false, false));
    assert_eq!(media.text, "");

    let deleted = all.iter().find(|m| m.line == 15).expect("line 15");
    assert_eq!(flags(deleted), (false, false, true, false));
    assert_eq!((author(deleted), deleted.text.as_str()), ("Pak Budi", ""));

    // Continuation lines that start with a date, in another shape than the file's.
    let sabtu = find(&all, "Bu, kalau ambil");
    assert_eq!(
        sabtu.text,
        "Bu, kalau ambil hari Sabtu bisa?\n28/11/2020 jam 10.00 saya lewat depan rumah ibu\n28/11/20 ambil 3 box ya"
    );

    let edited = find(&all, "Bisa pak");
    assert_eq!(flags(edited), (false, false, false, true));
    assert_eq!(edited.text, "Bisa pak");

    // The name with ": " was learned from the join notice above.
    let keju = find(&all, "pesan 1 box keju");
    assert_eq!(author(keju), "Mama Andi: Sidoarjo");

    let loc = all.iter().find(|m| m.line == 21).expect("line 21");
    assert_eq!(
        loc.location.as_deref(),
        Some("https://maps.google.com/?q=-6.2,106.8")
    );
    assert_eq!(loc.text, "");

    let photo = find(&all, "Ini contoh donatnya ya");
    assert_eq!(photo.attachment.as_deref(), Some("IMG-20201126-WA0001.jpg"));
    assert_eq!(photo.text, "Ini contoh donatnya ya");

    for start in [
        "Kode keamanan Anda dengan +62 812-3456-7890 telah berubah.",
        "Pak Budi keluar",
        "Bu Rina (Kue) 🍩 mengeluarkan Mama Andi: Sidoarjo",
        "Bu Rina (Kue) 🍩 mengubah subjek dari \"Pasar Warga RT 05\" menjadi \"Pasar RT 05: Kue & Lauk\"",
    ] {
        let m = find(&all, start);
        assert!(m.system && m.author.is_none(), "{m:?}");
    }

    let sari: Vec<_> = all.iter().filter(|m| author(m) == "Sari").collect();
    assert_eq!(sari.len(), 3);
    assert!(sari[0].deleted);
    assert_eq!(sari[1].location.as_deref(), Some("live"));
    assert_eq!(sari[1].timestamp.to_string(), "2020-11-27T07:30:00");
    assert!(sari[2].media_omitted);
}

#[test]
fn android_english_us_12_hour_with_narrow_space() {
    let (all, order, basis) = read(ANDROID_EN_US);
    assert_eq!((order, basis), (DateOrder::MonthFirst, OrderBasis::Over12));
    assert_eq!(all.len(), 19, "{all:#?}");
    let system: Vec<&str> = all
        .iter()
        .filter(|m| m.system)
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(
        system,
        [
            "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.",
            "Rina created group \"Pasar RT 5\"",
            "Rina added Budi",
            "+62 813-1111-2222 joined using this group's invite link",
            "Rina changed the subject from \"Pasar RT 5\" to \"Pasar RT 5: Food\"",
            "Rina changed this group's icon",
            "Rina changed the group description",
            "Your security code with Budi changed. Tap to learn more.",
            "Budi left",
            "Rina removed +62 813-1111-2222",
        ]
    );
    assert_eq!(all[0].timestamp.to_string(), "2020-11-26T20:01:00");

    let po = find(&all, "Pre-order");
    assert_eq!(
        (author(po), po.text.as_str()),
        (
            "Rina",
            "Pre-order for Saturday is open:\n- glazed donuts Rp25.000/box\n- chocolate Rp30.000/box"
        )
    );
    assert!(all[8].media_omitted && author(&all[8]) == "Budi");
    assert!(all[9].deleted && all[10].deleted);
    let edited = find(&all, "2 boxes chocolate");
    assert!(edited.edited);
    assert_eq!(edited.text, "2 boxes chocolate please");
    assert!(all[12].location.is_some());
    assert_eq!(
        all[13].attachment.as_deref(),
        Some("IMG-20201126-WA0002.jpg")
    );

    // 11:59 PM, 12:00 AM (midnight), 12:30 PM (noon).
    assert_eq!(
        find(&all, "Your security").timestamp.to_string(),
        "2020-11-26T23:59:00"
    );
    assert_eq!(
        find(&all, "Budi left").timestamp.to_string(),
        "2020-11-27T00:00:00"
    );
    assert_eq!(
        find(&all, "Rina removed").timestamp.to_string(),
        "2020-11-27T12:30:00"
    );

    // "left" typed by a member is a message.
    let left = find(&all, "only 2 boxes left");
    assert!(!left.system && author(left) == "Rina");
    assert_eq!(all[18].location.as_deref(), Some("live"));
}

#[test]
fn ios_indonesian() {
    let (all, order, _) = read(IOS_ID);
    assert_eq!(order, DateOrder::DayFirst);
    assert_eq!(all.len(), 13, "{all:#?}");
    assert!(all[0].system && all[0].text.starts_with("Pesan dan panggilan terenkripsi"));
    assert_eq!(all[0].timestamp.to_string(), "2021-01-26T21:05:53");
    assert_eq!(all[1].text, "Bu Rina membuat grup “Pasar Kue RT 05”");
    assert!(
        all[1].system && all[1].author.is_none(),
        "the group's name is no author"
    );
    assert_eq!(all[2].text, "Bu Rina menambahkan +62 812-3456-7890");
    assert!(all[2].system);

    assert_eq!(
        (author(&all[3]), all[3].text.as_str()),
        (
            "Bu Rina",
            "Halo ibu2, ready risoles & pastel, 5rb/pcs\nOrder langsung japri ya"
        )
    );
    assert!(all[4].media_omitted && all[4].text.is_empty());
    assert!(all[5].media_omitted && author(&all[5]) == "+62 812-3456-7890");
    assert_eq!(
        all[6].attachment.as_deref(),
        Some("00000012-PHOTO-2021-01-26-21-05-53.jpg")
    );
    assert_eq!(all[6].text, "");
    assert!(all[7].media_omitted);
    assert_eq!(all[7].text, "Daftar harga.pdf • 2 halaman");
    assert!(all[8].deleted);
    assert!(all[9].edited);
    assert_eq!(all[9].text, "risoles 10 ya bu");
    // Without the mark, "keluar" is a member's word; with it, the group's notice.
    assert!(!all[10].system && author(&all[10]) == "Dewi");
    assert!(all[11].system && all[11].text == "Dewi keluar");
    assert_eq!(
        all[12].location.as_deref(),
        Some("https://maps.google.com/?q=-6.2,106.8")
    );
    assert_eq!(all[12].timestamp.to_string(), "2021-01-27T06:00:00");
}

#[test]
fn ios_english_with_direction_marks_and_crlf() {
    let (all, order, _) = read(IOS_EN);
    assert_eq!(order, DateOrder::MonthFirst);
    assert_eq!(all.len(), 18, "{all:#?}");
    assert!(all.iter().all(|m| !m.text.contains('\r')));
    assert!(all[0].system && all[1].system && all[2].system);
    assert_eq!(all[0].timestamp.to_string(), "2021-01-26T21:05:53");
    assert_eq!(all[2].text, "Rina added +62 812-3456-7890");
    assert_eq!(author(&all[3]), "+62 812-3456-7890");
    assert_eq!(all[3].text, "hi, 2 boxes of donuts please");
    for m in &all[4..11] {
        assert!(m.media_omitted || m.attachment.is_some(), "{m:?}");
    }
    assert_eq!(all[10].text, "Menu.pdf • 1 page");
    assert!(all[11].deleted && all[12].deleted);
    assert!(all[13].edited && all[13].text == "ok, 2 boxes");
    assert!(all[14].system);
    assert_eq!(
        all[14].text,
        "Your security code with +62 812-3456-7890 changed. Tap to learn more."
    );
    assert!(all[15].system && all[15].text == "+62 812-3456-7890 left");
    assert_eq!(all[16].timestamp.to_string(), "2021-01-27T07:00:00");
    assert!(all[16].location.is_some());
    // "~ " marks someone not in the exporter's contacts; it is not part of the name.
    assert_eq!(
        (author(&all[17]), all[17].text.as_str()),
        ("Sari", "morning!")
    );
}

#[test]
fn four_digit_years_crlf_and_blank_lines() {
    let (all, order, _) = read(ANDROID_EN_GB);
    assert_eq!(order, DateOrder::DayFirst);
    assert_eq!(all.len(), 3);
    assert_eq!(
        all[1].text,
        "Order list for Saturday:\n1. Sari - 2 box\n\n2. Budi - 1 box"
    );
    assert_eq!(all[2].timestamp.to_string(), "2020-11-27T00:05:00");
    assert_eq!(all[2].line, 6);
}

#[test]
fn a_line_in_the_files_shape_starts_a_message_and_others_continue() {
    let text = "[26/01/21 21.05.53] Bu Rina: PO dibuka\n\
                [27/01/21 10.00] ambil di sini\n\
                27/01/21 10.00.00 - juga\n\
                [27/01/2021 10.00.00] juga\n\
                [27/01/21 10.00.00] Budi: siap";
    let (all, _, _) = read(text);
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[0].text,
        "PO dibuka\n[27/01/21 10.00] ambil di sini\n27/01/21 10.00.00 - juga\n[27/01/2021 10.00.00] juga"
    );
    assert_eq!(all[1].line, 5);
}

#[test]
fn names_with_colons_and_phone_numbers() {
    let text = "26/11/20 20.12 - Mama Andi: Sidoarjo: pesan 1 box\n\
                26/11/20 20.13 - Toko 24:7: buka\n\
                26/11/20 20.14 - \u{202a}+62 812-3456-7890\u{202c}: \u{200e}2 box\n\
                26/11/20 20.15 - \u{2068}Bu Rina (Kue) 🍩\u{2069}: ready\n\
                26/11/20 20.16 - Budi:\n\
                isi di baris berikut";
    let (all, _, _) = read(text);
    let got: Vec<(&str, &str)> = all.iter().map(|m| (author(m), m.text.as_str())).collect();
    assert_eq!(
        got,
        [
            // No notice named "Mama Andi: Sidoarjo": the first ": " ends the name.
            ("Mama Andi", "Sidoarjo: pesan 1 box"),
            ("Toko 24:7", "buka"),
            ("+62 812-3456-7890", "2 box"),
            ("Bu Rina (Kue) 🍩", "ready"),
            ("Budi", "isi di baris berikut"),
        ]
    );
}

#[test]
fn every_notice_is_a_notice_and_look_alikes_are_messages() {
    let notices = [
        "Pesan dan panggilan terenkripsi secara end-to-end. Tidak seorang pun di luar chat ini, termasuk WhatsApp, yang dapat membaca atau mendengarkannya. Ketuk untuk info selengkapnya.",
        "Messages to this group are now secured with end-to-end encryption. Tap for more info.",
        "Budi joined using this group's invite link",
        "Budi telah bergabung menggunakan tautan undangan grup ini",
        "Budi left",
        "Budi keluar",
        "Anda keluar",
        "Rina added Budi",
        "Rina menambahkan Budi dan Sari",
        "Rina removed Budi",
        "Rina mengeluarkan Budi",
        "Your security code with Budi changed. Tap to learn more.",
        "Kode keamanan Anda dengan Budi telah berubah. Ketuk untuk info selengkapnya.",
        "Rina created group \"Pasar\"",
        "Rina membuat grup \"Pasar\"",
        "Anda membuat grup \"Pasar\"",
        "Rina changed the subject from \"A\" to \"B\"",
        "Rina mengubah subjek dari \"A\" menjadi \"B: C\"",
        "Rina changed this group's icon",
        "Rina mengubah ikon grup ini",
        "Rina changed the group description",
        "Rina mengubah deskripsi grup",
        "Budi changed their phone number to a new number. Tap to message or add the new number.",
        "Budi telah mengganti nomor teleponnya ke nomor baru. Ketuk untuk mengirim pesan atau menambahkan nomor baru.",
    ];
    for n in notices {
        for line in [
            format!("26/11/20 20.00 - {n}"),
            format!("\u{200e}[26/11/20 20.00.00] Pasar: \u{200e}{n}"),
        ] {
            let all = parse_str(&line);
            assert_eq!(all.len(), 1, "{line}");
            assert!(
                all[0].system && all[0].author.is_none(),
                "{line}: {:?}",
                all[0]
            );
            assert_eq!(all[0].text, n);
        }
    }
    let messages = [
        "tinggal 2 left",
        "saya keluar dulu",
        "admin tolong mengubah deskripsi grup",
        "Anda sekarang admin ya bu",
        "Rina added 2 box",
    ];
    for text in messages {
        for line in [
            format!("26/11/20 20.00 - Budi: {text}"),
            format!("[26/11/20 20.00.00] Budi: {text}"),
        ] {
            let all = parse_str(&line);
            assert!(!all[0].system, "{line}");
            assert_eq!((author(&all[0]), all[0].text.as_str()), ("Budi", text));
        }
    }
}

/// Many lines on one ambiguous date, then one that settles it: 64 KB in.
fn ambiguous_export() -> String {
    let mut s = String::new();
    for i in 0..5000 {
        s.push_str(&format!("05/06/21 10.00 - Budi: pesan {i}\n"));
    }
    s.push_str("06/13/21 10.00 - Budi: terakhir\n");
    assert!(s.len() > 2 * SNIFF);
    s
}

#[test]
fn ambiguous_day_month_resolved_from_a_later_date() {
    let text = ambiguous_export();
    let reader = ExportReader::new_seekable(Cursor::new(text.as_bytes())).expect("reader");
    assert_eq!(reader.date_order(), DateOrder::MonthFirst);
    assert_eq!(reader.order_basis(), OrderBasis::Over12);
    let all: Vec<_> = reader.map(|m| m.expect("message")).collect();
    assert_eq!(all.len(), 5001);
    assert_eq!(all[0].timestamp.to_string(), "2021-05-06T10:00:00");
    assert_eq!(all[5000].timestamp.to_string(), "2021-06-13T10:00:00");

    // In one pass the first 64 KB decide (day first, the default), and the reader says
    // afterwards that the file disagreed; the settling date itself is still read right.
    let mut reader = ExportReader::new(text.as_bytes()).expect("reader");
    assert_eq!(
        (reader.date_order(), reader.order_basis()),
        (DateOrder::DayFirst, OrderBasis::Default)
    );
    let mut last = None;
    for m in reader.by_ref() {
        last = Some(m.expect("message"));
    }
    assert!(reader.contradicted());
    assert_eq!(
        last.expect("last").timestamp.to_string(),
        "2021-06-13T10:00:00"
    );
}

#[test]
fn the_order_from_the_dates_sequence_and_the_clock() {
    // 10/11 then 2/12: only a day goes down within a year.
    let (_, order, basis) = read("10/11/20 10.00 - A: x\n02/12/20 10.00 - A: y\n");
    assert_eq!((order, basis), (DateOrder::DayFirst, OrderBasis::Sequence));
    // One ambiguous date and a 12-hour clock: the US locale.
    let (all, order, basis) = read("05/06/21, 10:00 AM - A: x\n");
    assert_eq!((order, basis), (DateOrder::MonthFirst, OrderBasis::Clock));
    assert_eq!(all[0].timestamp.to_string(), "2021-05-06T10:00:00");
    let (all, order, _) = read("2021-06-05 10:00 - A: x\n");
    assert_eq!(order, DateOrder::YearFirst);
    assert_eq!(all[0].timestamp.to_string(), "2021-06-05T10:00:00");
}

#[test]
fn huge_messages_and_lines_are_cut_and_flagged() {
    let mut text = String::from("26/11/20 20.00 - Budi: mulai\n");
    for _ in 0..5000 {
        text.push_str("baris panjang sekali untuk mengisi pesan ini\n");
    }
    text.push_str(&format!("26/11/20 20.01 - Budi: {}\n", "x".repeat(200_000)));
    text.push_str("26/11/20 20.02 - Budi: é\n");
    let (all, _, _) = read(&text);
    assert_eq!(all.len(), 3);
    assert!(all[0].truncated && all[0].text.len() <= MAX_TEXT);
    assert!(all[1].truncated && all[1].text.len() <= MAX_TEXT);
    assert!(!all[2].truncated);
    assert_eq!(all[2].text, "é");
    assert_eq!(all[2].line, 5003);
}

#[test]
fn lines_before_the_first_message_and_bad_bytes() {
    let mut bytes = b"\xef\xbb\xbfsampah\n26/11/20 20.00 - Budi: harga \xff\xfe 25rb\n".to_vec();
    bytes.extend_from_slice(b"lanjut \xc3\n");
    let mut reader = ExportReader::new(&bytes[..]).expect("reader");
    let m = reader.next().expect("one").expect("ok");
    assert_eq!(m.text, "harga \u{fffd}\u{fffd} 25rb\nlanjut \u{fffd}");
    assert_eq!(m.line, 2);
    assert!(reader.next().is_none());
    assert_eq!(reader.stray_lines(), 1);
    assert!(parse_str("").is_empty());
    assert!(parse_str("no dates here\nat all").is_empty());
}

#[test]
fn a_long_line_of_colons_after_a_learned_name_is_read_in_linear_time() {
    let mut text = String::from(
        "26/11/20 20.03 - Mama Andi: Sidoarjo bergabung menggunakan tautan undangan grup ini\n",
    );
    text.push_str("26/11/20 20.04 - Mama Andi: Sidoarjo: ");
    text.push_str(&"a: ".repeat(20_000));
    text.push('\n');
    let started = std::time::Instant::now();
    let all = parse_str(&text);
    assert_eq!(all.len(), 2);
    assert_eq!(author(&all[1]), "Mama Andi: Sidoarjo");
    // Each colon used to clean the whole prefix: quadratic, minutes in a debug build.
    assert!(started.elapsed().as_secs() < 5);
}

/// Fails after `left` bytes.
struct Failing<'a> {
    data: &'a [u8],
    left: usize,
}

impl Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::other("disk gone"));
        }
        let n = buf.len().min(self.left).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.left -= n;
        Ok(n)
    }
}

#[test]
fn read_errors_are_the_only_errors() {
    let text = ambiguous_export();
    let src = BufReader::with_capacity(
        512,
        Failing {
            data: text.as_bytes(),
            left: 100_000,
        },
    );
    let reader = ExportReader::new(src).expect("the first 64 KB read fine");
    let results: Vec<_> = reader.collect();
    let (ok, err): (Vec<_>, Vec<_>) = results.iter().partition(|r| r.is_ok());
    assert!(ok.len() > 2000);
    assert_eq!(err.len(), 1);
    assert!(results.last().is_some_and(Result::is_err));
}

#[test]
fn open_reads_a_file_and_reports_a_missing_one() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("Chat WhatsApp dengan Pasar.txt");
    std::fs::write(&path, ambiguous_export()).expect("write");
    let reader = ExportReader::open(&path).expect("open");
    assert_eq!(reader.date_order(), DateOrder::MonthFirst);
    assert_eq!(reader.count(), 5001);
    let missing = ExportReader::open(dir.path().join("nope.txt"));
    assert!(matches!(missing, Err(ExportError::Io(e)) if e.kind() == io::ErrorKind::NotFound));
}

/// An export made on the fly, never held whole: market chat with multi-line orders,
/// media, notices, and early on a few giant lines and a giant message.
struct Generated {
    limit: usize,
    made: usize,
    chunk: Vec<u8>,
    at: usize,
    n: usize,
}

impl Generated {
    fn new(limit: usize) -> Self {
        Generated {
            limit,
            made: 0,
            chunk: Vec::new(),
            at: 0,
            n: 0,
        }
    }

    fn refill(&mut self) {
        self.chunk.clear();
        self.at = 0;
        let n = self.n;
        self.n += 1;
        let (day, hour, minute) = (1 + (n / 1440) % 28, (n / 60) % 24, n % 60);
        let head = format!("{day:02}/11/20 {hour:02}.{minute:02} - ");
        let body = match n % 10 {
            _ if n == 50 => format!("Budi: {}", "y".repeat(300_000)),
            _ if n == 60 => format!("Budi: mulai\n{}", "baris\n".repeat(40_000)),
            0 => "Bu Rina (Kue) 🍩: Format order:\nNama: Sari\nPesanan: donat 2 box\nAmbil: Sabtu"
                .into(),
            1 => "\u{202a}+62 812-3456-7890\u{202c}: <Media tidak disertakan>".into(),
            2 => "Pak Budi keluar".into(),
            3 => "Dewi: kak, risoles masih ada?".into(),
            _ => format!("Sari: pesan {n}"),
        };
        self.chunk.extend_from_slice(head.as_bytes());
        self.chunk.extend_from_slice(body.as_bytes());
        self.chunk.push(b'\n');
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.chunk.len() {
            if self.made >= self.limit {
                return Ok(0);
            }
            self.refill();
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        self.made += n;
        Ok(n)
    }
}

/// The most the reader held at any time, and how many messages it gave.
fn peak_buffer(bytes: usize) -> (usize, usize) {
    let mut reader = ExportReader::new(BufReader::new(Generated::new(bytes))).expect("reader");
    let (mut peak, mut count) = (0, 0);
    while let Some(m) = reader.next() {
        m.expect("message");
        peak = peak.max(reader.buffer_bytes());
        count += 1;
    }
    (peak, count)
}

#[test]
fn memory_does_not_grow_with_the_export() {
    let (small_peak, small_count) = peak_buffer(2 << 20);
    let (big_peak, big_count) = peak_buffer(24 << 20);
    assert!(big_count > 10 * small_count, "{big_count} vs {small_count}");
    // The 64 KB replay, a 64 KB line and a message of at most 64 KB, with growth slack.
    assert!(big_peak <= 512 * 1024, "{big_peak}");
    assert!(
        big_peak <= small_peak + 64 * 1024,
        "{big_peak} vs {small_peak}"
    );
}

/// Pieces of export lines, to build inputs that come near every branch.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("26/11/20 20.00 - ".to_owned()),
        Just("11/26/20, 8:01\u{202f}PM - ".to_owned()),
        Just("\u{200e}[26/01/21 21.05.53] ".to_owned()),
        Just("[1/26/21, 9:05:53 PM] ".to_owned()),
        Just("2020-11-26 23:10 - ".to_owned()),
        Just("Budi: ".to_owned()),
        Just("Mama Andi: Sidoarjo".to_owned()),
        Just(" bergabung menggunakan tautan undangan grup ini".to_owned()),
        Just(" left".to_owned()),
        Just("<Media omitted>".to_owned()),
        Just("\u{200e}<attached: x.jpg>".to_owned()),
        Just(" (file attached)".to_owned()),
        Just("lokasi: https://m".to_owned()),
        Just(" <This message was edited>".to_owned()),
        Just("Pesan ini telah dihapus".to_owned()),
        Just("\u{202a}+62 812\u{202c}".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just(":".to_owned()),
        "[0-9/.:, \\-\\[\\]]{0,12}",
        ".{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let reader = ExportReader::new(&bytes[..]).expect("a slice reads");
        let mut last_line = 0;
        for m in reader {
            let m = m.expect("a slice reads");
            prop_assert!(m.line > last_line);
            prop_assert!(m.text.len() <= MAX_TEXT);
            last_line = m.line;
        }
    }

    #[test]
    fn arbitrary_exports_never_panic(parts in proptest::collection::vec(fragment(), 0..60)) {
        let text = parts.concat();
        for m in parse_str(&text) {
            prop_assert!(m.timestamp.month >= 1 && m.timestamp.month <= 12);
            prop_assert!(!m.text.contains(super::lines::is_mark));
            prop_assert!(m.author.as_deref().is_none_or(|a| !a.is_empty()));
        }
    }
}
