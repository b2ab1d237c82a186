//! Unit tests for each rule, through the public functions, and properties: arbitrary
//! input never panics, spans are sound, formatted amounts and numbers read back.

use super::*;
use proptest::prelude::*;

fn num(text: &str) -> Option<String> {
    parse_number(text).map(|n| n.value.to_string())
}

fn qty(text: &str) -> Option<(String, Option<&'static str>, Option<String>)> {
    parse_quantity(text).map(|q| {
        (
            q.amount.to_string(),
            q.unit.map(|u| u.name),
            q.pieces.map(|p| p.to_string()),
        )
    })
}

fn idr(text: &str) -> Option<AmountKind> {
    parse_amount(text).map(|a| a.kind)
}

fn rp(n: i64) -> Rupiah {
    Rupiah::new(n)
}

fn exact(n: i64) -> Option<AmountKind> {
    Some(AmountKind::Exact(rp(n)))
}

#[test]
fn separators_read_the_indonesian_way() {
    assert_eq!(num("1.500").as_deref(), Some("1500"));
    assert_eq!(num("1,5").as_deref(), Some("1.5"));
    assert_eq!(num("1.500,75").as_deref(), Some("1500.75"));
    assert_eq!(num("2.000.000").as_deref(), Some("2000000"));
    // Phone keyboards: a dot before one or two digits is a decimal point.
    assert_eq!(num("1.5").as_deref(), Some("1.5"));
    assert_eq!(num("0,25").as_deref(), Some("0.25"));
    assert_eq!(num("25.00.0"), None);
}

#[test]
fn number_words() {
    for (text, value) in [
        ("nol", "0"),
        ("satu", "1"),
        ("sembilan", "9"),
        ("sepuluh", "10"),
        ("sebelas", "11"),
        ("sembilan belas", "19"),
        ("dua puluh", "20"),
        ("sembilan puluh sembilan", "99"),
        ("seratus", "100"),
        ("seribu", "1000"),
        ("sejuta", "1000000"),
        ("dua ratus lima puluh ribu", "250000"),
        ("seribu lima ratus", "1500"),
        ("Dua Puluh Lima", "25"),
        ("duapuluh lima", "25"),
        ("limaratus ribu", "500000"),
        ("sribu", "1000"),
        ("serebu", "1000"),
        ("sepuluhh", "10"),
    ] {
        assert_eq!(num(text).as_deref(), Some(value), "{text}");
    }
    // Two numbers side by side are not one ("dua tiga" is "two or three").
    assert_eq!(num("dua tiga"), None);
    assert_eq!(num("sepuluh lima"), None);
}

#[test]
fn fractions_and_halves() {
    for (text, value) in [
        ("setengah", "0.5"),
        ("separuh", "0.5"),
        ("stgh", "0.5"),
        ("stengah", "0.5"),
        ("seperempat", "0.25"),
        ("seperapat", "0.25"),
        ("tiga perempat", "0.75"),
        ("satu setengah", "1.5"),
        ("dua setengah", "2.5"),
        ("2 setengah", "2.5"),
        ("dua seperempat", "2.25"),
        ("1/2", "0.5"),
        ("3/4", "0.75"),
        ("½", "0.5"),
        ("¾", "0.75"),
        ("1½", "1.5"),
        ("1 1/2", "1.5"),
    ] {
        assert_eq!(num(text).as_deref(), Some(value), "{text}");
    }
    // Thirds have no exact decimal; a date is not a fraction.
    assert_eq!(num("sepertiga"), None);
    assert_eq!(num("26/11"), None);
}

#[test]
fn ordinals_carry_a_flag() {
    for (text, value) in [
        ("pertama", 1),
        ("kedua", 2),
        ("ketiga", 3),
        ("kesepuluh", 10),
        ("kedua belas", 12),
        ("ke-3", 3),
        ("ke 3", 3),
        ("ke3", 3),
        ("yg ke 2", 2),
        ("yang kedua", 2),
    ] {
        let n = parse_number(text).expect(text);
        assert!(n.ordinal, "{text}");
        assert_eq!(n.value, Decimal::from_int(value), "{text}");
    }
    assert!(!parse_number("2").expect("2").ordinal);
}

