// The cart, checkout and the order lifecycle from Swift, against the real core.
import Foundation
import XCTest
@testable import PasarKit

final class CheckoutTests: PasarTestCase {
    /// A buyer, two sellers and their products: Rina's donat by the box, Budi's casing and kabel.
    struct Shop {
        let buyer, rina, budi, donat, casing, kabel: String

        /// COD and pick-up at Rina's; BCA transfer and JNE REG from Budi.
        func request(_ checkoutId: String, address: Address = CheckoutTests.sidoarjo(), onlyBudi: Bool = false) -> CheckoutRequest {
            var sellers = [SellerChoice(
                sellerId: budi, shipping: Shipping(courier: .jne, service: "REG"), payment: .bankTransfer(bank: "BCA"))]
            if !onlyBudi {
                sellers.insert(SellerChoice(sellerId: rina, payment: .cod, note: "ambil sore"), at: 0)
            }
            return CheckoutRequest(checkoutId: checkoutId, buyerId: buyer, address: address, sellers: sellers)
        }
    }

    static func sidoarjo(kodePos: String = "61219") -> Address {
        Address(
            recipient: "Ibu Sari", phone: "0812-1111-2222", street: "Jl. Melati No. 5 RT 03/RW 05",
            kelurahan: "Pucang", kecamatan: "Sidoarjo", kabupaten: "Kab. Sidoarjo", provinsi: "Jawa Timur",
            kodePos: kodePos, notes: "Pagar hijau")
    }

    func shop(_ pasar: Pasar) async throws -> Shop {
        let accounts = pasar.accounts()
        let catalog = pasar.catalog()
        let buyer = try await accounts.saveAccount(account: NewAccount(name: "Ibu Sari", phone: "0812-1111-2222")).id
        let rina = try await accounts.saveAccount(account: NewAccount(name: "Dapur Bu Rina", phone: "0813-3333-4444")).id
        let budi = try await accounts.saveAccount(account: NewAccount(name: "Toko Budi", phone: "0857-5555-6666")).id
        let donat = try await catalog.createProduct(product: NewProduct(
            sellerId: rina, name: "Donat coklat", price: "25rb", unit: "box", weightGrams: 600, stock: .limited(count: 10))).id
        let casing = try await catalog.createProduct(product: NewProduct(
            sellerId: budi, name: "Casing HP", price: "35rb", weightGrams: 100, stock: .limited(count: 3))).id
        let kabel = try await catalog.createProduct(product: NewProduct(
            sellerId: budi, name: "Kabel data", price: "15rb", weightGrams: 50, stock: .limited(count: 1))).id
        try await pasar.orders().setRate(sellerId: budi, rate: Rate(
            courier: .jne, service: "REG", destination: "Jawa Timur", firstKgIdr: 11_000, nextKgIdr: 11_000))
        return Shop(buyer: buyer, rina: rina, budi: budi, donat: donat, casing: casing, kabel: kabel)
    }

    func stock(_ pasar: Pasar, _ productId: String) async throws -> Stock {
        try await pasar.catalog().getProduct(id: productId).stock
    }

    func testATwoSellerCartIsFixedCheckedOutOnceAndTheTransferOrderWalksToSelesai() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let s = try await shop(pasar)
        let cart = pasar.cart()
        let orders = pasar.orders()
        // Registered now: it hears every change from here on.
        let changes = orders.changes()

        try await cart.add(s.donat, quantityMilli: 2_000, note: "pedas")
        try await cart.add(s.casing, quantityMilli: 2_000)
        try await cart.add(s.kabel)
        // The sellers change things while the buyer looks away.
        _ = try await pasar.catalog().updateProduct(id: s.donat, patch: ProductPatch(price: "27rb"))
        _ = try await pasar.catalog().updateProduct(id: s.kabel, patch: ProductPatch(stock: .limited(count: 0)))

        let view = try await cart.view()
        XCTAssertTrue(view.needsAttention)
        XCTAssertEqual(view.sellers.map(\.sellerName), ["Dapur Bu Rina", "Toko Budi"])
        let donat = try XCTUnwrap(view.sellers.first?.items.first)
        XCTAssertEqual(donat.state, .priceChanged(wasIdr: 25_000, nowIdr: 27_000, wasLabel: "Rp25.000", nowLabel: "Rp27.000"))
        XCTAssertTrue(donat.blocksCheckout)
        XCTAssertEqual(donat.stateIndonesian, "Harga berubah dari Rp25.000 menjadi Rp27.000")
        XCTAssertEqual(donat.quantityLabel, "2 box")
        let kabel = try XCTUnwrap(view.sellers.last?.items.first { $0.productName == "Kabel data" })
        XCTAssertEqual(kabel.state, .outOfStock)
        XCTAssertEqual(kabel.stateEnglish, "Out of stock")
        XCTAssertEqual(view.sellers.last?.subtotalLabel, "Rp70.000", "only what can be ordered counts")

