// Chat orders from Swift, against the real core: a pasted WhatsApp message becomes a
// draft matched to the market's catalog with spans; an export becomes every buyer's
// order and the rekap.
import Foundation
import XCTest
@testable import PasarKit

final class ChatOrdersTests: PasarTestCase {
    /// A market with two donuts (so "donat" alone is ambiguous), brownies, eggs per kg.
    func market(_ pasar: Pasar) async throws -> (group: String, ids: [String: String]) {
        let rina = try await seller(pasar)
        let group = try await pasar.groups().createGroup(name: "Pasar Warga RT 05", adminId: rina)
        func product(_ name: String, _ price: String, _ unit: String, _ options: [VariantOption] = []) -> NewProduct {
            NewProduct(sellerId: rina, name: name, price: price, unit: unit, stock: .unlimited,
                       options: options, groupIds: [group.id])
        }
        let catalog = pasar.catalog()
        var ids: [String: String] = [:]
        ids["donat"] = try await catalog.createProduct(product: product(
            "Donat Kentang", "3rb", "pcs", [VariantOption(name: "Rasa", values: ["Coklat", "Keju"])])).id
        ids["bomboloni"] = try await catalog.createProduct(product: product("Donat Bomboloni", "5rb", "pcs")).id
        ids["brownies"] = try await catalog.createProduct(product: product("Brownies Panggang", "45rb", "loyang")).id
        ids["telur"] = try await catalog.createProduct(product: product("Telur Ayam", "28rb", "kg")).id
        return (group.id, ids)
    }

    /// The text a span points at: spans count UTF-16 units, like `NSRange`.
    func text(_ s: String, _ span: TextSpan) -> String {
        (s as NSString).substring(with: NSRange(location: Int(span.start), length: Int(span.end - span.start)))
    }

    func testAPastedMessageBecomesADraftMatchedToTheCatalogWithSpans() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let (group, ids) = try await market(pasar)
        let chats = pasar.chat()
        let message = "kak pesen dnt kentang keju 1 lusin 🍩 sm brownies 2 ya, kirim ke Jl. Melati 5 Sidoarjo, wa 0812-3456-7890, cod"
        let draft = try await chats.parseMessage(scope: .group(groupId: group), text: message)
        XCTAssertEqual(draft.intent, .order)
        XCTAssertEqual(draft.lines.count, 2)
        guard case let .product(productId, name, _, variant) = draft.lines[0].matched else {
            return XCTFail("expected a product, got \(draft.lines[0].matched)")
        }
        XCTAssertEqual(productId, ids["donat"])
        XCTAssertEqual(name, "Donat Kentang")
        XCTAssertEqual(variant, [VariantChoice(option: "Rasa", value: "Keju")])
        XCTAssertEqual(draft.lines[0].quantityMilli, 12_000, "1 lusin of a per-piece product is 12")
        XCTAssertEqual(text(message, draft.lines[0].quantitySpan!), "1 lusin")
        // The emoji before "sm" is two UTF-16 units: spans still land on the words.
        XCTAssertEqual(text(message, draft.lines[1].span), "brownies 2")
        XCTAssertEqual(draft.address?.value, "Jl. Melati 5 Sidoarjo")
        XCTAssertEqual(text(message, draft.address!.span), "Jl. Melati 5 Sidoarjo")
        XCTAssertEqual(draft.phone?.value, "+6281234567890")
        XCTAssertEqual(draft.payment, .cod)

        let unsure = try await chats.parseMessage(scope: .group(groupId: group), text: "donat 2 ya kak")
        guard case let .ambiguous(candidates) = unsure.lines.first?.matched else {
            return XCTFail("expected ambiguous, got \(String(describing: unsure.lines.first))")
        }
        XCTAssertEqual(Set(candidates.map(\.productId)), Set([ids["donat"]!, ids["bomboloni"]!]))
        // Not among the draft's cart items: the admin settles it.
        XCTAssertEqual(unsure.items, [])
        XCTAssertEqual(unsure.unsettled, [0])

