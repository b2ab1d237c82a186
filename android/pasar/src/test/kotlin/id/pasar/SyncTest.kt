// Two phones and a real pasar-server process, from Kotlin on the JVM: the seller lists
// a product offline and syncs, the buyer signs in, pulls it, orders, the seller ships,
// the buyer sees "Dikirim". HTTP goes through UrlConnectionHttpClient, the app's own.
package id.pasar

import id.pasar.ffi.CheckoutRequest
import id.pasar.ffi.Courier
import id.pasar.ffi.NewProduct
import id.pasar.ffi.OrderAction
import id.pasar.ffi.OrderStatus
import id.pasar.ffi.PasarException
import id.pasar.ffi.PaymentMethod
import id.pasar.ffi.Rate
import id.pasar.ffi.RefusalKind
import id.pasar.ffi.SellerChoice
import id.pasar.ffi.Shipping
import id.pasar.ffi.Stock
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.nio.file.Files
import kotlin.time.Duration.Companion.seconds

/**
 * A pasar-server process on a free loopback port, codes written to files; [env] adds
 * settings (the push gateways of [PushSinkProcess]).
 */
internal class ServerProcess(env: Map<String, String> = emptyMap()) : AutoCloseable {
    val codes: File = Files.createTempDirectory("pasar-codes").toFile()
    private val process: Process
    val url: String

    init {
        val binary = System.getProperty("pasar.server")
            ?: error("the pasar.server system property must name the pasar-server binary")
        process = ProcessBuilder(binary)
            .also {
                it.environment()["PASAR_ADDR"] = "127.0.0.1:0"
                it.environment()["PASAR_DATABASE_URL"] = "sqlite::memory:"
                it.environment()["PASAR_DEV_CODES_DIR"] = codes.absolutePath
                it.environment().putAll(env)
            }
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        val first = process.inputStream.bufferedReader().readLine() ?: error("the server did not start")
        url = "http://" + first.removePrefix("listening on ").trim()
    }

    /** The last code the server sent to [e164]. */
    fun code(e164: String): String = File(codes, "$e164.code").readText().trim()

    /** A phone with its own store in [dir], signed in to this server as [name]. */
    suspend fun phone(dir: File, name: String, number: String, e164: String): Triple<Pasar, Sync, String> {
        val pasar = Pasar.open(dir)
        val sync = pasar.sync(url, MemoryTokenStore())
        sync.requestCode(number)
        val account = sync.signIn(number, code(e164), name)
        return Triple(pasar, sync, account)
    }