        // Checkout is refused while they stand, and the cart stays as it was.
        let checkoutId = OrderService.newCheckoutId()
        let stale = await refusal { try await orders.checkout(request: s.request(checkoutId)) }
        XCTAssertEqual(stale?.field, "cart")
        let soldOut = await refusal { try await orders.checkout(request: s.request(checkoutId, onlyBudi: true)) }
        guard case .OutOfStock? = soldOut else { return XCTFail("expected out of stock, got \(String(describing: soldOut))") }
        XCTAssertEqual(soldOut?.indonesian, "Stok Kabel data tidak cukup")
        let kept = try await cart.lines()
        XCTAssertEqual(kept.count, 3)
        let casingStock = try await stock(pasar, s.casing)
        XCTAssertEqual(casingStock, .limited(count: 3), "nothing was taken")

        // The buyer accepts the new price and drops the sold-out line.
        try await cart.acceptPrice(lineId: donat.line.id)
        try await cart.remove(lineId: kabel.line.id)
        let fixed = try await cart.view()
        XCTAssertFalse(fixed.needsAttention)
        XCTAssertEqual(fixed.totalIdr, 2 * 27_000 + 2 * 35_000)

        // Bad input is refused and nothing is lost.
        let kodePos = await refusal {
            try await orders.checkout(request: s.request(checkoutId, address: Self.sidoarjo(kodePos: "123")))
        }
        XCTAssertEqual(kodePos?.field, "kode_pos")
        let hostile = await refusal { try await orders.checkout(request: s.request("'; DROP TABLE orders; --")) }
        XCTAssertEqual(hostile?.field, "checkout_id")
        let stillThere = try await cart.lines()
        XCTAssertEqual(stillThere.count, 2)
        let casingAfter = try await stock(pasar, s.casing)
        let donatAfter = try await stock(pasar, s.donat)
        XCTAssertEqual([casingAfter, donatAfter], [.limited(count: 3), .limited(count: 10)])
        let none = try await orders.forAccount(s.buyer)
        XCTAssertTrue(none.isEmpty)

        // COD + pick-up at Rina's, BCA transfer + JNE REG from Budi.
        let placed = try await orders.checkout(request: s.request(checkoutId))
        XCTAssertEqual(placed.map(\.sellerId), [s.rina, s.budi])
        let cod = placed[0], transfer = placed[1]
        XCTAssertEqual(cod.status, .processing)
        XCTAssertEqual(cod.statusLabel, "Dikemas")
        XCTAssertEqual(cod.delivery, .pickup)
        XCTAssertNil(cod.address)
        XCTAssertEqual([cod.ongkirIdr, cod.kodeUnikIdr, cod.totalIdr], [0, 0, 54_000])
        XCTAssertEqual(cod.totalLabel, "Rp54.000")

        XCTAssertEqual(transfer.status, .awaitingPayment)
        XCTAssertEqual(transfer.statusLabel, "Belum Bayar")
        XCTAssertEqual(transfer.payment, .bankTransfer(bank: "BCA"))
        XCTAssertEqual(transfer.paymentLabel, "Transfer BCA")
        XCTAssertEqual(transfer.shipping, Shipping(courier: .jne, service: "REG"))
        XCTAssertEqual(transfer.shippingLabel, "JNE REG")
        XCTAssertEqual(transfer.address?.phone, "+6281211112222")
        XCTAssertEqual(transfer.itemsTotalIdr, 70_000)
        XCTAssertEqual(transfer.ongkirIdr, 11_000, "200 g → 1 kg to Jawa Timur")
        XCTAssertTrue((1...999).contains(transfer.kodeUnikIdr), "kode unik \(transfer.kodeUnikIdr)")
        XCTAssertEqual(transfer.totalIdr, transfer.itemsTotalIdr + transfer.ongkirIdr + transfer.kodeUnikIdr)
        XCTAssertEqual(transfer.totalLabel, formatRupiah(idr: transfer.totalIdr))
        XCTAssertNotNil(transfer.expiresAtMs)
        let emptied = try await cart.lines()
        XCTAssertTrue(emptied.isEmpty, "ordered lines leave the cart")