#[test]
fn any_multiplier_after_any_number_form() {
    for (text, value) in [
        ("25rb", "25000"),
        ("25 ribu", "25000"),
        ("25k", "25000"),
        ("1,5jt", "1500000"),
        ("1.5 juta", "1500000"),
        ("dua rb", "2000"),
        ("setengah juta", "500000"),
        ("satu setengah juta", "1500000"),
        ("sejuta setengah", "1500000"),
        ("½ jt", "500000"),
        ("1jt 250rb", "1250000"),
        ("1rb5", "1500"),
        ("2 miliar", "2000000000"),
    ] {
        assert_eq!(num(text).as_deref(), Some(value), "{text}");
    }
}

#[test]
fn quantities_with_units() {
    let q = |t: &str| qty(t).expect(t);
    assert_eq!(q("2 lusin"), ("2".into(), Some("lusin"), Some("24".into())));
    assert_eq!(q("2 kodi"), ("2".into(), Some("kodi"), Some("40".into())));
    assert_eq!(q("1 gros"), ("1".into(), Some("gros"), Some("144".into())));
    assert_eq!(q("1 rim"), ("1".into(), Some("rim"), Some("500".into())));
    assert_eq!(
        q("setengah lusin"),
        ("0.5".into(), Some("lusin"), Some("6".into()))
    );
    assert_eq!(q("3 bks"), ("3".into(), Some("bungkus"), None));
    assert_eq!(q("10 biji"), ("10".into(), Some("pcs"), Some("10".into())));
    assert_eq!(q("2lsn"), ("2".into(), Some("lusin"), Some("24".into())));
    assert_eq!(q("2"), ("2".into(), None, None));
    // Whole pieces have no three decimals.
    assert_eq!(
        q("2,500 pcs"),
        ("2500".into(), Some("pcs"), Some("2500".into()))
    );
}

#[test]
fn weights_and_volumes_normalise() {
    let grams = |t: &str| match parse_quantity(t).and_then(|q| q.measure) {
        Some(Measure::Grams(g)) => g.to_string(),
        other => panic!("{t}: {other:?}"),
    };
    assert_eq!(grams("1,5 kg"), "1500");
    assert_eq!(grams("setengah kilo"), "500");
    assert_eq!(grams("sekilo"), "1000");
    assert_eq!(grams("5 ons"), "500");
    assert_eq!(grams("250gr"), "250");
    assert_eq!(grams("1 kg 250 gr"), "1250");
    assert_eq!(grams("sekilo setengah"), "1500");
    let q = parse_quantity("5 ons").expect("ons");
    assert_eq!(
        q.unit.map(|u| u.name),
        Some("ons"),
        "the written unit is kept"
    );
    assert_eq!(q.convert("kg"), Decimal::new(5, 1));
    let l = parse_quantity("1,5 liter").expect("liter");
    assert_eq!(
        l.measure,
        Some(Measure::Millilitres(Decimal::from_int(1500)))
    );
    assert_eq!(l.convert("ml"), Some(Decimal::from_int(1500)));
}

#[test]
fn containers_with_their_content() {
    let q = parse_quantity("1 dus isi 12").expect("dus");
    assert_eq!(q.unit.map(|u| u.name), Some("dus"));
    assert_eq!(q.inner, Some(Decimal::from_int(12)));
    assert_eq!(q.pieces, Some(Decimal::from_int(12)));
    let q = parse_quantity("2 pack (isi 10 pcs)").expect("pack");
    assert_eq!(q.pieces, Some(Decimal::from_int(20)));
    let q = parse_quantity("1 box isi 2 lusin").expect("box");
    assert_eq!(q.inner, Some(Decimal::from_int(24)));
    // The content's weight is not a count.
    assert_eq!(parse_quantity("1 pack isi 250 gram"), None);
}

#[test]
fn money_in_every_form() {
    for (text, value) in [
        ("Rp 25.000", 25_000),
        ("Rp25.000,-", 25_000),
        ("Rp. 25.000,00", 25_000),
        ("25rb", 25_000),
        ("25 ribu", 25_000),
        ("25k", 25_000),
        ("1,5jt", 1_500_000),
        ("1.5 juta", 1_500_000),
        ("dua puluh lima ribu", 25_000),
        ("dua puluh lima ribu rupiah", 25_000),
        ("lima ribu perak", 5_000),
        ("20 Rupiah", 20),
        ("20Rp", 20),
        ("IDR 33.000", 33_000),
        ("goceng", 5_000),
        ("ceban", 10_000),
        ("gopek", 500),
        ("cepek", 100),
        ("seceng", 1_000),
        ("noceng", 2_000),
        ("goban", 50_000),
        ("cepek ceng", 100_000),
        ("25000", 25_000),
        ("harga 25.000", 25_000),
    ] {
        assert_eq!(idr(text), exact(value), "{text}");
    }
}

