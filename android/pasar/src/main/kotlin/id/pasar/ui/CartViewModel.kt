// The cart screen: the buyer's cart grouped by seller, every line checked by the core.
package id.pasar.ui

import id.pasar.Cart
import id.pasar.ffi.CartView

/**
 * The cart screen's state.
 *
 * @property cart the cart as the core sees it now: per seller, each line with its state
 *   and the sentence to show (`stateIndonesian`, `stateEnglish`), totals as labels.
 */
data class CartState(
    val cart: CartView? = null,
    val busy: Boolean = false,
    val error: ScreenError? = null,
) {
    /** Whether there is something to order and the core says nothing needs fixing first. */
    val canCheckout: Boolean get() = cart != null && cart.sellers.isNotEmpty() && !cart.needsAttention
}

/**
 * The cart: [refresh] when the screen shows, then change quantities, accept new prices,
 * remove lines; each change shows the cart as the core checks it afterwards.
 */
class CartViewModel(private val cart: Cart) : ScreenModel<CartState>(CartState()) {
    override fun progress(state: CartState, busy: Boolean, error: ScreenError?) =
        state.copy(busy = busy, error = error)

    /** Reads the cart and checks every line against the catalog. */
    suspend fun refresh() {
        val view = attempt { cart.view() } ?: return
        update { it.copy(cart = view) }
    }

    private suspend fun change(work: suspend () -> Unit) {
        attempt(work) ?: return
        refresh()
    }

    /** Sets a line's quantity in thousandths of the unit; 0 removes it. */
    suspend fun setQuantity(lineId: String, quantityMilli: Long) = change { cart.update(lineId, quantityMilli) }

    /** The buyer saw a line's new price and keeps the line. */
    suspend fun acceptPrice(lineId: String) = change { cart.acceptPrice(lineId) }

    suspend fun remove(lineId: String) = change { cart.remove(lineId) }

    suspend fun clear() = change { cart.clear() }
}
