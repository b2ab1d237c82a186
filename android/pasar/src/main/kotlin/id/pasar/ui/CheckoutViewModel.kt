// The checkout screen: address, and per seller how it is delivered and paid.
package id.pasar.ui

import id.pasar.Pasar
import id.pasar.Orders
import id.pasar.ffi.Address
import id.pasar.ffi.CartView
import id.pasar.ffi.CheckoutRequest
import id.pasar.ffi.Order
import id.pasar.ffi.PaymentMethod
import id.pasar.ffi.Quote
import id.pasar.ffi.SellerChoice
import id.pasar.ffi.Shipping

/**
 * The checkout screen's state.
 *
 * @property cart the cart per seller (what will become one order each).
 * @property address where courier orders go.
 * @property choices per seller id, how that seller's part is delivered and paid; only the
 *   sellers chosen here are ordered, the others stay in the cart.
 * @property quotes per chosen seller, what the order would cost now (items, ongkir once
 *   the address gives one, discount, total as labels), from [CheckoutViewModel.quote].
 * @property orders the orders made, once placed: number, status label ("Dikemas",
 *   "Belum Bayar"), ongkir, kode unik and total as labels.
 */
data class CheckoutState(
    val cart: CartView? = null,
    val address: Address? = null,
    val choices: Map<String, SellerChoice> = mapOf(),
    val quotes: List<Quote> = listOf(),
    val orders: List<Order> = listOf(),
    val busy: Boolean = false,
    val error: ScreenError? = null,
)

/**
 * Checkout for [buyerId]: [load] the cart, set the [Address], [choose] delivery and
 * payment per seller, [place]. One checkout id is made when the view model is made and
 * sent with every attempt, so a double tap or a retry after a timeout never orders twice.
 * Ongkir, kode unik, stock and prices are the core's: a refusal is the state's error with
 * its field (`kode_pos`, `address`, `shipping`, `cart`...).
 */
class CheckoutViewModel(
    private val pasar: Pasar,
    private val buyerId: String,
) : ScreenModel<CheckoutState>(CheckoutState()) {
    /** This checkout's id: the same for every attempt of it. */
    val checkoutId: String = Orders.newCheckoutId()

    override fun progress(state: CheckoutState, busy: Boolean, error: ScreenError?) =
        state.copy(busy = busy, error = error)

    /** Reads the cart, grouped by seller. */
    suspend fun load() {
        val view = attempt { pasar.cart.view() } ?: return
        update { it.copy(cart = view) }
    }

    fun setAddress(address: Address?) = update { it.copy(address = address) }

    /**
     * How [sellerId]'s part is delivered ([shipping], null to pick it up) and paid
     * ([payment]), with a [note] for the seller.
     */
    fun choose(sellerId: String, shipping: Shipping?, payment: PaymentMethod, note: String = "") = update {
        it.copy(choices = it.choices + (sellerId to SellerChoice(sellerId, shipping, payment, note)))
    }

    /** Leaves [sellerId]'s lines in the cart for later. */
    fun skip(sellerId: String) = update { it.copy(choices = it.choices - sellerId) }

    /**
     * What each chosen seller's part would cost now, before placing: ask again after the
     * address or a choice changes (the buyer on costly data sees the total first).
     */
    suspend fun quote(): List<Quote>? {
        val s = state.value
        val request = CheckoutRequest(checkoutId, buyerId, s.address, s.choices.values.toList())
        val quotes = if (request.sellers.isEmpty()) listOf() else attempt { pasar.orders.quote(request) } ?: return null
        update { it.copy(quotes = quotes) }
        return quotes
    }

    /** Places the orders (one per chosen seller); returns them. */
    suspend fun place(): List<Order>? {
        val s = state.value
        val request = CheckoutRequest(checkoutId, buyerId, s.address, s.choices.values.toList())
        val orders = attempt { pasar.orders.checkout(request) } ?: return null
        update { it.copy(orders = orders) }
        return orders
    }
}