#[test]
fn ranges_share_their_multiplier() {
    let range = |a, b| {
        Some(AmountKind::Range {
            min: rp(a),
            max: rp(b),
        })
    };
    for text in [
        "50-75rb",
        "50rb-75rb",
        "50 - 75 ribu",
        "50 s/d 75 ribu",
        "50 sd 75rb",
        "50 sampai 75 ribu",
        "antara 50 sampai 75 ribu",
        "antara 50 dan 75 ribu",
        "dari 50 hingga 75rb",
        "Rp 50.000 - Rp 75.000",
        "Rp50.000-75.000",
        "lima puluh sampai tujuh puluh lima ribu",
    ] {
        assert_eq!(idr(text), range(50_000, 75_000), "{text}");
    }
    assert_eq!(idr("1-1,5jt"), range(1_000_000, 1_500_000));
    // The left end takes the largest multiplier that keeps it below the right.
    assert_eq!(idr("500-1jt"), range(500_000, 1_000_000));
    // Ends the wrong way round are no range (never "Rp75 to Rp50.000").
    assert!(!matches!(idr("75-50rb"), Some(AmountKind::Range { .. })));
}

#[test]
fn bounds_and_approximations() {
    let most = Some(AmountKind::AtMost(rp(100_000)));
    for text in [
        "di bawah 100rb",
        "dibawah 100k",
        "< 100rb",
        "maks 100rb",
        "max 100rb",
        "maksimal 100rb",
        "kurang dari 100rb",
        "gak lebih dari 100rb",
        "100rb ke bawah",
        "budget max 100rb",
    ] {
        assert_eq!(idr(text), most, "{text}");
    }
    let least = Some(AmountKind::AtLeast(rp(50_000)));
    for text in [
        "di atas 50rb",
        "diatas 50rb",
        "minimal 50rb",
        "min 50rb",
        ">50rb",
        "lebih dari 50rb",
        "mulai 50rb",
        "50rb ke atas",
        "50rb+",
    ] {
        assert_eq!(idr(text), least, "{text}");
    }
    for text in [
        "sekitar 50rb",
        "kurang lebih 50rb",
        "±50rb",
        "+-50rb",
        "kira2 50rb",
        "kira-kira 50rb",
        "50rban",
        "50 ribuan",
        "50rb-an",
    ] {
        let a = parse_amount(text).expect(text);
        assert_eq!(a.kind, AmountKind::Exact(rp(50_000)), "{text}");
        assert!(a.approximate, "{text}");
    }
}

#[test]
fn numbers_that_are_not_money() {
    for text in [
        "26/11",
        "26/11/2020",
        "26-11-2020",
        "26.11.2020",
        "23.10",
        "jam 23.10",
        "23:10",
        "0812-3456-7890",
        "081234567890",
        "+62 812 3456 7890",
        "Jl. Melati No. 5",
        "RT 03/RW 05",
        "kode pos 61234",
        "61234",
        "2020",
        "2 lusin",
        "2000 pcs",
        "2",
        "500",
        "Rp 1,5",
        "$10",
        "10 dolar",
        "diskon 10%",
        "3 hari",
        "-5000",
        "rek 1234567890",
        "",
        "murah kak",
    ] {
        assert_eq!(idr(text), None, "{text}");
    }
}

#[test]
fn bare_numbers_follow_the_callers_rule() {
    assert_eq!(
        parse_amount_with("500", Bare::Rupiah).map(|a| a.kind),
        exact(500)
    );
    assert_eq!(parse_amount_with("500", Bare::PriceShaped), None);
    assert_eq!(parse_amount_with("25000", Bare::AfterPriceWord), None);
    assert_eq!(
        parse_amount_with("harganya cuma 25000 kak", Bare::AfterPriceWord).map(|a| a.kind),
        exact(25_000)
    );
}

