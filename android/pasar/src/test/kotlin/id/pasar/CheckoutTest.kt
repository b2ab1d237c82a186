// The cart, checkout and the order lifecycle from Kotlin on the JVM, against the real core.
package id.pasar

import id.pasar.ffi.Address
import id.pasar.ffi.CheckoutRequest
import id.pasar.ffi.Courier
import id.pasar.ffi.Delivery
import id.pasar.ffi.LineState
import id.pasar.ffi.NewAccount
import id.pasar.ffi.NewProduct
import id.pasar.ffi.Order
import id.pasar.ffi.OrderAction
import id.pasar.ffi.OrderStatus
import id.pasar.ffi.PasarException
import id.pasar.ffi.PaymentMethod
import id.pasar.ffi.ProductPatch
import id.pasar.ffi.Rate
import id.pasar.ffi.Role
import id.pasar.ffi.SellerChoice
import id.pasar.ffi.Shipping
import id.pasar.ffi.Stock
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File

/** Where Ibu Sari lives: Sidoarjo, Jawa Timur. */
internal fun sidoarjo(kodePos: String = "61219") = Address(
    recipient = "Ibu Sari",
    phone = "0812-1111-2222",
    street = "Jl. Melati No. 5 RT 03/RW 05",
    kelurahan = "Pucang",
    kecamatan = "Sidoarjo",
    kabupaten = "Kab. Sidoarjo",
    provinsi = "Jawa Timur",
    kodePos = kodePos,
    notes = "Pagar hijau",
)

class CheckoutTest {
    @TempDir
    lateinit var dir: File

    /** A buyer, two sellers and their products: Rina's donat by the box, Budi's casing and kabel. */
    private class Shop(
        val buyer: String,
        val rina: String,
        val budi: String,
        val donat: String,
        val casing: String,
        val kabel: String,
    ) {
        /** COD and pick-up at Rina's; BCA transfer and JNE REG from Budi. */
        fun request(checkoutId: String, address: Address = sidoarjo(), onlyBudi: Boolean = false) = CheckoutRequest(
            checkoutId = checkoutId,
            buyerId = buyer,
            address = address,
            sellers = listOfNotNull(
                if (onlyBudi) null else SellerChoice(sellerId = rina, payment = PaymentMethod.Cod, note = "ambil sore"),
                SellerChoice(
                    sellerId = budi,
                    shipping = Shipping(Courier.JNE, "REG"),
                    payment = PaymentMethod.BankTransfer("BCA"),
                ),
            ),
        )
    }

    private suspend fun shop(pasar: Pasar): Shop {
        val buyer = pasar.accounts.save(NewAccount(name = "Ibu Sari", phone = "0812-1111-2222")).id
        val rina = pasar.accounts.save(NewAccount(name = "Dapur Bu Rina", phone = "0813-3333-4444")).id
        val budi = pasar.accounts.save(NewAccount(name = "Toko Budi", phone = "0857-5555-6666")).id
        val donat = pasar.catalog.create(
            NewProduct(sellerId = rina, name = "Donat coklat", price = "25rb", unit = "box", weightGrams = 600u, stock = Stock.Limited(10)),
        ).id
        val casing = pasar.catalog.create(
            NewProduct(sellerId = budi, name = "Casing HP", price = "35rb", weightGrams = 100u, stock = Stock.Limited(3)),
        ).id
        val kabel = pasar.catalog.create(
            NewProduct(sellerId = budi, name = "Kabel data", price = "15rb", weightGrams = 50u, stock = Stock.Limited(1)),
        ).id
        pasar.orders.setRate(
            budi,
            Rate(courier = Courier.JNE, service = "REG", destination = "Jawa Timur", firstKgIdr = 11_000, nextKgIdr = 11_000),
        )
        return Shop(buyer, rina, budi, donat, casing, kabel)
    }

    private suspend fun Pasar.stock(productId: String) = catalog.get(productId).stock

    @Test
    fun `a two-seller cart is fixed, checked out once, and the transfer order walks to Selesai`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val s = shop(pasar)
            // Order changes, heard from the start: the listener is registered once the
            // collector's producer has run (the yield below).
            val heard = Channel<Order>(Channel.UNLIMITED)
            val collector = launch(start = CoroutineStart.UNDISPATCHED) {
                pasar.orders.changes().take(3).collect { heard.send(it) }
            }
            yield()

