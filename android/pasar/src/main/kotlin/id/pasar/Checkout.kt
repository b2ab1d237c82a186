// The cart and the orders in Kotlin: suspend functions and a Flow of order changes over
// the generated bindings. No rules live here (what blocks a checkout, who may move an
// order where, ongkir, kode unik): they are all in the core.
package id.pasar

import id.pasar.ffi.CartLine
import id.pasar.ffi.CartService
import id.pasar.ffi.CartView
import id.pasar.ffi.CheckoutRequest
import id.pasar.ffi.LineState
import id.pasar.ffi.Order
import id.pasar.ffi.Quote
import id.pasar.ffi.OrderAction
import id.pasar.ffi.OrderChange
import id.pasar.ffi.OrderEvent
import id.pasar.ffi.OrderListener
import id.pasar.ffi.OrderService
import id.pasar.ffi.PasarException
import id.pasar.ffi.Rate
import id.pasar.ffi.ShippingLabel
import id.pasar.ffi.WhatsAppMessage
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.flow.map

/**
 * The buyer's cart, kept on this phone (it works offline). Quantities are thousandths
 * of the unit ("milli"): 1,5 kg is `1500`, 2 pcs is `2000`; fractions are allowed only
 * for units like kg and liter.
 */
class Cart internal constructor(private val ffi: CartService) : AutoCloseable {
    /**
     * Adds [quantityMilli] of a product (and its [variantId], required when the product
     * has variants) to the cart; the same item again adds to its line. A blank [note]
     * keeps the line's note. The price now is remembered, so a later change shows as
     * [LineState.PriceChanged].
     *
     * @throws PasarException.Validation with field `quantity` (0, negative, too many,
     *   or a fraction of a `pcs`), `variant_id`, `product_id` or `note`.
     * @throws PasarException.NotFound if the product is not in the catalog (or archived).
     */
    suspend fun add(
        productId: String,
        quantityMilli: Long = 1_000,
        variantId: String? = null,
        note: String = "",
    ): CartLine = ffi.add(productId, variantId, quantityMilli, note)

    /**
     * Sets a line's quantity (`0` removes the line) and, unless `null`, its [note].
     *
     * @throws PasarException.Validation with field `quantity` or `note`.
     * @throws PasarException.NotFound if there is no such line.
     */
    suspend fun update(lineId: String, quantityMilli: Long, note: String? = null) =
        ffi.update(lineId, quantityMilli, note)

    /** The buyer saw the new price of a [LineState.PriceChanged] line and keeps it. */
    suspend fun acceptPrice(lineId: String) = ffi.acceptPrice(lineId)

    /** Takes a line out of the cart. */
    suspend fun remove(lineId: String) = ffi.remove(lineId)

    /** Empties the cart. */
    suspend fun clear() = ffi.clear()

    /** The lines as stored, oldest first (a guest cart to [merge], for example). */
    suspend fun lines(): List<CartLine> = ffi.lines()

    /**
     * Brings a guest's cart (made before signing in, read with [lines] from the guest's
     * store) into this one: the same item adds up; a guest note is kept when the line
     * had none.
     */
    suspend fun merge(guest: List<CartLine>) = ffi.merge(guest)

    /**
     * The cart grouped by seller (one order each at checkout), every line checked against
     * the catalog now: each [id.pasar.ffi.CartItem] carries its [LineState], whether it
     * blocks checkout, and the sentence to show (`stateIndonesian`, `stateEnglish`).
     * [CartView.needsAttention] is true while checkout would be refused.
     */
    suspend fun view(): CartView = ffi.view()

    override fun close() = ffi.close()
}

/**
 * Checkout and the orders that come of it. Who may do what to an order is the core's
 * state machine: a move it forbids is [PasarException.Conflict].
 */
class Orders internal constructor(private val ffi: OrderService) : AutoCloseable {
    /**
     * Saves one row of a seller's ongkir table: a destination (a kabupaten/kota, a
     * provinsi or `"*"`), the first kilo and each further kilo. The same courier,
     * service and destination again replaces the row.
     */
    suspend fun setRate(sellerId: String, rate: Rate) = ffi.setRate(sellerId, rate)

    /**
     * Turns the cart lines of [CheckoutRequest.sellers] into one order per seller, all or
     * nothing: prices and stock checked again, ongkir quoted from the seller's rates, a
     * kode unik (Rp1–Rp999) added to bank transfers, stock taken, the lines leave the
     * cart. Submitting the same [CheckoutRequest.checkoutId] again (a double tap, a retry)
     * returns the same orders; make one with [newCheckoutId] when the screen opens.
     *
     * @throws PasarException.Validation with field `cart` while a price changed unseen
     *   (see [Cart.view]), `kode_pos` and the other address fields, `address` (missing
     *   for a courier), `shipping` (no rate to that destination), `checkout_id`, `sellers`.
     * @throws PasarException.OutOfStock if a line cannot be supplied; the cart is kept.
     * @throws PasarException.NotFound if the buyer is not a saved account.
     */
    suspend fun checkout(request: CheckoutRequest): List<Order> = ffi.checkout(request)

