// The buyer's orders screen: every order with its status, one order's history.
package id.pasar.ui

import id.pasar.Orders
import id.pasar.ffi.Order
import id.pasar.ffi.OrderAction
import id.pasar.ffi.OrderEvent
import id.pasar.ffi.OrderMove

/**
 * The orders screen's state.
 *
 * @property orders newest first, each with its `statusLabel` ("Dikemas", "Dikirim") and
 *   `statusLabelEn`, totals as labels, and `resi` once shipped.
 * @property opened the order whose detail is shown, and its [history] (oldest first, each
 *   step with its `label`: "Pesanan dibuat", "Dikirim").
 */
data class OrdersState(
    val orders: List<Order> = listOf(),
    val opened: Order? = null,
    val history: List<OrderEvent> = listOf(),
    val busy: Boolean = false,
    val error: ScreenError? = null,
)

/**
 * The orders of [accountId] with their status. [watch] keeps them current while the
 * screen is shown: a move that arrives by sync or push shows at once. The buyer's own
 * moves ([complete], [cancel]) are the core's to allow: [moves] says which to offer, and
 * a refusal is the state's error. (Orders she sells are moved on the seller's screen,
 * [SellerOrdersViewModel].)
 */
class OrdersViewModel(
    private val orders: Orders,
    private val accountId: String,
    private val limit: Int = 0,
) : ScreenModel<OrdersState>(OrdersState()) {
    override fun progress(state: OrdersState, busy: Boolean, error: ScreenError?) =
        state.copy(busy = busy, error = error)

    /** Reads the account's orders, newest first. */
    suspend fun refresh() {
        val list = attempt { orders.forAccount(accountId, limit) } ?: return
        update { it.copy(orders = list) }
    }

    /** Shows one order and its history. */
    suspend fun open(orderId: String) {
        val (order, history) = attempt { orders.get(orderId) to orders.history(orderId) } ?: return
        update { it.copy(opened = order, history = history) }
    }

    /**
     * The buyer's moves on [order] now, from the core's state machine: one button each
     * (`CANCEL` before packing, or until it ships for COD; `COMPLETE` once it is shipped,
     * delivered or ready for pick-up).
     */
    fun moves(order: Order): List<OrderMove> = order.buyerActions

    /** The buyer received the order (or collected it). */
    suspend fun complete(orderId: String): Order? = act(orderId, OrderAction.Complete)

    /** The buyer cancels, with a [reason] the seller will read. */
    suspend fun cancel(orderId: String, reason: String): Order? = act(orderId, OrderAction.Cancel(reason))

    private suspend fun act(orderId: String, action: OrderAction): Order? {
        val order = attempt { orders.act(orderId, accountId, action) } ?: return null
        show(order)
        if (state.value.opened?.id == orderId) open(orderId)
        return order
    }

    private fun show(order: Order) = update { s ->
        s.copy(
            orders = replacing(s.orders, order) { it.id },
            opened = if (s.opened?.id == order.id) order else s.opened,
        )
    }

    /**
     * Keeps [OrdersState.orders] current with every order change committed on this phone
     * (the app's own moves, and what sync and push bring) until the caller's scope is
     * cancelled. Only the account's orders are shown.
     */
    suspend fun watch() {
        orders.changes().collect { order ->
            if (order.buyerId == accountId || order.sellerId == accountId) show(order)
        }
    }
}
