// The cart and the orders in Swift: async/await and AsyncStream over the generated
// bindings. No rules live here (what blocks a checkout, who may move an order where,
// ongkir, kode unik): they are all in the Rust core.
import Foundation

extension CartService {
    /// Adds `quantityMilli` of a product (and its `variantId`, required when the product
    /// has variants) to the cart; the same item again adds to its line. Quantities are
    /// thousandths of the unit: 1,5 kg is `1500`, 2 pcs is `2000` (fractions only for
    /// units like kg and liter). An empty `note` keeps the line's note. The price now is
    /// remembered, so a later change shows as ``LineState/priceChanged(wasIdr:nowIdr:wasLabel:nowLabel:)``.
    ///
    /// - Throws: ``PasarError/Validation(field:indonesian:english:)`` with field
    ///   `quantity`, `variant_id`, `product_id` or `note`;
    ///   ``PasarError/NotFound(indonesian:english:)`` for a product not in the catalog.
    @discardableResult
    public func add(
        _ productId: String, quantityMilli: Int64 = 1_000, variantId: String? = nil, note: String = ""
    ) async throws -> CartLine {
        try await add(productId: productId, variantId: variantId, quantityMilli: quantityMilli, note: note)
    }

    /// Sets a line's quantity (`0` removes the line), keeping its note.
    public func update(lineId: String, quantityMilli: Int64) async throws {
        try await update(lineId: lineId, quantityMilli: quantityMilli, note: nil)
    }
}

extension OrderService {
    /// A fresh ``CheckoutRequest/checkoutId``: make one when the checkout screen opens
    /// and send it with every attempt (retry, double tap) of that checkout.
    public static func newCheckoutId() -> String { PasarBindings.newCheckoutId() }

    /// Every committed order change (placed, moved, cancelled, expired) with the step
    /// that made it. The listener is registered when the stream is made; ending the
    /// iteration (a `break`, a cancelled task) unregisters it in the core.
    public func events() -> AsyncStream<OrderChange> {
        AsyncStream(bufferingPolicy: .unbounded) { continuation in
            let handle = self.observe(listener: OrderStreamListener { continuation.yield($0) })
            continuation.onTermination = { _ in handle.cancel() }
        }
    }

    /// The orders as they change; only `orderId`'s when it is given (an order's detail
    /// screen). See ``events()``.
    public func changes(of orderId: String? = nil) -> AsyncStream<Order> {
        AsyncStream(bufferingPolicy: .unbounded) { continuation in
            let handle = self.observe(listener: OrderStreamListener { change in
                if orderId == nil || change.order.id == orderId {
                    continuation.yield(change.order)
                }
            })
            continuation.onTermination = { _ in handle.cancel() }
        }
    }

    /// Cancels unpaid orders whose deadline is at or before `now`, giving their stock
    /// back; returns how many.
    @discardableResult
    public func expireDue(now: Date = Date()) async throws -> Int {
        Int(try await expireDue(nowMs: Int64((now.timeIntervalSince1970 * 1000).rounded(.down))))
    }

    /// Orders where `accountId` buys or sells, newest first; `limit` 0 means 20.
    public func forAccount(_ accountId: String, limit: UInt32 = 0) async throws -> [Order] {
        try await forAccount(accountId: accountId, limit: limit)
    }

    /// The orders `partnerId` packs and ships for sellers (a warehouse's, or a supplier's
    /// for resellers), newest first, each with its items, notes, courier and address; the
    /// buttons are in ``Order/partnerActions`` (`.pack`, then `.ship`). The label to print
    /// is ``PasarBindings/OrderService/label(orderId:)``, whose sender is the seller (for
    /// a reseller's order, the reseller), never the partner. `limit` 0 means 20.
    ///
    /// - Throws: ``PasarError/Validation(field:indonesian:english:)`` with field
    ///   `partner_id` or `limit` (above 200).
    public func packingList(_ partnerId: String, limit: UInt32 = 0) async throws -> [Order] {
        try await packingList(partnerId: partnerId, limit: limit)
    }

    /// The orders that came through `promoterId`'s code, newest first, as the promoter
    /// sees them: what was bought and ``Order/promoter``'s commission, not who or where.
    /// `limit` 0 means 20.
    ///
    /// - Throws: ``PasarError/Validation(field:indonesian:english:)`` with field
    ///   `promoter_id` or `limit` (above 200).
    public func promoted(_ promoterId: String, limit: UInt32 = 0) async throws -> [Order] {
        try await promoted(promoterId: promoterId, limit: limit)
    }
}

extension Order: Identifiable {}
extension CartLine: Identifiable {}
/// A cart item is its line.
extension CartItem: Identifiable {
    public var id: String { line.id }
}

/// Hands each order change over; called on a core thread, returns at once.
private final class OrderStreamListener: OrderListener, @unchecked Sendable {
    let deliver: @Sendable (OrderChange) -> Void

    init(_ deliver: @escaping @Sendable (OrderChange) -> Void) {
        self.deliver = deliver
    }

    func onChange(change: OrderChange) {
        deliver(change)
    }
}