            pasar.cart.add(s.donat, quantityMilli = 2_000, note = "pedas")
            pasar.cart.add(s.casing, quantityMilli = 2_000)
            pasar.cart.add(s.kabel)
            // The sellers change things while the buyer looks away.
            pasar.catalog.update(s.donat, ProductPatch(price = "27rb"))
            pasar.catalog.update(s.kabel, ProductPatch(stock = Stock.Limited(0)))

            val view = pasar.cart.view()
            assertTrue(view.needsAttention)
            assertEquals(listOf("Dapur Bu Rina", "Toko Budi"), view.sellers.map { it.sellerName })
            val donat = view.sellers[0].items.single()
            assertEquals(LineState.PriceChanged(25_000, 27_000, "Rp25.000", "Rp27.000"), donat.state)
            assertTrue(donat.blocksCheckout)
            assertEquals("Harga berubah dari Rp25.000 menjadi Rp27.000", donat.stateIndonesian)
            assertEquals("The price changed from Rp25.000 to Rp27.000", donat.stateEnglish)
            assertEquals("2 box", donat.quantityLabel)
            assertEquals("pedas", donat.line.note)
            val kabel = view.sellers[1].items.single { it.productName == "Kabel data" }
            assertEquals(LineState.OutOfStock, kabel.state)
            assertEquals("Stok habis", kabel.stateIndonesian)
            assertEquals("Rp70.000", view.sellers[1].subtotalLabel, "only what can be ordered counts")

            // Checkout is refused while they stand, and the cart stays as it was.
            val checkoutId = Orders.newCheckoutId()
            val stale = assertThrows<PasarException.Validation> {
                runBlocking { pasar.orders.checkout(s.request(checkoutId)) }
            }
            assertEquals("cart", stale.field)
            val soldOut = assertThrows<PasarException.OutOfStock> {
                runBlocking { pasar.orders.checkout(s.request(checkoutId, onlyBudi = true)) }
            }
            assertEquals("Stok Kabel data tidak cukup", soldOut.userMessage())
            assertEquals(3, pasar.cart.lines().size)
            assertEquals(Stock.Limited(3), pasar.stock(s.casing), "nothing was taken")

            // The buyer accepts the new price and drops the sold-out line.
            pasar.cart.acceptPrice(donat.line.id)
            pasar.cart.remove(kabel.line.id)
            val fixed = pasar.cart.view()
            assertFalse(fixed.needsAttention)
            assertEquals(2 * 27_000L + 2 * 35_000L, fixed.totalIdr)
            assertEquals("Rp124.000", fixed.totalLabel)

            // Bad input is refused and nothing is lost.
            val kodePos = assertThrows<PasarException.Validation> {
                runBlocking { pasar.orders.checkout(s.request(checkoutId, address = sidoarjo(kodePos = "123"))) }
            }
            assertEquals("kode_pos", kodePos.field)
            val hostile = assertThrows<PasarException.Validation> {
                runBlocking { pasar.orders.checkout(s.request("'; DROP TABLE orders; --")) }
            }
            assertEquals("checkout_id", hostile.field)
            assertEquals(2, pasar.cart.lines().size)
            assertEquals(Stock.Limited(3), pasar.stock(s.casing))
            assertEquals(Stock.Limited(10), pasar.stock(s.donat))
            assertTrue(pasar.orders.forAccount(s.buyer).isEmpty())

            // COD + pick-up at Rina's, BCA transfer + JNE REG from Budi.
            val orders = pasar.orders.checkout(s.request(checkoutId))
            assertEquals(listOf(s.rina, s.budi), orders.map { it.sellerId })
            val (cod, transfer) = orders
            assertEquals(OrderStatus.PROCESSING, cod.status)
            assertEquals("Dikemas", cod.statusLabel)
            assertEquals(Delivery.PICKUP, cod.delivery)
            assertNull(cod.address, "picked up")
            assertEquals(0L, cod.ongkirIdr)
            assertEquals(0L, cod.kodeUnikIdr)
            assertEquals(54_000L, cod.totalIdr)
            assertEquals("Rp54.000", cod.totalLabel)
            assertEquals("COD (bayar di tempat)", cod.paymentLabel)
            assertEquals("ambil sore", cod.note)

