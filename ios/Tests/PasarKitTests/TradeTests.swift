// Selling through others, from Swift, with phones and a real pasar-server process: a
// promoter's link brings a buyer whose order earns her the seller's commission; a
// reseller's listing sells a supplier's stock, and the supplier ships it with the
// reseller as the sender; a warehouse holding a seller's stock packs and ships its
// orders, and the buyer hears of each step (the sync's notices, and the APNs push).
// Binaries from PASAR_SERVER and PASAR_PUSH_SINK.
import Foundation
import XCTest
@testable import PasarKit

final class TradeTests: PasarTestCase {
    /// One sync round that finished, with nothing refused.
    @discardableResult
    private func round(_ sync: SyncService, file: StaticString = #filePath, line: UInt = #line) async throws -> SyncReport {
        let report = try await sync.sync(budget: 30)
        XCTAssertTrue(report.complete, "\(report)", file: file, line: line)
        let refused = report.rejected == 0 ? [] : try await sync.rejections()
        XCTAssertEqual(report.rejected, 0, "\(report) \(refused)", file: file, line: line)
        return report
    }

    /// A market group made on `owner`'s phone with the `numbers` as members, offline.
    private func market(_ pasar: Pasar, _ owner: String, _ numbers: String...) async throws -> MarketGroup {
        let group = try await pasar.groups().createGroup(name: "Pasar Warga Melati", adminId: owner)
        for (i, number) in numbers.enumerated() {
            let contact = try await pasar.accounts().saveAccount(account: NewAccount(name: "Pembeli \(i)", phone: number))
            _ = try await pasar.groups().addMember(groupId: group.id, accountId: contact.id)
        }
        return group
    }

    /// JNE REG to anywhere: Rp10.000 the first kilo, Rp8.000 each next.
    private func jneRate(_ pasar: Pasar, _ seller: String) async throws {
        try await pasar.orders().setRate(sellerId: seller, rate: Rate(
            courier: .jne, service: "REG", destination: "*", firstKgIdr: 10_000, nextKgIdr: 8_000))
    }

    private func listed(
        _ pasar: Pasar, _ seller: String, _ name: String, _ price: String, stock: Int64, group: String
    ) async throws -> Product {
        try await pasar.catalog().createProduct(product: NewProduct(
            sellerId: seller, name: name, price: price, unit: "pcs", weightGrams: 500,
            stock: .limited(count: stock), groupIds: [group]))
    }

    /// The buyer puts `units` in the cart and checks out, COD by JNE REG.
    private func order(_ pasar: Pasar, _ buyer: String, from seller: String, _ productId: String, _ units: Int64) async throws -> Order {
        try await pasar.cart().add(productId, quantityMilli: units * 1_000)
        let placed = try await pasar.orders().checkout(request: CheckoutRequest(
            checkoutId: newCheckoutId(), buyerId: buyer, address: CheckoutTests.sidoarjo(),
            sellers: [SellerChoice(sellerId: seller, shipping: Shipping(courier: .jne, service: "REG"), payment: .cod)]))
        XCTAssertEqual(placed.count, 1, "one seller, one order")
        return placed[0]
    }

    private let ship = OrderAction.ship(courier: "JNE REG", resi: "JNE0123456789")

    private func createdAt(_ order: Order) -> Date {
        Date(timeIntervalSince1970: Double(order.createdAtMs) / 1000)
    }

