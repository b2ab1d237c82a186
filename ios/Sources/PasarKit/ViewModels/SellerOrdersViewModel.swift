// The seller's order management: incoming orders, confirm the money, ship with courier
// and resi, hand over a pick-up, cancel; the WhatsApp message to the buyer.
import Foundation

/// The seller's orders screen state.
public struct SellerOrdersState: ScreenState {
    /// The orders she sells, newest first, each with its `statusLabel` ("Belum Bayar",
    /// "Dikemas", "Dikirim"), payment and shipping labels and totals.
    public var orders: [Order] = []
    /// The WhatsApp message to the buyer of the last
    /// ``SellerOrdersViewModel/whatsappMessage(orderId:)`` (text and `wa.me` link).
    public var message: WhatsAppMessage?
    public var busy = false
    public var error: ScreenError?

    public init() {}
}

/// The orders a seller sells, and her moves on them. Which move an order allows (a COD
/// order needs no payment confirmation; shipping needs a resi) is the core's state
/// machine: ``moves(_:)`` are the buttons to show, and a move it refuses anyway (a resi
/// missing, the order moved by the buyer meanwhile) leaves the order as it was and
/// becomes the state's error, with the core's sentence. Each move is saved on the phone
/// and reaches the buyer with the next sync.
@MainActor
public final class SellerOrdersViewModel: ScreenModel<SellerOrdersState> {
    private let orders: OrderService
    private let sellerId: String
    private let limit: UInt32

    public init(orders: OrderService, sellerId: String, limit: UInt32 = 0) {
        self.orders = orders
        self.sellerId = sellerId
        self.limit = limit
        super.init(SellerOrdersState())
    }

    /// Reads the orders she sells, newest first.
    public func refresh() async {
        let (orders, seller, limit) = (orders, sellerId, limit)
        guard let list = await attempt({ try await orders.forAccount(seller, limit: limit) }) else { return }
        state.orders = list.filter { $0.sellerId == seller }
    }

    /// The moves she may make on `order` now, from the core's state machine: one button
    /// each (`.confirmPayment` only for an unpaid transfer, QRIS or e-wallet order;
    /// `.pack` once, while it waits for the courier; `.ship` or `.readyForPickup` once it
    /// is paid, or at once for COD; `.markDelivered` once shipped). An order a warehouse
    /// or supplier packs and ships for her offers neither `.pack` nor `.ship`.
    public nonisolated func moves(_ order: Order) -> [OrderMove] {
        order.sellerActions
    }

    /// The money of a transfer, QRIS or e-wallet order arrived.
    @discardableResult
    public func confirmPayment(orderId: String) async -> Order? {
        await act(orderId, .confirmPayment)
    }

    /// Packed, waiting for the courier: the buyer is told "Pesanan dikemas".
    @discardableResult
    public func pack(orderId: String) async -> Order? {
        await act(orderId, .pack)
    }

    /// Handed to the courier: `courier` ("JNE REG") and its tracking number `resi`.
    @discardableResult
    public func ship(orderId: String, courier: String, resi: String) async -> Order? {
        await act(orderId, .ship(courier: courier, resi: resi))
    }

    /// A pick-up order is packed and waiting.
    @discardableResult
    public func readyForPickup(orderId: String) async -> Order? {
        await act(orderId, .readyForPickup)
    }

    /// The courier delivered (for COD: the cash was collected).
    @discardableResult
    public func markDelivered(orderId: String) async -> Order? {
        await act(orderId, .markDelivered)
    }

    /// Closes a delivered or collected order.
    @discardableResult
    public func complete(orderId: String) async -> Order? {
        await act(orderId, .complete)
    }

    /// Cancels with a `reason` the buyer will read ("stok habis").
    @discardableResult
    public func cancel(orderId: String, reason: String) async -> Order? {
        await act(orderId, .cancel(reason: reason))
    }

    /// The message to send the buyer from WhatsApp.
    @discardableResult
    public func whatsappMessage(orderId: String) async -> WhatsAppMessage? {
        let orders = orders
        guard let message = await attempt({ try await orders.whatsappMessage(orderId: orderId) }) else { return nil }
        state.message = message
        return message
    }

    private func act(_ orderId: String, _ action: OrderAction) async -> Order? {
        let (orders, seller) = (orders, sellerId)
        guard let order = await attempt({ try await orders.act(orderId: orderId, actorId: seller, action: action) })
        else { return nil }
        state.orders = replacing(state.orders, with: order)
        return order
    }

    /// Keeps the list current with every order change on this phone (new orders that
    /// sync brings, her own moves) until the calling task is cancelled.
    public func watch() async {
        for await order in orders.changes() where order.sellerId == sellerId {
            state.orders = replacing(state.orders, with: order)
        }
    }
}
