#!/usr/bin/env python3
"""bench/run orders: the baseline, order extraction the way a competent Python developer
would write it in an afternoon: keyword regexes for the intent, a message split into item
segments, a number found in each, and the rest matched against the catalog's names with
rapidfuzz.

    python3 baseline.py --catalog catalog.json < messages.jsonl > out.jsonl

Reads `{"id", "text"}` lines and prints `{"id", "intent", "items": [{"product_id",
"qty"}]}` for each: intent is order, question, cancel or other; only orders have items.

Names are matched with `process.extractOne` and `fuzz.token_sort_ratio` (cutoff 70), the
scorer that did best here: `token_set_ratio` gives 100 to every name whose words are a
subset of the item's, so "selimut" wins for any "selimut microfiber …" (item F1 0.31 on
2,000 messages against 0.82 for token_sort_ratio and 0.77 for WRatio, before the cleaning
below).
"""

import argparse
import json
import re
import sys

from rapidfuzz import fuzz, process, utils

NUMBER_WORDS = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
}
WORD = "|".join(NUMBER_WORDS)
UNITS = r"pcs|pc|biji|buah|box|bx|kotak|bungkus|bks|pack|pak|pck|botol|btl|porsi|bh"

CANCEL = re.compile(
    r"\b(batal\w*|dibatalkan|cancel\w*|cancle|hapus"
    r"|(ga|gak|gk|nggak|enggak|tidak|ndak)\s*(jadi|usah))\b"
)
ORDER = re.compile(
    r"\b(pesen|pesan|order|po|mau|ambil|beli|ikut|tambah|pesanan|format\s+order)\b"
)
QUESTION = re.compile(r"\b(brp|berapa|ready|masih\s+ada|stok|kapan|bisa|apa\s+aja|ada\s+ga)\b")
# Payment, thanks and small talk: a product named in them is not ordered.
SMALL_TALK = re.compile(
    r"\b(makasih|terima\s*kasih|tf|transfer|sampai|diterima|enak|noted|sama2|wkwk\w*)\b"
)

# The fields of the group's order form; the items are on the "Pesanan" line or below it.
FORM_FIELD = re.compile(
    r"^[\s*_]*(nama|alamat|no\.?\s*hp|no\.?\s*wa|hp|wa|telp|pembayaran|bayar|total|catatan)"
    r"\s*:",
)
FORM_ITEMS = re.compile(r"^[\s*_]*(pesanan|orderan)\s*:\s*(.*)$")
FORM_TITLE = re.compile(r"^[\s*_]*format\s+(order|pemesanan)\b")
BULLET = re.compile(r"^\s*(?:[-•*]|\d+[.)])\s*")
SPLIT = re.compile(r"\s*(?:,|&|\+|\n)\s*|\s+(?:sm|sama|dan)\s+")

# Numbers that belong to a name or a variant, not to the quantity: "isi 12", "250 ml".
NOT_QTY = re.compile(
    r"\b(?:isi|level|lvl|ukuran|varian|no)\s*\d+\b|\b\d+\s*(?:ml|gr|gram|g|kg|liter|l|mah)\b"
)
# Most telling first: "x2", dozens, a number with its unit, then a bare number or a number
# word, the last one when there are several ("jilbab segi empat dua").
QTY_PATTERNS = [
    ("first", re.compile(r"\bx\s*(\d+)\b|\b(\d+)\s*x\b")),
    ("half_dozen", re.compile(r"\bsetengah\s+lusin\b")),
    ("dozen", re.compile(rf"\b(se|\d+|{WORD})\s*lusin\b")),
    ("first", re.compile(rf"\b(\d+|{WORD})\s*(?:{UNITS})\b")),
    ("last", re.compile(r"\b(\d{1,3})\b")),
    ("last", re.compile(rf"\b({WORD})\b")),
]
# Chat words around an item; those that are also words of the catalog's names ("Kak
# Nisa", "Bu Rina") are kept.
STOP_WORDS = (
    "kak ka kk ya yaa yah pesen pesan order mau po saya aku ambil bu pak mbak dong ikut nanti"
    " sore diambil bayar tolong makasih lagi tambah yg kalo ada masih aja ok"
).split()
# What sellers put in names for the marketplace's search, never what a buyer types.
NAME_FILLER = re.compile(
    r"\b(ready stock|best seller|termurah|promo|ready|murah|viral|jual|ori|cod)\b"
)
VARIANT_OPTIONS = "ukuran|warna|rasa|topping|varian|tipe|isi|level"


def number(token):
    if token is None:
        return None
    if token.isdigit():
        return int(token)
    if token == "se":
        return 1
    return NUMBER_WORDS.get(token)