            assertEquals(OrderStatus.AWAITING_PAYMENT, transfer.status)
            assertEquals("Belum Bayar", transfer.statusLabel)
            assertEquals("Awaiting payment", transfer.statusLabelEn)
            assertEquals(PaymentMethod.BankTransfer("BCA"), transfer.payment)
            assertEquals("Transfer BCA", transfer.paymentLabel)
            assertEquals("JNE REG", transfer.shippingLabel)
            assertEquals("+6281211112222", transfer.address?.phone)
            assertEquals("2 pcs", transfer.items.single().quantityLabel)
            assertEquals(70_000L, transfer.itemsTotalIdr)
            assertEquals(11_000L, transfer.ongkirIdr, "200 g → 1 kg to Jawa Timur")
            assertEquals("Rp11.000", transfer.ongkirLabel)
            assertTrue(transfer.kodeUnikIdr in 1L..999L, "kode unik ${transfer.kodeUnikIdr}")
            assertEquals(transfer.itemsTotalIdr + transfer.ongkirIdr + transfer.kodeUnikIdr, transfer.totalIdr)
            assertEquals(formatRupiah(transfer.totalIdr), transfer.totalLabel)
            assertNotNull(transfer.expiresAtMs)
            assertTrue(pasar.cart.lines().isEmpty(), "ordered lines leave the cart")

            // A double tap: the same checkout id returns the same orders, stock taken once.
            assertEquals(orders, pasar.orders.checkout(s.request(checkoutId)))
            assertEquals(Stock.Limited(1), pasar.stock(s.casing))
            assertEquals(Stock.Limited(8), pasar.stock(s.donat))

            // The flow heard the two orders placed; the third change ends it.
            val o = pasar.orders
            val buyerPays = assertThrows<PasarException.Conflict> {
                runBlocking { o.act(transfer.id, s.buyer, OrderAction.ConfirmPayment) }
            }
            assertTrue(buyerPays.userMessage().contains("Belum Bayar"), buyerPays.userMessage())
            val paid = o.act(transfer.id, s.budi, OrderAction.ConfirmPayment)
            assertNull(paid.expiresAtMs, "paid: no deadline")
            withTimeout(10_000) { collector.join() }
            val changes = List(3) { heard.receive() }
            assertEquals(
                listOf(cod.id to "Dikemas", transfer.id to "Belum Bayar", transfer.id to "Dikemas"),
                changes.map { it.id to it.statusLabel },
            )

            val noResi = assertThrows<PasarException.Validation> {
                runBlocking { o.act(transfer.id, s.budi, OrderAction.Ship("JNE REG", " ")) }
            }
            assertEquals("resi", noResi.field)
            val shipped = o.act(transfer.id, s.budi, OrderAction.Ship("JNE REG", "JNE0123456789"))
            assertEquals("JNE0123456789", shipped.resi)
            val delivered = o.act(transfer.id, s.budi, OrderAction.MarkDelivered)
            val done = o.act(transfer.id, s.buyer, OrderAction.Complete)
            assertEquals(
                listOf("Belum Bayar", "Dikemas", "Dikirim", "Sampai", "Selesai"),
                listOf(transfer, paid, shipped, delivered, done).map { it.statusLabel },
            )
            assertEquals(5L, done.version)
            assertEquals(done, o.get(transfer.id))
            assertTrue(heard.tryReceive().isFailure, "the flow stopped after three changes")

            assertThrows<PasarException.Conflict> {
                runBlocking { o.act(transfer.id, s.budi, OrderAction.Cancel("stok habis")) }
            }
            val stranger = pasar.accounts.save(NewAccount(name = "Orang Lain", phone = "0811-9999-0000")).id
            assertThrows<PasarException.NotFound> {
                runBlocking { o.act(cod.id, stranger, OrderAction.Complete) }
            }