    func testAPromotersLinkBringsAnOrderThatEarnsHerCommission() async throws {
        let server = try ServerProcess()
        let (sellerPasar, sellerSync, seller) = try await phone(server, "Dapur Bu Rina", "0813-1111-2222", "+6281311112222")
        let (kiranaPasar, kiranaSync, kirana) = try await phone(server, "Kirana Putri", "0813-4444-5555", "+6281344445555")
        let (buyerPasar, buyerSync, buyer) = try await phone(server, "Ibu Sari", "0812-3333-4444", "+6281233334444")
        let group = try await market(sellerPasar, seller, "0813-4444-5555", "0812-3333-4444")
        try await jneRate(sellerPasar, seller)
        let donat = try await listed(sellerPasar, seller, "Donat kentang coklat", "25rb", stock: 20, group: group.id)
        // 7,5 % of the goods.
        let rule = CommissionRule.percent(basisPoints: 750)
        try await sellerPasar.promoters().setCommission(rule: rule)
        XCTAssertEqual(sellerPasar.promoters().describe(rule), "7,5% dari harga barang")
        try await round(sellerSync)

        // Kirana takes the code her name suggests; it is hers once the server says so.
        try await round(kiranaSync)
        let promo = kiranaPasar.promoters()
        let none = try await promo.myCode()
        XCTAssertNil(none)
        let suggested = try await promo.suggestCode()
        XCTAssertEqual(suggested, "KIRANA")
        let claimed = try await promo.claimCode(code: "kirana")
        XCTAssertEqual(claimed, PromoCode(code: "KIRANA", state: .pending))
        try await round(kiranaSync)
        let mine = try await promo.myCode()
        XCTAssertEqual(mine, PromoCode(code: "KIRANA", state: .active))
        let seen = try await promo.commissionRule(sellerId: seller)
        XCTAssertEqual(seen, rule, "the promoter sees the seller's rule")
        let share = try await promo.share(product: donat.id, baseURL: URL(string: "https://pasar.app")!)
        XCTAssertEqual(share.link, "https://pasar.app/p/\(donat.id)?ref=KIRANA")
        XCTAssertTrue(share.message.contains("Donat kentang coklat") && share.message.contains("KIRANA"), share.message)
        XCTAssertEqual(share.whatsapp?.host, "wa.me")

        // The buyer opens the link, then orders four: Rp100.000 of goods.
        try await round(buyerSync)
        let opened = try await buyerPasar.promoters().openLink(try XCTUnwrap(URL(string: share.link)))
        let referral = try XCTUnwrap(opened)
        XCTAssertEqual(referral.code, "KIRANA")
        XCTAssertEqual(referral.productId, donat.id)
        let carried = try await buyerPasar.promoters().referralFor(sellerId: seller)
        XCTAssertEqual(carried, "KIRANA")
        let placed = try await order(buyerPasar, buyer, from: seller, donat.id, 4)
        XCTAssertEqual(placed.itemsTotalLabel, "Rp100.000")
        XCTAssertEqual(placed.promoter?.code, "KIRANA")
        try await round(buyerSync)
        try await round(sellerSync)

        // The seller's phone: who brought it, and the commission.
        let atSeller = try await sellerPasar.orders().get(orderId: placed.id)
        let promoter = try XCTUnwrap(atSeller.promoter, "attributed")
        XCTAssertEqual(promoter.accountId, kirana)
        XCTAssertEqual(promoter.name, "Kirana Putri")
        XCTAssertEqual(promoter.commissionIdr, 7_500)
        XCTAssertEqual(promoter.commissionLabel, "Rp7.500")
        // The buyer's: only the code.
        let atBuyer = try await buyerPasar.orders().get(orderId: placed.id)
        XCTAssertEqual(atBuyer.promoter?.code, "KIRANA")
        XCTAssertEqual(atBuyer.promoter?.accountId, "")
        XCTAssertEqual(atBuyer.promoter?.commissionIdr, 0)

        // Kirana's phone: the order without the buyer's address, and her month.
        try await round(kiranaSync)
        let hers = try await kiranaPasar.orders().promoted(kirana)
        XCTAssertEqual(hers.map(\.id), [placed.id])
        XCTAssertNil(hers.first?.address, "not who or where")
        XCTAssertEqual(hers.first?.promoter?.commissionLabel, "Rp7.500")
        let pending = try await promo.payouts(monthOf: createdAt(placed))
        XCTAssertEqual(pending.count, 1)
        XCTAssertEqual(pending.first?.code, "KIRANA")
        XCTAssertEqual(pending.first?.orders, 1)
        XCTAssertEqual(pending.first?.pendingLabel, "Rp7.500")
        XCTAssertEqual(pending.first?.earnedIdr, 0)

        // Delivered and completed: the commission is earned, on both phones.
        _ = try await sellerPasar.orders().act(orderId: placed.id, actorId: seller, action: ship)
        _ = try await sellerPasar.orders().act(orderId: placed.id, actorId: seller, action: .markDelivered)
        let completed = try await sellerPasar.orders().act(orderId: placed.id, actorId: seller, action: .complete)
        XCTAssertEqual(completed.status, .completed)
        try await round(sellerSync)
        try await round(kiranaSync)
        let earned = try await promo.payouts(monthOf: createdAt(placed))
        XCTAssertEqual(earned.first?.earnedLabel, "Rp7.500")
        XCTAssertEqual(earned.first?.pendingIdr, 0)
        let sellers = try await sellerPasar.promoters().payouts(monthOf: createdAt(placed))
        XCTAssertEqual(sellers.map(\.name), ["Kirana Putri"])
        XCTAssertEqual(sellers.first?.id, kirana)
        XCTAssertEqual(sellers.first?.salesLabel, "Rp100.000")
        XCTAssertEqual(sellers.first?.earnedLabel, "Rp7.500")

        // Someone else's claim of KIRANA: refused as taken, and the next suggestion is free.
        let (otherPasar, otherSync, _) = try await phone(server, "Kirana Dewi", "0857-5555-6666", "+6285755556666")
        _ = try await otherPasar.promoters().claimCode(code: "KIRANA")
        let report = try await otherSync.sync(budget: 30)
        XCTAssertEqual(report.rejected, 1)
        let refused = try await otherSync.rejections()
        XCTAssertEqual(refused.map(\.field), ["code"])
        XCTAssertEqual(refused.first?.indonesian, "Kode KIRANA sudah dipakai orang lain. Coba kode lain.")
        let taken = try await otherPasar.promoters().myCode()
        XCTAssertEqual(taken?.state, .taken)
        let next = try await otherPasar.promoters().suggestCode()
        XCTAssertEqual(next, "KIRANA2")
    }

