// The cart screen: the buyer's cart grouped by seller, every line checked by the core.
import Foundation

/// The cart screen's state.
public struct CartState: ScreenState {
    /// The cart as the core sees it now: per seller, each line with its state and the
    /// sentence to show (`stateIndonesian`, `stateEnglish`), totals as labels.
    public var cart: CartView?
    public var busy = false
    public var error: ScreenError?

    public init() {}

    /// Whether there is something to order and the core says nothing needs fixing first.
    public var canCheckout: Bool {
        guard let cart else { return false }
        return !cart.sellers.isEmpty && !cart.needsAttention
    }
}

/// The cart: ``refresh()`` when the screen shows, then change quantities, accept new
/// prices, remove lines; each change shows the cart as the core checks it afterwards.
@MainActor
public final class CartViewModel: ScreenModel<CartState> {
    private let cart: CartService

    public init(cart: CartService) {
        self.cart = cart
        super.init(CartState())
    }

    /// Reads the cart and checks every line against the catalog.
    public func refresh() async {
        let cart = cart
        guard let view = await attempt({ try await cart.view() }) else { return }
        state.cart = view
    }

    private func change(_ work: () async throws -> Void) async {
        guard await attempt(work) != nil else { return }
        await refresh()
    }

    /// Sets a line's quantity in thousandths of the unit; 0 removes it.
    public func setQuantity(lineId: String, milli: Int64) async {
        await change { try await cart.update(lineId: lineId, quantityMilli: milli) }
    }

    /// The buyer saw a line's new price and keeps the line.
    public func acceptPrice(lineId: String) async {
        await change { try await cart.acceptPrice(lineId: lineId) }
    }

    public func remove(lineId: String) async {
        await change { try await cart.remove(lineId: lineId) }
    }

    public func clear() async {
        await change { try await cart.clear() }
    }
}