            val history = o.history(transfer.id)
            assertEquals(5, history.size)
            assertEquals(
                listOf(
                    Triple(Role.BUYER, "place", "Belum Bayar"),
                    Triple(Role.SELLER, "confirm_payment", "Dikemas"),
                    Triple(Role.SELLER, "ship", "Dikirim"),
                    Triple(Role.SELLER, "mark_delivered", "Sampai"),
                    Triple(Role.BUYER, "complete", "Selesai"),
                ),
                history.map { Triple(it.role, it.action, it.toStatusLabel) },
            )
            assertNull(history[0].fromStatus)
            assertEquals(OrderStatus.SHIPPED, history[3].fromStatus)
            assertEquals("JNE REG JNE0123456789", history[2].detail)
            assertEquals(setOf(cod.id, transfer.id), o.forAccount(s.buyer).map { it.id }.toSet())
            assertEquals(listOf(transfer.id), o.forAccount(s.budi).map { it.id })

            val wa = o.whatsappMessage(transfer.id)
            assertTrue(wa.text.contains("Mohon transfer tepat ${transfer.totalLabel}"), wa.text)
            assertTrue(wa.link!!.startsWith("https://wa.me/62"), wa.link)
        }
    }

    @Test
    fun `an unpaid transfer expires and its stock comes back`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val s = shop(pasar)
            pasar.cart.add(s.casing, quantityMilli = 3_000)
            val order = pasar.orders.checkout(s.request(Orders.newCheckoutId(), onlyBudi = true)).single()
            assertEquals(Stock.Limited(0), pasar.stock(s.casing))
            val deadline = order.expiresAtMs!!
            assertEquals(0, pasar.orders.expireDue(deadline - 1))
            assertEquals(1, pasar.orders.expireDue(deadline))
            val expired = pasar.orders.get(order.id)
            assertEquals("Dibatalkan", expired.statusLabel)
            assertNotNull(expired.cancelReason)
            assertEquals(Stock.Limited(3), pasar.stock(s.casing))
            assertEquals(Role.SYSTEM, pasar.orders.history(order.id).last().role)
        }
    }

    @Test
    fun `quantities follow the unit and a guest cart merges in`() = runBlocking {
        val guestLines = Pasar.open(File(dir, "guest")).use { guest ->
            val s = shop(guest)
            guest.cart.add(s.donat, note = "pedas")
            guest.cart.lines()
        }
        Pasar.open(File(dir, "account")).use { pasar ->
            val rina = pasar.accounts.save(NewAccount(name = "Dapur Bu Rina")).id
            val ayam = pasar.catalog.create(
                NewProduct(sellerId = rina, name = "Ayam ungkep", price = "Rp60.000", unit = "kilo", stock = Stock.Unlimited),
            )
            val line = pasar.cart.add(ayam.id, quantityMilli = 1_500)
            val item = pasar.cart.view().sellers.single().items.single()
            assertEquals("1,5 kg", item.quantityLabel)
            assertEquals("Rp90.000", item.totalLabel)
            assertEquals(LineState.Ok, item.state)
            assertEquals("", item.stateIndonesian)
            // Adding adds to the line: 1,5 kg − 2 kg leaves nothing to buy.
            val negative = assertThrows<PasarException.Validation> {
                runBlocking { pasar.cart.add(ayam.id, quantityMilli = -2_000) }
            }
            assertEquals("quantity", negative.field)
            assertEquals(1_500L, pasar.cart.lines().single().quantityMilli)
            pasar.cart.update(line.id, quantityMilli = 2_250, note = "potong 8")
            assertEquals(2_250L, pasar.cart.lines().single().quantityMilli)
            assertEquals("2,25", formatQuantity(2_250))

            // The guest's donat line comes over (its product is not in this phone's catalog yet).
            pasar.cart.merge(guestLines)
            val lines = pasar.cart.lines()
            assertEquals(2, lines.size)
            assertEquals("pedas", lines.single { it.productId == guestLines[0].productId }.note)
            assertEquals(LineState.Missing, pasar.cart.view().sellers.single { it.sellerId == null }.items.single().state)
            pasar.cart.clear()
            assertTrue(pasar.cart.lines().isEmpty())
        }
    }
}
