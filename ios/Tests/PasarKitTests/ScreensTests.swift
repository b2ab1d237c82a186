// The view models on one phone, offline: what each screen shows when the core reads,
// refuses or changes something.
import Foundation
import XCTest
@testable import PasarKit

final class ScreensTests: PasarTestCase {
    @MainActor
    func testTheCatalogPagesToTheEndAndTheProductScreenAsksForTheVariant() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let rina = try await seller(pasar)
        for i in 1...5 { _ = try await pasar.catalog().createProduct(product: donat(rina, "Donat rasa \(i)")) }
        let kaos = try await pasar.catalog().createProduct(product: kaos(rina))

        let catalog = CatalogViewModel(catalog: pasar.catalog(), pageSize: 2)
        await catalog.search("dnt")
        XCTAssertEqual(catalog.state.products.count, 2)
        XCTAssertEqual(catalog.state.total, 5)
        XCTAssertEqual(catalog.state.understood, "donat")
        XCTAssertTrue(catalog.state.hasMore)
        await catalog.loadMore()
        await catalog.loadMore()
        XCTAssertEqual(Set(catalog.state.products.map(\.name)), Set((1...5).map { "Donat rasa \($0)" }))
        XCTAssertFalse(catalog.state.hasMore)

        let detail = ProductDetailViewModel(pasar: pasar, productId: kaos.id)
        await detail.load()
        XCTAssertEqual(detail.state.product?.priceRangeLabel, "Rp25.000 – Rp30.000")
        // A product with variants needs one picked: the core says which field.
        let refused = await detail.addToCart()
        XCTAssertNil(refused)
        XCTAssertEqual(detail.state.error?.field, "variant_id")
        let biruL = try XCTUnwrap(kaos.variants.first { $0.values == ["Biru", "L"] })
        detail.chooseVariant(biruL.id)
        XCTAssertEqual(detail.state.variant?.priceLabel, "Rp30.000")
        let line = await detail.addToCart()
        XCTAssertEqual(line?.variantId, biruL.id)
        XCTAssertNil(detail.state.error)
    }

    @MainActor
    func testAChangedPriceStopsCheckoutUntilAcceptedAndARetriedCheckoutOrdersOnce() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let rina = try await seller(pasar)
        let sari = try await seller(pasar, name: "Ibu Sari")
        let product = try await pasar.catalog().createProduct(product: donat(rina))
        try await pasar.cart().add(product.id, quantityMilli: 2_000)
        _ = try await pasar.catalog().updateProduct(id: product.id, patch: ProductPatch(price: "27rb"))

        let cart = CartViewModel(cart: pasar.cart())
        await cart.refresh()
        let item = try XCTUnwrap(cart.state.cart?.sellers.first?.items.first)
        XCTAssertEqual(item.stateIndonesian, "Harga berubah dari Rp25.000 menjadi Rp27.000")
        XCTAssertFalse(cart.state.canCheckout)
        await cart.acceptPrice(lineId: item.line.id)
        XCTAssertTrue(cart.state.canCheckout)
        XCTAssertEqual(cart.state.cart?.totalLabel, "Rp54.000")

        let checkout = CheckoutViewModel(pasar: pasar, buyerId: sari)
        await checkout.load()
        checkout.choose(sellerId: rina, shipping: nil, payment: .cod)
        // The figures before placing are the order's.
        let quoted = await checkout.quote()
        let quote = try XCTUnwrap(quoted?.first)
        XCTAssertEqual(quote.totalLabel, "Rp54.000")
        XCTAssertEqual(quote.ongkirLabel, "Rp0", "picked up")
        let placed = await checkout.place()
        let first = try XCTUnwrap(placed)
        XCTAssertEqual(first.first?.totalLabel, quote.totalLabel)
        XCTAssertEqual(first.map(\.statusLabel), ["Dikemas"])
        // A double tap: the same checkout id, the same order.
        let again = await checkout.place()
        XCTAssertEqual(again, first)
        await cart.refresh()
        XCTAssertEqual(cart.state.cart?.sellers.count, 0, "the ordered lines left the cart")

        // The buttons each side sees: a COD order has no payment to confirm; a pick-up
        // order is made ready, not shipped.
        let selling = SellerOrdersViewModel(orders: pasar.orders(), sellerId: rina)
        XCTAssertEqual(selling.moves(first[0]), [.readyForPickup, .cancel])

        // The buyer's list, and a move the core refuses: a COD order being packed may
        // still be cancelled by its buyer, but not completed (so it is not offered).
        let orders = OrdersViewModel(orders: pasar.orders(), accountId: sari)
        await orders.refresh()
        XCTAssertEqual(orders.state.orders.map(orders.moves), [[.cancel]])
        let completed = await orders.complete(orderId: first[0].id)
        XCTAssertNil(completed)
        XCTAssertNotNil(orders.state.error)
        XCTAssertEqual(orders.state.orders.map(\.statusLabel), ["Dikemas"])
        let cancelled = await orders.cancel(orderId: first[0].id, reason: "salah pesan")
        XCTAssertEqual(cancelled?.statusLabel, "Dibatalkan")
        XCTAssertEqual(orders.state.orders.map(\.statusLabel), ["Dibatalkan"])
        XCTAssertEqual(orders.state.orders.map(orders.moves), [[]], "a cancelled order has none")
    }

    @MainActor
    func testAPushThatIsNotOursIsRefusedAndShowsNothing() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let sync = pasar.sync(serverURL: URL(string: "http://127.0.0.1:9")!, tokens: MemoryTokenStore())
        let notices = NotificationsViewModel(sync: sync)
        let posted = await notices.onPush(userInfo: ["pasar": ["t": "order", "o": "../x", "s": "shipped", "v": "1"]])
        XCTAssertTrue(posted.isEmpty)
        XCTAssertTrue(notices.state.notices.isEmpty)
        XCTAssertFalse(notices.state.error?.indonesian.isEmpty ?? true, "\(String(describing: notices.state.error))")
        // Every state change reaches a reader of the stream, the current state first.
        var seen: [Bool] = []
        for await state in notices.states() {
            seen.append(state.error != nil)
            break
        }
        XCTAssertEqual(seen, [true])
    }
}
