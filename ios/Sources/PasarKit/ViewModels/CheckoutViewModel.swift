// The checkout screen: address, and per seller how it is delivered and paid.
import Foundation

/// The checkout screen's state.
public struct CheckoutState: ScreenState {
    /// The cart per seller (what will become one order each).
    public var cart: CartView?
    /// Where courier orders go.
    public var address: Address?
    /// Per seller id, how that seller's part is delivered and paid; only the sellers
    /// chosen here are ordered, the others stay in the cart.
    public var choices: [String: SellerChoice] = [:]
    /// Per chosen seller, what the order would cost now (items, ongkir once the address
    /// gives one, discount, total as labels), from ``CheckoutViewModel/quote()``.
    public var quotes: [Quote] = []
    /// The orders made, once placed: number, status label ("Dikemas", "Belum Bayar"),
    /// ongkir, kode unik and total as labels.
    public var orders: [Order] = []
    public var busy = false
    public var error: ScreenError?

    public init() {}
}

/// Checkout for a buyer: ``load()`` the cart, set the ``Address``, choose delivery and
/// payment per seller, ``place()``. One checkout id is made with the view model and sent
/// with every attempt, so a double tap or a retry after a timeout never orders twice.
/// Ongkir, kode unik, stock and prices are the core's: a refusal is the state's error
/// with its field (`kode_pos`, `address`, `shipping`, `cart`...).
@MainActor
public final class CheckoutViewModel: ScreenModel<CheckoutState> {
    private let pasar: Pasar
    private let buyerId: String
    /// This checkout's id: the same for every attempt of it.
    public let checkoutId = newCheckoutId()

    public init(pasar: Pasar, buyerId: String) {
        self.pasar = pasar
        self.buyerId = buyerId
        super.init(CheckoutState())
    }

    /// Reads the cart, grouped by seller.
    public func load() async {
        let cart = pasar.cart()
        guard let view = await attempt({ try await cart.view() }) else { return }
        state.cart = view
    }

    public func setAddress(_ address: Address?) {
        state.address = address
    }

    /// How `sellerId`'s part is delivered (`shipping`, `nil` to pick it up) and paid, with
    /// a `note` for the seller.
    public func choose(sellerId: String, shipping: Shipping?, payment: PaymentMethod, note: String = "") {
        state.choices[sellerId] = SellerChoice(sellerId: sellerId, shipping: shipping, payment: payment, note: note)
    }

    /// Leaves `sellerId`'s lines in the cart for later.
    public func skip(sellerId: String) {
        state.choices[sellerId] = nil
    }

    /// What each chosen seller's part would cost now, before placing: ask again after the
    /// address or a choice changes (the buyer on costly data sees the total first).
    @discardableResult
    public func quote() async -> [Quote]? {
        let orders = pasar.orders()
        let request = CheckoutRequest(
            checkoutId: checkoutId, buyerId: buyerId, address: state.address,
            sellers: state.choices.keys.sorted().compactMap { state.choices[$0] })
        if request.sellers.isEmpty {
            state.quotes = []
            return []
        }
        guard let quotes = await attempt({ try await orders.quote(request: request) }) else { return nil }
        state.quotes = quotes
        return quotes
    }

    /// Places the orders (one per chosen seller); returns them.
    @discardableResult
    public func place() async -> [Order]? {
        let orders = pasar.orders()
        let request = CheckoutRequest(
            checkoutId: checkoutId, buyerId: buyerId, address: state.address,
            sellers: state.choices.keys.sorted().compactMap { state.choices[$0] })
        guard let placed = await attempt({ try await orders.checkout(request: request) }) else { return nil }
        state.orders = placed
        return placed
    }
}