def quantity(segment):
    """The quantity written in a segment and the segment without it; None when none is."""
    masked = NOT_QTY.sub(lambda m: " " * len(m.group(0)), segment)
    for kind, pattern in QTY_PATTERNS:
        matches = list(pattern.finditer(masked))
        if not matches:
            continue
        m = matches[-1] if kind == "last" else matches[0]
        if kind == "half_dozen":
            qty = 6
        elif kind == "dozen":
            qty = 12 * (number(m.group(1)) or 1)
        else:
            qty = number(next(g for g in m.groups() if g is not None))
        if qty:
            return qty, segment[: m.start()] + " " + segment[m.end() :]
    return None, segment


def item_segments(text):
    """The parts of a message that each name one item."""
    lines = text.split("\n")
    if any(FORM_FIELD.match(line) for line in lines):
        picked, in_items = [], False
        for line in lines:
            m = FORM_ITEMS.match(line)
            if m:
                in_items = True
                if m.group(2).strip():
                    picked.append(m.group(2))
            elif FORM_FIELD.match(line) or FORM_TITLE.match(line):
                in_items = False
            elif in_items:
                picked.append(line)
        lines = picked
    segments = []
    for line in lines:
        line = BULLET.sub("", line)
        segments.extend(s for s in SPLIT.split(line) if s.strip())
    return segments


class Extractor:
    def __init__(self, catalog):
        self.ids = [str(p["id"]) for p in catalog]
        self.names = [
            " ".join(NAME_FILLER.sub(" ", utils.default_process(p["name"])).split())
            for p in catalog
        ]
        vocabulary = {w for name in self.names for w in name.split()}
        in_names = {f"{a} {b}" for n in self.names for a, b in zip(n.split(), n.split()[1:])}
        stop = [w for w in STOP_WORDS if w not in vocabulary]
        self.stop = re.compile(r"\b(" + ("|".join(stop) or "(?!)") + r")\b")
        # The variants the catalog offers, to take out of an item before matching its
        # name: "ukuran besar", "topping keju", and values that say it alone ("hitam").
        phrases, values = set(), set()
        for p in catalog:
            for option, vals in (p.get("variants") or {}).items():
                for v in vals:
                    v = utils.default_process(str(v))
                    phrase = utils.default_process(option) + " " + v
                    # "isi 10" is a variant of one product and the name of another.
                    if phrase not in in_names:
                        phrases.add(re.escape(phrase))
                    if not any(w in vocabulary or w.isdigit() for w in v.split()):
                        values.add(re.escape(v))
        longest_first = sorted(phrases, key=len, reverse=True)
        longest_first += sorted(values, key=len, reverse=True)
        self.variant = re.compile(r"\b(" + ("|".join(longest_first) or "(?!)") + r")\b")
        self.cache = {}

    def match(self, words):
        # Chats repeat themselves; the same words are matched once.
        if words in self.cache:
            return self.cache[words]
        found = process.extractOne(
            words, self.names, scorer=fuzz.token_sort_ratio, processor=None, score_cutoff=70
        )
        product = self.ids[found[2]] if found else None
        self.cache[words] = product
        return product

    def items(self, text, ordering):
        """Items with a quantity, or any item when the message says it orders."""
        items = []
        for segment in item_segments(text):
            qty, rest = quantity(segment)
            words = " ".join(self.stop.sub(" ", NAME_FILLER.sub(" ", rest)).split())
            words = utils.default_process(self.variant.sub(" ", words))
            # One leftover word is too little to name a product ("bayar cod ya" → "cod"),
            # unless a quantity says this is an item.
            if not words or (qty is None and len(words.split()) < 2):
                continue
            if qty is None and not ordering:
                continue
            product = self.match(words)
            if product is not None:
                items.append({"product_id": product, "qty": qty or 1})
        return items

    def extract(self, text):
        low = text.lower()
        if CANCEL.search(low):
            return "cancel", []
        if low.rstrip().endswith("?"):
            return "question", []
        ordering = bool(ORDER.search(low))
        items = self.items(low, ordering)
        if items and (ordering or not SMALL_TALK.search(low)):
            return "order", items
        if QUESTION.search(low):
            return "question", []
        if ordering and not SMALL_TALK.search(low):
            return "order", items
        return "other", []


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalog", required=True)
    args = parser.parse_args()
    with open(args.catalog, encoding="utf-8") as f:
        extractor = Extractor(json.load(f))
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        intent, items = extractor.extract(message.get("text") or "")
        out.write(json.dumps({"id": message["id"], "intent": intent, "items": items}))
        out.write("\n")


if __name__ == "__main__":
    main()