    /**
     * What each seller's part of [request] would cost if placed now: items, ongkir (null
     * while the address or the courier service gives none), discount and total. Nothing
     * is written; the checkout id is not used.
     *
     * @throws PasarException.Validation with field `sellers` for a seller with nothing in the cart.
     */
    suspend fun quote(request: CheckoutRequest): List<Quote> = ffi.quote(request)

    /**
     * [actorId] (the order's buyer, seller or partner) does [action]:
     * `OrderAction.ConfirmPayment`, `OrderAction.Pack`, `OrderAction.Ship(courier, resi)`,
     * `OrderAction.MarkDelivered`, `OrderAction.Complete`, `OrderAction.Cancel(reason)`...
     *
     * @throws PasarException.Conflict if the order's status or the actor's role does not
     *   allow it (a buyer confirming their own payment, cancelling a finished order).
     * @throws PasarException.Validation with field `resi` (shipping without one) or
     *   `reason` (cancelling without one).
     * @throws PasarException.NotFound for an order the actor is not part of.
     */
    suspend fun act(orderId: String, actorId: String, action: OrderAction): Order =
        ffi.act(orderId, actorId, action)

    /** Cancels unpaid orders past their deadline, giving their stock back; returns how many. */
    suspend fun expireDue(nowMs: Long = System.currentTimeMillis()): Int = ffi.expireDue(nowMs).toInt()

    /** @throws PasarException.NotFound if there is no such order. */
    suspend fun get(orderId: String): Order = ffi.get(orderId)

    /** Orders where [accountId] buys or sells, newest first; [limit] 0 means 20. */
    suspend fun forAccount(accountId: String, limit: Int = 0): List<Order> {
        require(limit >= 0) { "limit must not be negative" }
        return ffi.forAccount(accountId, limit.toUInt())
    }

    /**
     * The orders [partnerId] packs and ships for sellers (a warehouse's, or a supplier's
     * for resellers), newest first, each with its items, notes, courier and address; the
     * buttons are in [Order.partnerActions] (`Pack`, then `Ship`). [limit] 0 means 20.
     *
     * @throws PasarException.Validation with field `partner_id` or `limit` (above 200).
     */
    suspend fun packingList(partnerId: String, limit: Int = 0): List<Order> {
        require(limit >= 0) { "limit must not be negative" }
        return ffi.packingList(partnerId, limit.toUInt())
    }

    /**
     * The orders that came through [promoterId]'s code, newest first, as the promoter
     * sees them: what was bought and [Order.promoter]'s commission, not who or where.
     * [limit] 0 means 20.
     *
     * @throws PasarException.Validation with field `promoter_id` or `limit` (above 200).
     */
    suspend fun promoted(promoterId: String, limit: Int = 0): List<Order> {
        require(limit >= 0) { "limit must not be negative" }
        return ffi.promoted(promoterId, limit.toUInt())
    }

    /**
     * The shipping label and packing slip of a courier order; `null` for pick-up. The
     * sender is the seller (for a reseller's order, the reseller), never the warehouse or
     * supplier packing it.
     *
     * @throws PasarException.NotFound if there is no such order.
     */
    suspend fun label(orderId: String): ShippingLabel? = ffi.label(orderId)

    /** Who did what to the order, oldest first. */
    suspend fun history(orderId: String): List<OrderEvent> = ffi.history(orderId)

    /**
     * The message a seller sends the buyer from WhatsApp (the order and, for a bank
     * transfer, the exact amount), with a `https://wa.me/62…` link to open in WhatsApp
     * (`null` when the buyer has no phone number).
     */
    suspend fun whatsappMessage(orderId: String): WhatsAppMessage = ffi.whatsappMessage(orderId)

    /**
     * Every committed order change (placed, moved, cancelled, expired) with the step
     * that made it, while the flow is collected. Collection stopping (cancelled scope,
     * `take(n)`, `first()`) unregisters the listener in the core.
     */
    fun events(): Flow<OrderChange> = callbackFlow {
        val handle = ffi.observe(object : OrderListener {
            // Called on a core thread: hand over and return at once.
            override fun onChange(change: OrderChange) {
                trySend(change)
            }
        })
        awaitClose {
            handle.cancel()
            handle.close()
        }
    }.buffer(Channel.UNLIMITED)

    /**
     * The orders as they change, while the flow is collected; only [orderId]'s when it is
     * given (an order's detail screen). See [events].
     */
    fun changes(orderId: String? = null): Flow<Order> =
        events().map { it.order }.filter { orderId == null || it.id == orderId }

    override fun close() = ffi.close()

    companion object {
        /**
         * A fresh [CheckoutRequest.checkoutId]: make one when the checkout screen opens and
         * send it with every attempt of that checkout.
         */
        fun newCheckoutId(): String = id.pasar.ffi.newCheckoutId()
    }
}

/** A quantity in thousandths as Indonesians read it: `1500` → `"1,5"`, `2000` → `"2"`. */
fun formatQuantity(quantityMilli: Long): String = id.pasar.ffi.formatQuantity(quantityMilli)