#[test]
fn a_whole_message() {
    let text = "kak pesen donat 1 lusin sm brownies 2 ya, total 75rb";
    let amounts = find_amounts(text);
    assert_eq!(amounts.len(), 1);
    let (span, a) = amounts[0];
    assert_eq!(&text[span.start..span.end], "75rb");
    assert_eq!(a.exact(), Some(rp(75_000)));
    let found: Vec<(&str, String, Option<&str>)> = find_quantities(text)
        .into_iter()
        .map(|(s, q)| {
            (
                &text[s.start..s.end],
                q.amount.to_string(),
                q.unit.map(|u| u.name),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("1 lusin", "1".to_owned(), Some("lusin")),
            ("2", "2".to_owned(), None)
        ]
    );
}

#[test]
fn messages_keep_dates_phones_and_addresses_apart() {
    let text = "ambil tgl 26/11 jam 10.30, kirim ke Jl. Melati No. 5 RT 03/RW 05, wa 0812-3456-7890. \
                donat 2 dus isi 12, transfer 150.000 ya";
    let mentions: Vec<(&str, Mention)> = scan(text, Bare::AfterPriceWord)
        .into_iter()
        .map(|(s, m)| (&text[s.start..s.end], m))
        .collect();
    let shown: Vec<&str> = mentions.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        shown,
        [
            "tgl 26/11",
            "jam 10.30",
            "No. 5 RT 03/RW 05",
            "wa 0812-3456-7890",
            "2 dus isi 12",
            "150.000"
        ]
    );
    assert!(matches!(mentions[0].1, Mention::Other(Other::Date)));
    assert!(matches!(mentions[1].1, Mention::Other(Other::Time)));
    assert!(matches!(mentions[2].1, Mention::Other(Other::Address)));
    assert!(matches!(mentions[3].1, Mention::Other(Other::Phone)));
    assert!(matches!(mentions[5].1, Mention::Amount(a) if a.exact() == Some(rp(150_000))));
}

#[test]
fn a_price_field_reads_words_too() {
    use crate::money::{MoneyParseError, parse_rupiah};
    assert_eq!(parse_rupiah("dua puluh lima ribu"), Ok(rp(25_000)));
    assert_eq!(parse_rupiah("25 ribu rupiah"), Ok(rp(25_000)));
    assert_eq!(parse_rupiah("lima ratus"), Ok(rp(500)));
    assert_eq!(parse_rupiah("noban"), Ok(rp(20_000)));
    // A field wants one exact price.
    for text in [
        "50-75rb",
        "sekitar 50rb",
        "di bawah 100rb",
        "2 lusin 25rb",
        "25rb/pcs",
    ] {
        assert_eq!(
            parse_rupiah(text),
            Err(MoneyParseError::NotAnAmount),
            "{text}"
        );
    }
}

/// Indonesian words for a whole number, the way a careful writer spells it.
fn words(n: u64) -> String {
    const DIGITS: [&str; 10] = [
        "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    ];
    fn below_thousand(n: u64, out: &mut Vec<String>) {
        let (h, r) = (n / 100, n % 100);
        match h {
            0 => {}
            1 => out.push("seratus".into()),
            _ => out.push(format!("{} ratus", DIGITS[h as usize])),
        }
        match r {
            0 => {}
            1..=9 => out.push(DIGITS[r as usize].into()),
            10 => out.push("sepuluh".into()),
            11 => out.push("sebelas".into()),
            12..=19 => out.push(format!("{} belas", DIGITS[(r - 10) as usize])),
            _ => {
                out.push(format!("{} puluh", DIGITS[(r / 10) as usize]));
                if r % 10 > 0 {
                    out.push(DIGITS[(r % 10) as usize].into());
                }
            }
        }
    }
    if n == 0 {
        return "nol".into();
    }
    let mut out = Vec::new();
    for (scale, name) in [
        (1_000_000_000_000, "triliun"),
        (1_000_000_000, "miliar"),
        (1_000_000, "juta"),
        (1_000, "ribu"),
    ] {
        let group = (n / scale) % 1_000;
        if group == 1 && scale == 1_000 {
            out.push("seribu".into());
        } else if group > 0 {
            below_thousand(group, &mut out);
            out.push(name.into());
        }
    }
    below_thousand(n % 1_000, &mut out);
    out.join(" ")
}

#[test]
fn the_word_writer_used_below_is_right() {
    assert_eq!(words(1_500), "seribu lima ratus");
    assert_eq!(words(250_000), "dua ratus lima puluh ribu");
    assert_eq!(words(10_011), "sepuluh ribu sebelas");
}

fn chat_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,7}",
        "[0-9]{1,3}([.,][0-9]{1,3}){0,3}",
        prop::sample::select(vec![
            "rb", "ribu", "jt", "juta", "k", "M", "rp", "Rp.", "setengah", "stgh", "se", "ke", "-",
            "/", ",", ".", ",-", "s/d", "sampai", "antara", "dan", "di bawah", "min", "maks",
            "sekitar", "±", "lusin", "kg", "isi", "dus", "@", "(", ")", "x", "dua", "puluh",
            "belas", "ratus", "seratus", "koma", "per", "empat", "perempat", "½", "goceng", "ceng",
            "an", "ke atas", "+", "%", "jam", "tgl", "no", "rt", "harga", "total", "yg", "pertama",
            "kedua", "0812", "62", "hari", "\u{200b}", "é", "👍",
        ])
        .prop_map(str::to_owned),
    ]
}