    override fun close() {
        process.destroy()
        process.waitFor()
        codes.deleteRecursively()
    }
}

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncTest {
    private lateinit var server: ServerProcess

    @BeforeAll
    fun start() {
        server = ServerProcess()
    }

    @AfterAll
    fun stop() = server.close()

    @TempDir
    lateinit var dir: File

    private suspend fun phone(name: String, number: String, e164: String): Triple<Pasar, Sync, String> =
        server.phone(File(dir, name), name, number, e164)

    @Test
    fun `a product listed offline reaches the buyer, the order reaches the seller, the buyer sees Dikirim`() = runBlocking {
        val (sellerPasar, sellerSync, seller) = phone("Dapur Bu Rina", "0813-1111-2222", "+6281311112222")
        val group = sellerPasar.groups.create("Pasar Warga Melati", seller)
        val buyerContact = sellerPasar.accounts.save(
            id.pasar.ffi.NewAccount(name = "Ibu Sari", phone = "0812-3333-4444"),
        )
        sellerPasar.groups.addMember(group.id, buyerContact.id)
        // Her ongkir table travels with her listings: buyers quote it offline.
        sellerPasar.orders.setRate(
            seller,
            Rate(courier = Courier.JNE, service = "REG", destination = "*", firstKgIdr = 10_000, nextKgIdr = 8_000),
        )
        val photo = sellerPasar.catalog.addPhoto(phonePhoto())
        val donat = sellerPasar.catalog.create(
            NewProduct(
                sellerId = seller,
                name = "Donat kentang coklat",
                price = "25rb",
                unit = "box",
                weightGrams = 600u,
                stock = Stock.Limited(5),
                photos = listOf(photo.hash),
                groupIds = listOf(group.id),
            ),
        )
        assertTrue(sellerSync.pending() >= 4, "everything waits in the outbox while offline")
        val first = sellerSync.sync(30.seconds)
        assertTrue(first.complete)
        assertEquals(0uL, first.rejected)
        assertEquals(0L, sellerSync.pending())
        assertTrue(first.bytesSent > 0uL && first.bytesReceived > 0uL)
        assertEquals(1uL, first.photosUploaded, "the photo went up before its product")

        val (buyerPasar, buyerSync, buyer) = phone("Ibu Sari", "0812-3333-4444", "+6281233334444")
        val pulled = buyerSync.sync(30.seconds)
        assertTrue(pulled.pulled >= 2uL, "$pulled")
        // Found offline on the buyer's phone, with a typo.
        val found = buyerPasar.catalog.search("donut coklat")
        assertEquals(donat.id, found.items.first().id)
        // The buyer's image loader fetches the photo the seller's phone made, byte for byte.
        val listed = buyerPasar.catalog.get(donat.id).photos.single()
        assertEquals(photo.hash, listed.hash)
        val served = java.net.URL(buyerSync.photoUrl(listed)).readBytes()
        assertTrue(served.contentEquals(sellerPasar.photoFile(photo).readBytes()))

        buyerPasar.cart.add(donat.id, quantityMilli = 2_000)
        val order = buyerPasar.orders.checkout(
            CheckoutRequest(
                checkoutId = Orders.newCheckoutId(),
                buyerId = buyer,
                address = sidoarjo(),
                sellers = listOf(SellerChoice(sellerId = seller, shipping = Shipping(Courier.JNE, "REG"), payment = PaymentMethod.Cod)),
            ),
        ).single()
        val placed = buyerSync.sync(30.seconds)
        assertEquals(1uL, placed.pushed)
        assertEquals(0uL, placed.rejected)
        assertEquals(Stock.Limited(3), buyerPasar.catalog.get(donat.id).stock, "the server took 2 of 5")

        sellerSync.sync(30.seconds)
        assertEquals(OrderStatus.PROCESSING, sellerPasar.orders.get(order.id).status)
        sellerPasar.orders.act(order.id, seller, OrderAction.Ship("JNE", "JNE0123456789"))
        sellerSync.sync(30.seconds)

        buyerSync.sync(30.seconds)
        val shipped = buyerPasar.orders.get(order.id)
        assertEquals(OrderStatus.SHIPPED, shipped.status)
        assertEquals("JNE0123456789", shipped.resi)

        // Wanting more than is left: the server refuses, the phone cancels the order and
        // keeps the refusal for the screen.
        buyerPasar.catalog.update(donat.id, id.pasar.ffi.ProductPatch(stock = Stock.Limited(9)))
        buyerPasar.cart.add(donat.id, quantityMilli = 4_000)
        val greedy = buyerPasar.orders.checkout(
            CheckoutRequest(
                checkoutId = Orders.newCheckoutId(),
                buyerId = buyer,
                address = sidoarjo(),
                sellers = listOf(SellerChoice(sellerId = seller, shipping = Shipping(Courier.JNE, "REG"), payment = PaymentMethod.Cod)),
            ),
        ).single()
        val refused = buyerSync.sync(30.seconds)
        assertEquals(1uL, refused.rejected)
        val rejection = buyerSync.rejections().single()
        assertEquals(RefusalKind.OUT_OF_STOCK, rejection.kind)
        assertEquals("order:${greedy.id}", rejection.entity)
        assertEquals(OrderStatus.CANCELLED, buyerPasar.orders.get(greedy.id).status)
        buyerSync.dismiss(rejection)
        assertTrue(buyerSync.rejections().isEmpty())

        // Signed out: sync says so instead of sending anything.
        buyerSync.signOut()
        assertThrows<PasarException.Unauthorized> { runBlocking { buyerSync.sync(5.seconds) } }
        listOf(buyerSync, sellerSync, buyerPasar, sellerPasar).forEach { it.close() }
    }
}