        // The core's cart items: the matched lines, "brownies" without a number counts one.
        let plain = try await chats.parseMessage(scope: .group(groupId: group), text: "pesen dnt kentang keju 6 sm brownies ya kak")
        XCTAssertEqual(plain.items, [
            DraftItem(productId: ids["donat"]!, variant: [VariantChoice(option: "Rasa", value: "Keju")], quantityMilli: 6_000, note: ""),
            DraftItem(productId: ids["brownies"]!, variant: [], quantityMilli: 1_000, note: ""),
        ])
        XCTAssertEqual(plain.unsettled, [])

        // One tap: the matched lines into the cart.
        let lines = try await chats.addToCart(items: draft.items)
        XCTAssertEqual(lines.map(\.quantityMilli), [12_000, 2_000])
        let before = try await pasar.cart().lines()
        XCTAssertEqual(before.count, 2)
        // A line that cannot go in stops them all, and its error names it: brownies would
        // go in, 1,5 bomboloni cannot (sold per piece).
        let half = await refusal {
            try await chats.addToCart(items: [
                DraftItem(productId: ids["brownies"]!, variant: [], quantityMilli: 1_000, note: ""),
                DraftItem(productId: ids["bomboloni"]!, variant: [], quantityMilli: 1_500, note: ""),
            ])
        }
        XCTAssertEqual(half?.field, "quantity")
        XCTAssertTrue(half?.indonesian.hasPrefix("Baris 2 (Donat Bomboloni): ") ?? false, "\(String(describing: half))")
        let afterHalf = try await pasar.cart().lines()
        XCTAssertEqual(afterHalf, before, "the cart is unchanged")
        let bad = await refusal {
            try await chats.addToCart(items: [
                DraftItem(productId: ids["telur"]!, variant: [], quantityMilli: 1_500, note: ""),
                DraftItem(productId: ids["donat"]!, variant: [], quantityMilli: 1_000, note: ""),
            ])
        }
        XCTAssertEqual(bad?.field, "variant")
        let cart = try await pasar.cart().lines()
        XCTAssertEqual(cart, before)
    }

    func testAnExportBecomesEveryBuyersOrderAndTheRekap() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let (group, ids) = try await market(pasar)
        let export = """
        [26/11/24, 07.05.00] Admin Rina: OPEN PO hari ini 🍩
        Donat kentang 3rb
        Brownies panggang 45rb
        [26/11/24, 07.10.12] Bu Sari: kak pesen donat kentang keju 6 sm brownies 1
        [26/11/24, 07.12.40] Pak Budi: telur 1,5 kg ya
        [26/11/24, 07.20.03] Bu Sari: tambah 1 lagi ya kak
        [26/11/24, 08.00.00] Bu Sari: udah tf ya kak 🙏
        """
        let read = try await pasar.chat().readExport(
            scope: .group(groupId: group), export: Data(export.utf8), admins: [], title: "Pasar Warga")
        XCTAssertEqual(read.buyers.map(\.buyer), ["Bu Sari", "Pak Budi"])
        XCTAssertEqual(read.buyers[0].lines.map(\.productId), [ids["donat"]!, ids["brownies"]!])
        XCTAssertEqual(read.buyers[0].lines.map(\.quantityMilli), [6_000, 2_000])
        XCTAssertTrue(read.buyers[0].paid)
        XCTAssertEqual(read.buyers[1].totalIdr, 42_000)
        XCTAssertEqual(read.totalIdr, 108_000 + 42_000)
        XCTAssertTrue(read.rekapText.hasPrefix("*REKAP PESANAN — Pasar Warga*"))
        XCTAssertTrue(read.rekapText.contains("Telur Ayam × 1,5 kg = Rp42.000"), read.rekapText)
    }
}