fn chat_text() -> impl Strategy<Value = String> {
    prop::collection::vec((chat_piece(), prop::bool::ANY), 0..12).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(p, space)| if space { format!("{p} ") } else { p })
            .collect()
    })
}

fn check_everything(s: &str) -> Result<(), TestCaseError> {
    let _ = parse_number(s);
    let _ = parse_quantity(s);
    let _ = parse_amount(s);
    let _ = crate::money::parse_rupiah(s);
    for bare in [Bare::Rupiah, Bare::PriceShaped, Bare::AfterPriceWord] {
        let mut last = 0;
        for (span, _) in scan(s, bare) {
            // Spans are in order, do not overlap, and cut the text on char boundaries.
            prop_assert!(span.start >= last && span.start < span.end && span.end <= s.len());
            prop_assert!(s.is_char_boundary(span.start) && s.is_char_boundary(span.end));
            last = span.end;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,60}") {
        check_everything(&s)?;
    }

    #[test]
    fn chat_like_text_never_panics(s in chat_text()) {
        check_everything(&s)?;
    }

    #[test]
    fn formatted_rupiah_reads_back(n in 0i64..1_000_000_000_000_000) {
        let shown = Rupiah::new(n).to_string();
        for text in [shown.clone(), format!("{shown},-"), format!("Rp {}", crate::money::group_thousands_i64(n))] {
            prop_assert_eq!(idr(&text), exact(n), "{}", text);
        }
        let message = format!("kak totalnya {shown} ya, makasih");
        let found = find_amounts(&message);
        prop_assert_eq!(found.len(), 1);
        prop_assert_eq!(&message[found[0].0.start..found[0].0.end], shown.as_str());
        prop_assert_eq!(found[0].1.exact(), Some(Rupiah::new(n)));
    }

    #[test]
    fn amounts_in_thousands_read_back(k in 1i64..1_000_000) {
        prop_assert_eq!(idr(&format!("{k}rb")), exact(k * 1_000));
        prop_assert_eq!(idr(&format!("{k} ribu")), exact(k * 1_000));
        prop_assert_eq!(idr(&format!("{k}k")), exact(k * 1_000));
    }

    #[test]
    fn written_out_numbers_read_back(n in 0u64..1_000_000_000_000_000) {
        let text = words(n);
        let expected = Decimal::from_int(i64::try_from(n).unwrap_or(i64::MAX));
        prop_assert_eq!(parse_number(&text).map(|x| x.value), Some(expected), "{}", text);
        if n > 0 {
            prop_assert_eq!(idr(&format!("{text} rupiah")), exact(i64::try_from(n).unwrap_or(0)), "{}", text);
        }
    }

    #[test]
    fn indonesian_decimals_read_back(m in -10_000_000i64..10_000_000, scale in 0u32..4) {
        let d = Decimal::new(i128::from(m), scale).unwrap_or(Decimal::ZERO);
        prop_assert_eq!(parse_number(&d.to_indonesian()).map(|x| x.value), Some(d), "{}", d.to_indonesian());
    }
}