        // A double tap: the same checkout id returns the same orders, stock taken once.
        let again = try await orders.checkout(request: s.request(checkoutId))
        XCTAssertEqual(again, placed)
        let casingTaken = try await stock(pasar, s.casing)
        XCTAssertEqual(casingTaken, .limited(count: 1))

        // The seller's side, and every illegal move refused with a typed error.
        let buyerPays = await refusal { try await orders.act(orderId: transfer.id, actorId: s.buyer, action: .confirmPayment) }
        guard case .Conflict? = buyerPays else { return XCTFail("expected a conflict, got \(String(describing: buyerPays))") }
        let paid = try await orders.act(orderId: transfer.id, actorId: s.budi, action: .confirmPayment)
        XCTAssertNil(paid.expiresAtMs)
        let noResi = await refusal {
            try await orders.act(orderId: transfer.id, actorId: s.budi, action: .ship(courier: "JNE REG", resi: " "))
        }
        XCTAssertEqual(noResi?.field, "resi")
        let shipped = try await orders.act(
            orderId: transfer.id, actorId: s.budi, action: .ship(courier: "JNE REG", resi: "JNE0123456789"))
        XCTAssertEqual(shipped.resi, "JNE0123456789")
        let delivered = try await orders.act(orderId: transfer.id, actorId: s.budi, action: .markDelivered)
        let done = try await orders.act(orderId: transfer.id, actorId: s.buyer, action: .complete)
        XCTAssertEqual(
            [transfer, paid, shipped, delivered, done].map(\.statusLabel),
            ["Belum Bayar", "Dikemas", "Dikirim", "Sampai", "Selesai"])
        XCTAssertEqual(done.version, 5)

        let late = await refusal {
            try await orders.act(orderId: transfer.id, actorId: s.budi, action: .cancel(reason: "stok habis"))
        }
        guard case .Conflict? = late else { return XCTFail("expected a conflict, got \(String(describing: late))") }
        let stranger = try await pasar.accounts().saveAccount(account: NewAccount(name: "Orang Lain", phone: "0811-9999-0000")).id
        let nosy = await refusal { try await orders.act(orderId: cod.id, actorId: stranger, action: .complete) }
        guard case .NotFound? = nosy else { return XCTFail("expected not found, got \(String(describing: nosy))") }

        let history = try await orders.history(orderId: transfer.id)
        XCTAssertEqual(history.count, 5)
        XCTAssertEqual(history.map(\.role), [.buyer, .seller, .seller, .seller, .buyer])
        XCTAssertEqual(history.map(\.action), ["place", "confirm_payment", "ship", "mark_delivered", "complete"])
        XCTAssertEqual(history.map(\.toStatusLabel), ["Belum Bayar", "Dikemas", "Dikirim", "Sampai", "Selesai"])
        XCTAssertNil(history.first?.fromStatus)

        // The stream heard every change, in order; ending the loop stops it.
        var heard: [Order] = []
        for await order in changes {
            heard.append(order)
            if heard.count == 6 { break }
        }
        XCTAssertEqual(heard.map(\.id), [cod.id, transfer.id] + Array(repeating: transfer.id, count: 4))
        XCTAssertEqual(heard.map(\.statusLabel), ["Dikemas", "Belum Bayar", "Dikemas", "Dikirim", "Sampai", "Selesai"])

        let wa = try await orders.whatsappMessage(orderId: transfer.id)
        XCTAssertTrue(wa.text.contains("Mohon transfer tepat \(transfer.totalLabel)"), wa.text)
        XCTAssertTrue(wa.link?.hasPrefix("https://wa.me/62") == true, String(describing: wa.link))
    }

    func testAnUnpaidTransferExpiresAndItsStockComesBack() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let s = try await shop(pasar)
        try await pasar.cart().add(s.casing, quantityMilli: 3_000)
        let orders = pasar.orders()
        let order = try await orders.checkout(request: s.request(OrderService.newCheckoutId(), onlyBudi: true))[0]
        let deadline = try XCTUnwrap(order.expiresAtMs)
        let early = try await orders.expireDue(nowMs: deadline - 1)
        XCTAssertEqual(early, 0)
        let expired = try await orders.expireDue(nowMs: deadline)
        XCTAssertEqual(expired, 1)
        let read = try await orders.get(orderId: order.id)
        XCTAssertEqual(read.statusLabel, "Dibatalkan")
        let back = try await stock(pasar, s.casing)
        XCTAssertEqual(back, .limited(count: 3))
    }
}
