// The seller's order management: incoming orders, confirm the money, ship with courier
// and resi, hand over a pick-up, cancel; the WhatsApp message to the buyer.
package id.pasar.ui

import id.pasar.Orders
import id.pasar.ffi.Order
import id.pasar.ffi.OrderAction
import id.pasar.ffi.OrderMove
import id.pasar.ffi.WhatsAppMessage

/**
 * The seller's orders screen state.
 *
 * @property orders the orders she sells, newest first, each with its `statusLabel`
 *   ("Belum Bayar", "Dikemas", "Dikirim"), payment and shipping labels and totals.
 * @property message the WhatsApp message to the buyer of the last
 *   [SellerOrdersViewModel.whatsappMessage] (text and `wa.me` link).
 */
data class SellerOrdersState(
    val orders: List<Order> = listOf(),
    val message: WhatsAppMessage? = null,
    val busy: Boolean = false,
    val error: ScreenError? = null,
)

/**
 * The orders [sellerId] sells, and her moves on them. Which move an order allows (a
 * COD order needs no payment confirmation; shipping needs a resi) is the core's state
 * machine: [moves] are the buttons to show, and a move it refuses anyway (a resi
 * missing, the order moved by the buyer meanwhile) leaves the order as it was and becomes
 * the state's error, with the core's sentence ("Pesanan berstatus Dikirim tidak bisa
 * diubah seperti itu"). Each move is saved on the phone and reaches the buyer with the
 * next sync.
 */
class SellerOrdersViewModel(
    private val orders: Orders,
    private val sellerId: String,
    private val limit: Int = 0,
) : ScreenModel<SellerOrdersState>(SellerOrdersState()) {
    override fun progress(state: SellerOrdersState, busy: Boolean, error: ScreenError?) =
        state.copy(busy = busy, error = error)

    /** Reads the orders she sells, newest first. */
    suspend fun refresh() {
        val list = attempt { orders.forAccount(sellerId, limit) } ?: return
        update { it.copy(orders = list.filter { o -> o.sellerId == sellerId }) }
    }

    /**
     * The moves she may make on [order] now, from the core's state machine: one button
     * each (`CONFIRM_PAYMENT` only for an unpaid transfer, QRIS or e-wallet order;
     * `PACK` once, while it waits for the courier; `SHIP` or `READY_FOR_PICKUP` once it is
     * paid, or at once for COD; `MARK_DELIVERED` once shipped). An order a warehouse or
     * supplier packs and ships for her offers neither `PACK` nor `SHIP`.
     */
    fun moves(order: Order): List<OrderMove> = order.sellerActions

    /** The money of a transfer, QRIS or e-wallet order arrived. */
    suspend fun confirmPayment(orderId: String): Order? = act(orderId, OrderAction.ConfirmPayment)

    /** Packed, waiting for the courier: the buyer is told "Pesanan dikemas". */
    suspend fun pack(orderId: String): Order? = act(orderId, OrderAction.Pack)

    /** Handed to the courier: [courier] ("JNE REG") and its tracking number [resi]. */
    suspend fun ship(orderId: String, courier: String, resi: String): Order? =
        act(orderId, OrderAction.Ship(courier, resi))

    /** A pick-up order is packed and waiting. */
    suspend fun readyForPickup(orderId: String): Order? = act(orderId, OrderAction.ReadyForPickup)

    /** The courier delivered (for COD: the cash was collected). */
    suspend fun markDelivered(orderId: String): Order? = act(orderId, OrderAction.MarkDelivered)

    /** Closes a delivered or collected order. */
    suspend fun complete(orderId: String): Order? = act(orderId, OrderAction.Complete)

    /** Cancels with a [reason] the buyer will read ("stok habis"). */
    suspend fun cancel(orderId: String, reason: String): Order? = act(orderId, OrderAction.Cancel(reason))

    /** The message to send the buyer from WhatsApp. */
    suspend fun whatsappMessage(orderId: String): WhatsAppMessage? =
        attempt { orders.whatsappMessage(orderId) }?.also { m -> update { it.copy(message = m) } }

    private suspend fun act(orderId: String, action: OrderAction): Order? {
        val order = attempt { orders.act(orderId, sellerId, action) } ?: return null
        show(order)
        return order
    }

    private fun show(order: Order) = update { it.copy(orders = replacing(it.orders, order) { o -> o.id }) }

    /**
     * Keeps the list current with every order change on this phone (new orders that sync
     * brings, her own moves) until the caller's scope is cancelled.
     */
    suspend fun watch() {
        orders.changes().collect { order -> if (order.sellerId == sellerId) show(order) }
    }
}
