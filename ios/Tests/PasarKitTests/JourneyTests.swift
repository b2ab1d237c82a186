// The whole journey through the view models an app would use, against a real
// pasar-server process and push sink (APNs): a seller signs in with a one-time code and
// lists a product from a photo; a buyer signs in, finds it with a typo, adds it to the
// cart, checks out COD; an admin pastes a chat message that becomes a second order; the
// seller confirms one and ships the other; the buyer's core turns the push into the
// notification text and her orders screen shows "Dikirim".
import Foundation
import XCTest
@testable import PasarKit

final class JourneyTests: PasarTestCase {
    /// A phone: its own store, signed in through the sign-in screen with the code the server sent.
    @MainActor
    private func signIn(_ server: ServerProcess, _ folder: String, _ name: String, _ number: String, _ e164: String)
        async throws -> (Pasar, SyncService, String)
    {
        let pasar = try await Pasar.open(directory: dir.appendingPathComponent(folder))
        let sync = pasar.sync(serverURL: server.url, tokens: MemoryTokenStore())
        let screen = SignInViewModel(sync: sync)
        let sent = await screen.requestCode(phone: number)
        XCTAssertTrue(sent, "\(String(describing: screen.state.error))")
        XCTAssertTrue(screen.state.codeSent)
        let account = await screen.signIn(code: try server.code(e164), name: name)
        XCTAssertEqual(screen.state.accountId, account)
        return (pasar, sync, try XCTUnwrap(account, "\(String(describing: screen.state.error))"))
    }