    func testAResellersOrderReachesTheSupplierWhoShipsItWithTheResellerAsSender() async throws {
        let server = try ServerProcess()
        let (supplierPasar, supplierSync, supplier) = try await phone(server, "Grosir Pak Budi", "0813-6666-7777", "+6281366667777")
        let (resellerPasar, resellerSync, reseller) = try await phone(server, "Toko Dewi", "0813-8888-9999", "+6281388889999")
        let (buyerPasar, buyerSync, buyer) = try await phone(server, "Ibu Sari", "0812-3333-4444", "+6281233334444")
        let suppliers = try await market(supplierPasar, supplier, "0813-8888-9999")
        let source = try await listed(supplierPasar, supplier, "Bantal leher", "30rb", stock: 10, group: suppliers.id)
        let terms = ResaleTerms(supplyPriceIdr: 20_000, minPriceIdr: 25_000, maxPriceIdr: 40_000)
        let opened = try await supplierPasar.catalog().openForResale(id: source.id, terms: terms)
        XCTAssertEqual(opened.resale, terms)
        try await round(supplierSync)

        // The reseller lists it in her own circle, at her price within the bounds.
        try await round(resellerSync)
        let seen = try await resellerPasar.catalog().getProduct(id: source.id)
        XCTAssertEqual(seen.resale, terms)
        let circle = try await market(resellerPasar, reseller, "0812-3333-4444")
        try await jneRate(resellerPasar, reseller)
        do {
            _ = try await resellerPasar.catalog().resell(source.id, resellerId: reseller, priceIdr: 45_000, groupIds: [circle.id])
            XCTFail("above the supplier's ceiling")
        } catch let error as PasarError {
            XCTAssertEqual(error.field, "price")
        }
        let listing = try await resellerPasar.catalog().resell(source.id, resellerId: reseller, priceIdr: 35_000, groupIds: [circle.id])
        XCTAssertEqual(listing.resaleOf, source.id)
        XCTAssertEqual(listing.sellerId, reseller)
        XCTAssertEqual(listing.name, "Bantal leher")
        XCTAssertEqual(listing.priceLabel, "Rp35.000")
        try await round(resellerSync)

        try await round(buyerSync)
        let placed = try await order(buyerPasar, buyer, from: reseller, listing.id, 2)
        XCTAssertEqual(placed.itemsTotalLabel, "Rp70.000")
        try await round(buyerSync)

        // The supplier's packing list has it; the label's sender is the reseller.
        try await round(supplierSync)
        let packing = try await supplierPasar.orders().packingList(supplier)
        XCTAssertEqual(packing.map(\.id), [placed.id])
        XCTAssertTrue(packing.first?.partnerActions.contains(.pack) ?? false)
        XCTAssertEqual(packing.first?.supply?.supplyLabel, "Rp40.000")
        let printed = try await supplierPasar.orders().label(orderId: placed.id)
        let label = try XCTUnwrap(printed, "a courier order")
        XCTAssertEqual(label.senderName, "Toko Dewi")
        XCTAssertEqual(label.senderPhone, "0813-8888-9999")
        XCTAssertTrue(label.recipient.hasPrefix("Ibu Sari"), label.recipient)
        XCTAssertEqual(label.codLabel, placed.totalLabel, "the courier collects the whole COD")
        XCTAssertEqual(label.courier, "JNE REG")
        let left = try await supplierPasar.catalog().getProduct(id: source.id).stock
        XCTAssertEqual(left, .limited(count: 8))

        // The reseller sees what she owes and keeps: Rp70.000 sold, Rp40.000 owed.
        try await round(resellerSync)
        let hers = try await resellerPasar.orders().get(orderId: placed.id)
        let supply = try XCTUnwrap(hers.supply)
        XCTAssertEqual(supply.supplier.name, "Grosir Pak Budi")
        XCTAssertEqual(supply.supplyLabel, "Rp40.000")
        XCTAssertEqual(supply.marginLabel, "Rp30.000")
        XCTAssertFalse(hers.sellerActions.contains(.ship), "the goods are at the supplier's")

        // The supplier packs and ships; the buyer sees it shipped, and nothing of him.
        let packed = try await supplierPasar.orders().act(orderId: placed.id, actorId: supplier, action: .pack)
        XCTAssertNotNil(packed.packedAtMs)
        XCTAssertFalse(packed.partnerActions.contains(.pack), "packed once")
        XCTAssertTrue(packed.partnerActions.contains(.ship))
        _ = try await supplierPasar.orders().act(orderId: placed.id, actorId: supplier, action: ship)
        try await round(supplierSync)
        try await round(buyerSync)
        let theirs = try await buyerPasar.orders().get(orderId: placed.id)
        XCTAssertEqual(theirs.status, .shipped)
        XCTAssertEqual(theirs.statusLabel, "Dikirim")
        XCTAssertEqual(theirs.resi, "JNE0123456789")
        XCTAssertNil(theirs.supply)
        XCTAssertNil(theirs.partner)
        XCTAssertEqual(theirs.sellerId, reseller)
    }

