// The buyer's orders screen: every order with its status, one order's history.
import Foundation

/// The orders screen's state.
public struct OrdersState: ScreenState {
    /// Newest first, each with its `statusLabel` ("Dikemas", "Dikirim") and
    /// `statusLabelEn`, totals as labels, and `resi` once shipped.
    public var orders: [Order] = []
    /// The order whose detail is shown.
    public var opened: Order?
    /// Its history, oldest first, each step with its `label` ("Pesanan dibuat", "Dikirim").
    public var history: [OrderEvent] = []
    public var busy = false
    public var error: ScreenError?

    public init() {}
}

/// The orders of an account with their status. ``watch()`` keeps them current while the
/// screen is shown: a move that arrives by sync or push shows at once. The buyer's own
/// moves (``complete(orderId:)``, ``cancel(orderId:reason:)``) are the core's to allow:
/// ``moves(_:)`` says which to offer, and a refusal is the state's error. (Orders she
/// sells are moved on the seller's screen, ``SellerOrdersViewModel``.)
@MainActor
public final class OrdersViewModel: ScreenModel<OrdersState> {
    private let orders: OrderService
    private let accountId: String
    private let limit: UInt32

    public init(orders: OrderService, accountId: String, limit: UInt32 = 0) {
        self.orders = orders
        self.accountId = accountId
        self.limit = limit
        super.init(OrdersState())
    }

    /// Reads the account's orders, newest first.
    public func refresh() async {
        let (orders, account, limit) = (orders, accountId, limit)
        guard let list = await attempt({ try await orders.forAccount(account, limit: limit) }) else { return }
        state.orders = list
    }

    /// Shows one order and its history.
    public func open(orderId: String) async {
        let orders = orders
        guard let opened = await attempt({
            (try await orders.get(orderId: orderId), try await orders.history(orderId: orderId))
        }) else { return }
        var s = state
        s.opened = opened.0
        s.history = opened.1
        state = s
    }

    /// The buyer's moves on `order` now, from the core's state machine: one button each
    /// (`.cancel` before packing, or until it ships for COD; `.complete` once it is
    /// shipped, delivered or ready for pick-up).
    public nonisolated func moves(_ order: Order) -> [OrderMove] {
        order.buyerActions
    }

    /// The buyer received the order (or collected it).
    @discardableResult
    public func complete(orderId: String) async -> Order? {
        await act(orderId, .complete)
    }

    /// The buyer cancels, with a `reason` the seller will read.
    @discardableResult
    public func cancel(orderId: String, reason: String) async -> Order? {
        await act(orderId, .cancel(reason: reason))
    }

    private func act(_ orderId: String, _ action: OrderAction) async -> Order? {
        let (orders, account) = (orders, accountId)
        guard let order = await attempt({ try await orders.act(orderId: orderId, actorId: account, action: action) })
        else { return nil }
        show(order)
        if state.opened?.id == orderId { await open(orderId: orderId) }
        return order
    }

    private func show(_ order: Order) {
        var s = state
        s.orders = replacing(s.orders, with: order)
        if s.opened?.id == order.id { s.opened = order }
        state = s
    }

    /// Keeps ``OrdersState/orders`` current with every order change committed on this
    /// phone (the app's own moves, and what sync and push bring) until the calling task
    /// is cancelled. Only the account's orders are shown.
    public func watch() async {
        for await order in orders.changes() where order.buyerId == accountId || order.sellerId == accountId {
            show(order)
        }
    }
}