    /// The APNs `userInfo` the sink accepted about `orderId` reaching `status` (10 s at most).
    private func push(_ sink: PushSinkProcess, _ orderId: String, _ status: String) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(10)
        while true {
            let found = try sink.bodies("apns", count: 0).first {
                let hint = $0["pasar"] as? [String: String]
                return hint?["o"] == orderId && hint?["s"] == status
            }
            if let found { return found }
            guard Date() < deadline else { throw ServerUnavailable(description: "no push about \(orderId) at \(status)") }
            usleep(50_000)
        }
    }

    /// The first state of `states` that is `ok`, or `nil` after `seconds`.
    @MainActor
    private func eventually<S: Sendable>(
        _ states: AsyncStream<S>, within seconds: Double, _ ok: @escaping @Sendable (S) -> Bool
    ) async -> S? {
        let reader = Task { () -> S? in
            for await state in states where ok(state) { return state }
            return nil
        }
        let timer = Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            reader.cancel()
        }
        let found = await reader.value
        timer.cancel()
        return found
    }

    @MainActor
    func testSellerListsFromAPhotoBuyerAndAdminOrderSellerShipsBuyerIsToldDikirim() async throws {
        let sink = try PushSinkProcess()
        let server = try ServerProcess(env: sink.serverEnv)

        // The seller: signs in, opens her market, sets her ongkir.
        let (rinaPasar, rinaSync, rina) = try await signIn(server, "rina", "Dapur Bu Rina", "0813-1111-2222", "+6281311112222")
        try await rinaSync.registerPush(apnsToken: Data(repeating: 0x11, count: 32), appVersion: "1.0.0", language: "id")
        let group = try await rinaPasar.groups().createGroup(name: "Pasar Warga Melati", adminId: rina)
        let sariContact = try await rinaPasar.accounts().saveAccount(account: NewAccount(name: "Ibu Sari", phone: "0812-3333-4444"))
        let dewiContact = try await rinaPasar.accounts().saveAccount(account: NewAccount(name: "Bu Dewi", phone: "0857-5555-6666"))
        _ = try await rinaPasar.groups().addMember(groupId: group.id, accountId: sariContact.id, role: .member)
        _ = try await rinaPasar.groups().addMember(groupId: group.id, accountId: dewiContact.id, role: .admin)
        try await rinaPasar.orders().setRate(sellerId: rina, rate: Rate(
            courier: .jne, service: "REG", destination: "*", firstKgIdr: 10_000, nextKgIdr: 8_000))

        // New product from the camera: the photo's bytes in, the price as she types it.
        let listing = NewProductViewModel(catalog: rinaPasar.catalog(), sellerId: rina, groupIds: [group.id])
        let photo = await listing.addPhoto(try fixture("phone-gps.jpg"))
        XCTAssertNotNil(photo, "\(String(describing: listing.state.error))")
        listing.edit(ProductForm(name: "Donat kentang coklat", price: "murah", unit: "box", stock: .limited(count: 10)))
        XCTAssertEqual(listing.state.priceError?.field, "price")
        XCTAssertTrue(listing.state.priceError?.indonesian.hasPrefix("Harga tidak terbaca") ?? false)
        var form = listing.state.form
        form.price = "25rb"
        form.weightGrams = 600
        listing.edit(form)
        XCTAssertEqual(listing.state.priceLabel, "Rp25.000")
        XCTAssertNil(listing.state.priceError)
        let saved = await listing.save()
        let donat = try XCTUnwrap(saved, "\(String(describing: listing.state.error))")
        XCTAssertEqual(donat.name, "Donat kentang coklat")
        XCTAssertEqual(donat.priceLabel, "Rp25.000")
        XCTAssertEqual(donat.photos.map(\.hash), [photo?.hash])
        let listed = try await rinaSync.sync(budget: 30)
        XCTAssertEqual(listed.photosUploaded, 1, "the photo went up with the listing")

        // The buyer: signs in, finds it with a typo, adds two boxes, checks out COD by JNE.
        let (sariPasar, sariSync, sari) = try await signIn(server, "sari", "Ibu Sari", "0812-3333-4444", "+6281233334444")
        try await sariSync.registerPush(apnsToken: Data(repeating: 0x22, count: 32), appVersion: "1.0.0", language: "id")
        try await sariSync.sync(budget: 30)
        let catalog = CatalogViewModel(catalog: sariPasar.catalog(), groupId: group.id)
        await catalog.search("donut coklat")
        XCTAssertEqual(catalog.state.products.first?.name, "Donat kentang coklat")
        XCTAssertEqual(catalog.state.understood, "donat coklat")

        let found = try XCTUnwrap(catalog.state.products.first)
        let detail = ProductDetailViewModel(pasar: sariPasar, productId: found.id, sync: sariSync)
        await detail.load()
        XCTAssertEqual(detail.state.product?.priceRangeLabel, "Rp25.000")
        let shownPhoto = try XCTUnwrap(detail.state.product?.photos.first)
        XCTAssertEqual(detail.photoLocation(shownPhoto), sariSync.photoURL(shownPhoto), "not on her phone: from the server")
        detail.setQuantity(milli: 2_000)
        let line = await detail.addToCart()
        XCTAssertNotNil(line, "\(String(describing: detail.state.error))")

        let cart = CartViewModel(cart: sariPasar.cart())
        await cart.refresh()
        let inCart = try XCTUnwrap(cart.state.cart)
        XCTAssertEqual(inCart.sellers.map(\.sellerName), ["Dapur Bu Rina"])
        XCTAssertEqual(inCart.sellers.first?.items.map(\.quantityLabel), ["2 box"])
        XCTAssertEqual(inCart.totalLabel, "Rp50.000")
        XCTAssertTrue(cart.state.canCheckout)

        let checkout = CheckoutViewModel(pasar: sariPasar, buyerId: sari)
        await checkout.load()
        // Without an address a courier order is refused, naming the field.
        checkout.choose(sellerId: rina, shipping: Shipping(courier: .jne, service: "REG"), payment: .cod)
        let refused = await checkout.place()
        XCTAssertNil(refused)
        XCTAssertEqual(checkout.state.error?.field, "address")
        checkout.setAddress(CheckoutTests.sidoarjo())
        // Before placing, the screen shows what Rina ships by and what it all costs.
        let quoted = await checkout.quote()
        let quote = try XCTUnwrap(quoted?.first)
        XCTAssertEqual(quote.options.map(\.label), ["JNE REG"])
        XCTAssertEqual(quote.options.map(\.ongkirLabel), ["Rp18.000"])
        XCTAssertEqual(quote.totalLabel, "Rp68.000")
        let sariOrders = await checkout.place()
        let sariOrder = try XCTUnwrap(sariOrders?.first, "\(String(describing: checkout.state.error))")
        XCTAssertEqual(sariOrder.statusLabel, "Dikemas")
        XCTAssertEqual(sariOrder.paymentLabel, "COD (bayar di tempat)")
        XCTAssertEqual(sariOrder.ongkirLabel, "Rp18.000", "2 box of 600 g: 2 kg by JNE REG")
        XCTAssertEqual(sariOrder.totalLabel, "Rp68.000")
        let placed = try await sariSync.sync(budget: 30)
        XCTAssertEqual(placed.rejected, 0)

        // The seller's phone gets the new order by push: the notice the core wrote.
        let rinaNotices = NotificationsViewModel(sync: rinaSync)
        await rinaNotices.onPush(userInfo: try push(sink, sariOrder.id, "processing"))
        XCTAssertEqual(rinaNotices.state.notices.map(\.title), ["Pesanan baru #\(sariOrder.number)"])

        // The admin: signs in, pastes a message from the group's chat; it becomes the
        // second order (picked up, paid by transfer).
        let (dewiPasar, dewiSync, dewi) = try await signIn(server, "dewi", "Bu Dewi", "0857-5555-6666", "+6285755556666")
        try await dewiSync.sync(budget: 30)
        let chat = ChatOrdersViewModel(chat: dewiPasar.chat(), scope: .group(groupId: group.id))
        let pasted = await chat.paste("kak pesen 3 donat kentang coklat ya, diambil sendiri, bayar transfer")
        let draft = try XCTUnwrap(pasted, "\(String(describing: chat.state.error))")
        XCTAssertEqual(draft.intent, .order)
        XCTAssertEqual(draft.lines.count, 1)
        guard case let .product(_, name, _, _) = draft.lines.first?.matched else {
            return XCTFail("the line should match the product: \(draft.lines)")
        }
        XCTAssertEqual(name, "Donat kentang coklat")
        XCTAssertEqual(draft.lines.first?.quantityMilli, 3_000)
        XCTAssertEqual(draft.payment, .transfer)
        XCTAssertEqual(draft.items.map(\.quantityMilli), [3_000])
        let added = await chat.addToCart(note: "pesanan Bu Yati")
        XCTAssertEqual(added?.map(\.quantityMilli), [3_000])
        XCTAssertEqual(added?.map(\.note), ["pesanan Bu Yati"])
        let adminCheckout = CheckoutViewModel(pasar: dewiPasar, buyerId: dewi)
        await adminCheckout.load()
        XCTAssertEqual(adminCheckout.state.cart?.totalLabel, "Rp75.000")
        adminCheckout.choose(sellerId: rina, shipping: nil, payment: .bankTransfer(bank: "BCA"))
        let chatOrders = await adminCheckout.place()
        let chatOrder = try XCTUnwrap(chatOrders?.first, "\(String(describing: adminCheckout.state.error))")
        XCTAssertEqual(chatOrder.statusLabel, "Belum Bayar")
        XCTAssertEqual(chatOrder.paymentLabel, "Transfer BCA")
        let adminSynced = try await dewiSync.sync(budget: 30)
        XCTAssertEqual(adminSynced.rejected, 0)
        // And a whole chat export becomes the rekap to post back.
        let exported = await chat.importExport(Data((
            "26/11/24 07.10 - Bu Yati: kak pesen donat kentang coklat 2 ya\n" +
            "26/11/24 07.12 - Pak Budi: donat kentang coklat 1 box, cod\n").utf8), title: "Pasar Warga Melati")
        let export = try XCTUnwrap(exported, "\(String(describing: chat.state.error))")
        XCTAssertEqual(export.buyers.map(\.buyer), ["Bu Yati", "Pak Budi"])
        XCTAssertTrue(export.rekapText.hasPrefix("*REKAP PESANAN — Pasar Warga Melati*"), export.rekapText)
        XCTAssertEqual(export.totalIdr, 75_000)

        // The seller: both orders in her list; she confirms the transfer and ships the COD one.
        try await rinaSync.sync(budget: 30)
        let manage = SellerOrdersViewModel(orders: rinaPasar.orders(), sellerId: rina)
        await manage.refresh()
        let statuses = Dictionary(uniqueKeysWithValues: manage.state.orders.map { ($0.id, $0.statusLabel) })
        XCTAssertEqual(statuses, [sariOrder.id: "Dikemas", chatOrder.id: "Belum Bayar"])
        // A COD order has no payment to confirm: no such button, and if tried anyway the
        // core says no and the order stays.
        let byId = Dictionary(uniqueKeysWithValues: manage.state.orders.map { ($0.id, $0) })
        XCTAssertEqual(manage.moves(try XCTUnwrap(byId[sariOrder.id])), [.pack, .ship, .cancel])
        XCTAssertEqual(manage.moves(try XCTUnwrap(byId[chatOrder.id])), [.confirmPayment, .cancel])
        let notConfirmed = await manage.confirmPayment(orderId: sariOrder.id)
        XCTAssertNil(notConfirmed)
        XCTAssertNotNil(manage.state.error)
        XCTAssertEqual(manage.state.orders.first { $0.id == sariOrder.id }?.statusLabel, "Dikemas")
        let confirmed = await manage.confirmPayment(orderId: chatOrder.id)
        XCTAssertEqual(confirmed?.statusLabel, "Dikemas")
        // Shipping needs the resi.
        let noResi = await manage.ship(orderId: sariOrder.id, courier: "JNE", resi: "")
        XCTAssertNil(noResi)
        XCTAssertEqual(manage.state.error?.field, "resi")
        let shippedBySeller = await manage.ship(orderId: sariOrder.id, courier: "JNE", resi: "JNE0123456789")
        XCTAssertEqual(shippedBySeller?.statusLabel, "Dikirim")
        XCTAssertNil(manage.state.error)
        // Shipped: "mark delivered" is the seller's button, not the buyer's.
        XCTAssertEqual(manage.moves(try XCTUnwrap(shippedBySeller)), [.markDelivered])
        try await rinaSync.sync(budget: 30)

        // The buyer's orders screen is open while the push arrives.
        let orders = OrdersViewModel(orders: sariPasar.orders(), accountId: sari)
        await orders.refresh()
        XCTAssertEqual(orders.state.orders.map(\.statusLabel), ["Dikemas"])
        let watching = Task { await orders.watch() }
        let states = orders.states()
        let notices = NotificationsViewModel(sync: sariSync)
        let posted = await notices.onPush(userInfo: try push(sink, sariOrder.id, "shipped"))
        XCTAssertEqual(posted.map(\.title), ["Pesanan dikirim"])
        XCTAssertEqual(posted.first?.body, "Pesanan #\(sariOrder.number) sedang dikirim — JNE JNE0123456789")
        XCTAssertEqual(notices.state.notices.first?.deepLink, "pasar://order/\(sariOrder.id)")
        let shown = await eventually(states, within: 10) { $0.orders.contains { $0.status == .shipped } }
        watching.cancel()
        XCTAssertEqual(shown?.orders.map(\.statusLabel), ["Dikirim"])
        XCTAssertEqual(shown?.orders.first?.resi, "JNE0123456789")
        XCTAssertEqual(shown?.orders.first.map(orders.moves), [.complete])
        await orders.open(orderId: sariOrder.id)
        XCTAssertEqual(orders.state.history.map(\.label), ["Pesanan dibuat", "Dikirim"])
        // The same push again (APNs may deliver twice) posts nothing new.
        let again = await notices.onPush(userInfo: try push(sink, sariOrder.id, "shipped"))
        XCTAssertTrue(again.isEmpty)
        XCTAssertEqual(notices.state.notices.count, 1)
    }
}
