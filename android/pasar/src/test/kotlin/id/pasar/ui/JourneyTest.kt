// The whole journey through the view models an app would use, against a real
// pasar-server process and push sink: a seller signs in with a one-time code and lists
// a product from a photo; a buyer signs in, finds it with a typo, adds it to the cart,
// checks out COD; an admin pastes a chat message that becomes a second order; the seller
// confirms one and ships the other; the buyer's core turns the push into the
// notification text and her orders screen shows "Dikirim".
package id.pasar.ui

import id.pasar.MemoryTokenStore
import id.pasar.Pasar
import id.pasar.PushSinkProcess
import id.pasar.ServerProcess
import id.pasar.Sync
import id.pasar.ffi.ChatIntent
import id.pasar.ffi.ChatMatch
import id.pasar.ffi.ChatPayment
import id.pasar.ffi.ChatScope
import id.pasar.ffi.Courier
import id.pasar.ffi.GroupRole
import id.pasar.ffi.NewAccount
import id.pasar.ffi.OrderMove
import id.pasar.ffi.OrderStatus
import id.pasar.ffi.PaymentMethod
import id.pasar.ffi.PushPlatform
import id.pasar.ffi.Rate
import id.pasar.ffi.Shipping
import id.pasar.ffi.Stock
import id.pasar.phonePhoto
import id.pasar.sidoarjo
import id.pasar.sync
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.time.Duration.Companion.seconds

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JourneyTest {
    private lateinit var sink: PushSinkProcess
    private lateinit var server: ServerProcess

    @BeforeAll
    fun start() {
        sink = PushSinkProcess()
        server = ServerProcess(sink.serverEnv)
    }

    @AfterAll
    fun stop() {
        server.close()
        sink.close()
    }

    @TempDir
    lateinit var dir: File

    /** A phone: its own store, signed in through the sign-in screen with the code the server sent. */
    private suspend fun signIn(folder: String, name: String, number: String, e164: String): Triple<Pasar, Sync, String> {
        val pasar = Pasar.open(File(dir, folder))
        val sync = pasar.sync(server.url, MemoryTokenStore())
        val screen = SignInViewModel(sync)
        assertTrue(screen.requestCode(number), "${screen.state.value.error}")
        assertTrue(screen.state.value.codeSent)
        val account = screen.signIn(server.code(e164), name)
        assertNotNull(account, "${screen.state.value.error}")
        assertEquals(account, screen.state.value.accountId)
        return Triple(pasar, sync, account!!)
    }

    @Test
    fun `seller lists from a photo, buyer and admin order, seller ships, buyer is told Dikirim`() = runBlocking {
        // The seller: signs in, opens her market, sets her ongkir (the admin and the
        // buyer are her contacts in it).
        val (rinaPasar, rinaSync, rina) = signIn("rina", "Dapur Bu Rina", "0813-1111-2222", "+6281311112222")
        rinaSync.registerPush(PushPlatform.FCM, "fcm-token-rina", appVersion = "1.0.0", language = "id")
        val group = rinaPasar.groups.create("Pasar Warga Melati", rina)
        val sariContact = rinaPasar.accounts.save(NewAccount(name = "Ibu Sari", phone = "0812-3333-4444"))
        val dewiContact = rinaPasar.accounts.save(NewAccount(name = "Bu Dewi", phone = "0857-5555-6666"))
        rinaPasar.groups.addMember(group.id, sariContact.id)
        rinaPasar.groups.addMember(group.id, dewiContact.id, GroupRole.ADMIN)
        rinaPasar.orders.setRate(
            rina,
            Rate(courier = Courier.JNE, service = "REG", destination = "*", firstKgIdr = 10_000, nextKgIdr = 8_000),
        )

        // New product from the camera: the photo's bytes in, the price as she types it.
        val listing = NewProductViewModel(rinaPasar.catalog, rina, listOf(group.id))
        val photo = listing.addPhoto(phonePhoto())
        assertNotNull(photo, "${listing.state.value.error}")
        // The price is read as she types it; what cannot be read says so at once.
        listing.edit(ProductForm(name = "Donat kentang coklat", price = "murah", unit = "box", stock = Stock.Limited(10)))
        assertEquals("price", listing.state.value.priceError?.field)
        assertTrue(listing.state.value.priceError!!.indonesian.startsWith("Harga tidak terbaca"), "${listing.state.value.priceError}")
        listing.edit(listing.state.value.form.copy(price = "25rb", weightGrams = 600u))
        assertEquals("Rp25.000", listing.state.value.priceLabel)
        assertNull(listing.state.value.priceError)
        val donat = listing.save()
        assertNotNull(donat, "${listing.state.value.error}")
        assertEquals("Donat kentang coklat", donat!!.name)
        assertEquals("Rp25.000", donat.priceLabel)
        assertEquals(listOf(photo!!.hash), donat.photos.map { it.hash })
        assertEquals(1uL, rinaSync.sync(30.seconds).photosUploaded, "the photo went up with the listing")

        // The buyer: signs in, finds it with a typo, adds two boxes, checks out COD by JNE.
        val (sariPasar, sariSync, sari) = signIn("sari", "Ibu Sari", "0812-3333-4444", "+6281233334444")
        sariSync.registerPush(PushPlatform.FCM, "fcm-token-sari", appVersion = "1.0.0", language = "id")
        sariSync.sync(30.seconds)
        val catalog = CatalogViewModel(sariPasar.catalog, groupId = group.id)
        catalog.search("donut coklat")
        assertEquals("Donat kentang coklat", catalog.state.value.products.first().name)
        assertEquals("donat coklat", catalog.state.value.understood)

        val detail = ProductDetailViewModel(sariPasar, catalog.state.value.products.first().id, sariSync)
        detail.load()
        assertEquals("Rp25.000", detail.state.value.product?.priceRangeLabel)
        val shown = detail.photoLocation(detail.state.value.product!!.photos.single())
        assertEquals(sariSync.photoUrl(detail.state.value.product!!.photos.single()), shown, "not on her phone: from the server")
        detail.setQuantity(2_000)
        assertNotNull(detail.addToCart(), "${detail.state.value.error}")

        val cart = CartViewModel(sariPasar.cart)
        cart.refresh()
        val inCart = cart.state.value.cart!!
        assertEquals("Dapur Bu Rina", inCart.sellers.single().sellerName)
        assertEquals("2 box", inCart.sellers.single().items.single().quantityLabel)
        assertEquals("Rp50.000", inCart.totalLabel)
        assertTrue(cart.state.value.canCheckout)

        val checkout = CheckoutViewModel(sariPasar, sari)
        checkout.load()
        // Without an address a courier order is refused, naming the field.
        checkout.choose(rina, Shipping(Courier.JNE, "REG"), PaymentMethod.Cod)
        assertNull(checkout.place())
        assertEquals("address", checkout.state.value.error?.field)
        checkout.setAddress(sidoarjo())
        // Before placing, the screen shows what Rina ships by and what it all costs.
        val quote = checkout.quote()!!.single()
        assertEquals(listOf("JNE REG" to "Rp18.000"), quote.options.map { it.label to it.ongkirLabel })
        assertEquals("Rp68.000", quote.totalLabel)
        val sariOrder = checkout.place()?.single()
        assertNotNull(sariOrder, "${checkout.state.value.error}")
        assertEquals("Dikemas", sariOrder!!.statusLabel)
        assertEquals("COD (bayar di tempat)", sariOrder.paymentLabel)
        assertEquals("Rp18.000", sariOrder.ongkirLabel, "2 box of 600 g: 2 kg by JNE REG")
        assertEquals("Rp68.000", sariOrder.totalLabel)
        assertEquals(0uL, sariSync.sync(30.seconds).rejected)

        // The seller's phone gets the new order by push: the notice the core wrote.
        val rinaNotices = NotificationsViewModel(rinaSync)
        rinaNotices.onPush(sink.asData(push(sariOrder.id, "processing")))
        assertEquals("Pesanan baru #${sariOrder.number}", rinaNotices.state.value.notices.single().title)

        // The admin: signs in, pastes a message from the group's chat; it becomes the
        // second order (picked up, paid by transfer).
        val (dewiPasar, dewiSync, dewi) = signIn("dewi", "Bu Dewi", "0857-5555-6666", "+6285755556666")
        dewiSync.sync(30.seconds)
        val chat = ChatOrdersViewModel(dewiPasar.chat, ChatScope.Group(group.id))
        val text = "kak pesen 3 donat kentang coklat ya, diambil sendiri, bayar transfer"
        val draft = chat.paste(text)
        assertNotNull(draft, "${chat.state.value.error}")
        assertEquals(ChatIntent.ORDER, draft!!.intent)
        val line = draft.lines.single()
        assertEquals("Donat kentang coklat", (line.matched as ChatMatch.Product).name)
        assertEquals(3_000L, line.quantityMilli)
        assertEquals(ChatPayment.TRANSFER, draft.payment)
        assertEquals(listOf(3_000L), draft.items.map { it.quantityMilli })
        val added = chat.addToCart(note = "pesanan Bu Yati")
        assertEquals(listOf(3_000L), added?.map { it.quantityMilli })
        assertEquals(listOf("pesanan Bu Yati"), added?.map { it.note })
        val adminCheckout = CheckoutViewModel(dewiPasar, dewi)
        adminCheckout.load()
        assertEquals("Rp75.000", adminCheckout.state.value.cart?.totalLabel)
        adminCheckout.choose(rina, shipping = null, payment = PaymentMethod.BankTransfer("BCA"))
        val chatOrder = adminCheckout.place()?.single()
        assertNotNull(chatOrder, "${adminCheckout.state.value.error}")
        assertEquals("Belum Bayar", chatOrder!!.statusLabel)
        assertEquals("Transfer BCA", chatOrder.paymentLabel)
        assertEquals(0uL, dewiSync.sync(30.seconds).rejected)
        // And a whole chat export becomes the rekap to post back.
        val export = chat.importExport(
            ("26/11/24 07.10 - Bu Yati: kak pesen donat kentang coklat 2 ya\n" +
                "26/11/24 07.12 - Pak Budi: donat kentang coklat 1 box, cod\n").toByteArray(),
            title = "Pasar Warga Melati",
        )
        assertNotNull(export, "${chat.state.value.error}")
        assertEquals(listOf("Bu Yati", "Pak Budi"), export!!.buyers.map { it.buyer })
        assertTrue(export.rekapText.startsWith("*REKAP PESANAN — Pasar Warga Melati*"), export.rekapText)
        assertEquals(75_000L, export.totalIdr)

        // The seller: both orders in her list; she confirms the transfer and ships the COD one.
        rinaSync.sync(30.seconds)
        val manage = SellerOrdersViewModel(rinaPasar.orders, rina)
        manage.refresh()
        val statuses = manage.state.value.orders.associate { it.id to it.statusLabel }
        assertEquals(mapOf(sariOrder.id to "Dikemas", chatOrder.id to "Belum Bayar"), statuses)
        // A COD order has no payment to confirm: no such button, and if tried anyway
        // the core says no and the order stays.
        val listed = manage.state.value.orders.associateBy { it.id }
        assertEquals(listOf(OrderMove.PACK, OrderMove.SHIP, OrderMove.CANCEL), manage.moves(listed.getValue(sariOrder.id)))
        assertEquals(listOf(OrderMove.CONFIRM_PAYMENT, OrderMove.CANCEL), manage.moves(listed.getValue(chatOrder.id)))
        assertNull(manage.confirmPayment(sariOrder.id))
        assertNotNull(manage.state.value.error)
        assertEquals("Dikemas", manage.state.value.orders.first { it.id == sariOrder.id }.statusLabel)
        assertEquals("Dikemas", manage.confirmPayment(chatOrder.id)?.statusLabel)
        // Shipping needs the resi.
        assertNull(manage.ship(sariOrder.id, "JNE", ""))
        assertEquals("resi", manage.state.value.error?.field)
        val sent = manage.ship(sariOrder.id, "JNE", "JNE0123456789")
        assertEquals("Dikirim", sent?.statusLabel)
        assertNull(manage.state.value.error)
        // Shipped: "mark delivered" is the seller's button, not the buyer's.
        assertEquals(listOf(OrderMove.MARK_DELIVERED), manage.moves(sent!!))
        rinaSync.sync(30.seconds)

        // The buyer's orders screen is open while the push arrives.
        val orders = OrdersViewModel(sariPasar.orders, sari)
        orders.refresh()
        assertEquals(listOf("Dikemas"), orders.state.value.orders.map { it.statusLabel })
        val watching = launch(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) { orders.watch() }
        val notices = NotificationsViewModel(sariSync)
        val posted = notices.onPush(sink.asData(push(sariOrder.id, "shipped")))
        assertEquals("Pesanan dikirim", posted.single().title)
        assertEquals("Pesanan #${sariOrder.number} sedang dikirim — JNE JNE0123456789", posted.single().body)
        assertEquals("pasar://order/${sariOrder.id}", notices.state.value.notices.single().deepLink)
        val shipped = withTimeout(10_000) {
            orders.state.first { s -> s.orders.any { it.status == OrderStatus.SHIPPED } }
        }
        watching.cancel()
        assertEquals("Dikirim", shipped.orders.single().statusLabel)
        assertEquals("JNE0123456789", shipped.orders.single().resi)
        assertEquals(listOf(OrderMove.COMPLETE), orders.moves(shipped.orders.single()))
        orders.open(sariOrder.id)
        assertEquals(listOf("Pesanan dibuat", "Dikirim"), orders.state.value.history.map { it.label })
        // The same push again (FCM may deliver twice) posts nothing new.
        assertTrue(notices.onPush(sink.asData(push(sariOrder.id, "shipped"))).isEmpty())
        assertEquals(1, notices.state.value.notices.size)

        listOf(rinaSync, sariSync, dewiSync, rinaPasar, sariPasar, dewiPasar).forEach { it.close() }
    }

    /** The FCM payload the sink accepted about [orderId] reaching [status] (10 s at most). */
    private fun push(orderId: String, status: String): String {
        val deadline = System.currentTimeMillis() + 10_000
        while (true) {
            val found = sink.payloads("fcm", 0).firstOrNull {
                val data = sink.asData(it)
                data["o"] == orderId && data["s"] == status
            }
            if (found != null) return found
            check(System.currentTimeMillis() < deadline) { "no push about $orderId at $status" }
            Thread.sleep(50)
        }
    }
}