    func testAWarehousePacksThenShipsAndTheBuyerIsToldEachStep() async throws {
        let sink = try PushSinkProcess()
        let server = try ServerProcess(env: sink.serverEnv)
        let (sellerPasar, sellerSync, seller) = try await phone(server, "Dapur Bu Rina", "0813-1111-2222", "+6281311112222")
        let (warehousePasar, warehouseSync, warehouse) = try await phone(server, "Gudang Surabaya", "0813-2222-3333", "+6281322223333")
        // The warehouse's app syncs once signed in: the server learns its name then.
        try await round(warehouseSync)
        let (buyerPasar, buyerSync, buyer) = try await phone(server, "Ibu Sari", "0812-3333-4444", "+6281233334444")
        let deviceToken = Data((0..<32).map { UInt8($0 * 7 & 0xff) })
        try await buyerSync.registerPush(apnsToken: deviceToken, appVersion: "1.0.0", language: "id")
        let group = try await market(sellerPasar, seller, "0812-3333-4444")
        try await jneRate(sellerPasar, seller)
        let bantal = try await listed(sellerPasar, seller, "Bantal", "45rb", stock: 5, group: group.id)
        let assigned = try await sellerPasar.catalog().assignStock(id: bantal.id, partnerId: warehouse, units: 3)
        XCTAssertEqual(assigned.stock, .limited(count: 5), "home stock counted apart")
        XCTAssertEqual(assigned.stockAt, [PartnerStock(partnerId: warehouse, stock: 3)])
        try await round(sellerSync)

        try await round(buyerSync)
        let placed = try await order(buyerPasar, buyer, from: seller, bantal.id, 2)
        try await round(buyerSync)
        try await round(sellerSync)
        let atSeller = try await sellerPasar.orders().get(orderId: placed.id)
        XCTAssertEqual(atSeller.partner?.accountId, warehouse)
        XCTAssertEqual(atSeller.partner?.name, "Gudang Surabaya")
        XCTAssertFalse(atSeller.sellerActions.contains(.ship) || atSeller.sellerActions.contains(.pack))
        let stored = try await sellerPasar.catalog().getProduct(id: bantal.id)
        XCTAssertEqual(stored.stockAt, [PartnerStock(partnerId: warehouse, stock: 1)], "taken at the warehouse")
        XCTAssertEqual(stored.stock, .limited(count: 5), "not at home")
        // The seller cannot ship what the warehouse holds.
        do {
            _ = try await sellerPasar.orders().act(orderId: placed.id, actorId: seller, action: ship)
            XCTFail("the warehouse ships it")
        } catch PasarError.Conflict {
        }
        let toBuyer = try await buyerPasar.orders().get(orderId: placed.id)
        XCTAssertNil(toBuyer.partner, "the buyer's copy names no warehouse")

        try await round(warehouseSync)
        let packing = try await warehousePasar.orders().packingList(warehouse)
        XCTAssertEqual(packing.map(\.id), [placed.id])
        XCTAssertTrue(packing.first?.partnerActions.contains(.pack) ?? false)
        let printed = try await warehousePasar.orders().label(orderId: placed.id)
        let label = try XCTUnwrap(printed)
        XCTAssertEqual(label.senderName, "Dapur Bu Rina", "the seller sends it, not the warehouse")
        XCTAssertEqual(label.items, ["2 pcs Bantal"])

        let packed = try await warehousePasar.orders().act(orderId: placed.id, actorId: warehouse, action: .pack)
        XCTAssertEqual(packed.status, .processing)
        XCTAssertNotNil(packed.packedAtMs)
        try await round(warehouseSync)
        let told = try await round(buyerSync).notices
        XCTAssertEqual(told.map(\.title), ["Pesanan dikemas"])

        _ = try await warehousePasar.orders().act(orderId: placed.id, actorId: warehouse, action: ship)
        try await round(warehouseSync)
        let notices = try await round(buyerSync).notices
        XCTAssertEqual(notices.map(\.title), ["Pesanan dikirim"])
        XCTAssertTrue(notices.first?.body.contains("JNE0123456789") ?? false, "\(notices)")
        XCTAssertEqual(notices.first?.deepLink, "pasar://order/\(placed.id)")
        // And the server pushed it to her iPhone's APNs token; the phone already told
        // her, so the push tells nothing twice.
        let hex = deviceToken.map { String(format: "%02x", $0) }.joined()
        let userInfo = try pushed(sink, to: hex, order: placed.id, status: "shipped")
        let again = try await buyerSync.handlePush(userInfo: userInfo)
        XCTAssertTrue(again.isEmpty)

        let steps = try await buyerPasar.orders().history(orderId: placed.id).map(\.action)
        XCTAssertEqual(steps, ["place", "pack", "ship"])
        let theirs = try await buyerPasar.orders().get(orderId: placed.id)
        XCTAssertEqual(theirs.statusLabel, "Dikirim")
        XCTAssertNil(theirs.partner)
        XCTAssertNil(theirs.supply)
        try await round(sellerSync)
        let atSellerNow = try await sellerPasar.orders().get(orderId: placed.id)
        XCTAssertEqual(atSellerNow.status, .shipped)
    }

    /// The APNs `userInfo` the sink accepted for device `token` about `order` reaching
    /// `status` (10 s at most).
    private func pushed(_ sink: PushSinkProcess, to token: String, order: String, status: String) throws -> [String: Any] {
        let received = sink.dir.appendingPathComponent("received")
        let deadline = Date().addingTimeInterval(10)
        while true {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: received.path)) ?? [])
                .filter { $0.hasSuffix("-apns.json") }
                .sorted()
            for name in names {
                guard let data = try? Data(contentsOf: received.appendingPathComponent(name)),
                      let record = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      record["token"] as? String == token,
                      let body = record["body"] as? [String: Any],
                      let hint = body["pasar"] as? [String: String],
                      hint["o"] == order, hint["s"] == status
                else { continue }
                return body
            }
            guard Date() < deadline else {
                throw ServerUnavailable(description: "no APNs push to \(token) about \(order) at \(status)")
            }
            usleep(50_000)
        }
    }
}
