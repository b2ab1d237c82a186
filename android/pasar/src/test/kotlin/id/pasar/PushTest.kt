// Push end to end from Kotlin: a real pasar-server process sends each order move through
// FCM and Web Push stand-ins (the push sink process checks the wire format, the OAuth2
// and VAPID signatures, and decrypts Web Push as a UnifiedPush distributor would), and
// the phone's core turns the payload into exactly one notification.
package id.pasar

import id.pasar.ffi.CheckoutRequest
import id.pasar.ffi.Courier
import id.pasar.ffi.NewProduct
import id.pasar.ffi.OrderAction
import id.pasar.ffi.OrderStatus
import id.pasar.ffi.PasarException
import id.pasar.ffi.PaymentMethod
import id.pasar.ffi.PushPlatform
import id.pasar.ffi.Rate
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
import java.net.HttpURLConnection
import java.net.URL
import java.nio.file.Files
import java.util.Locale
import kotlin.time.Duration.Companion.seconds

/** The push sink process: FCM, APNs and Web Push stand-ins on one loopback port. */
internal class PushSinkProcess : AutoCloseable {
    val dir: File = Files.createTempDirectory("pasar-push").toFile()
    private val process: Process
    val url: String

    /** The `PASAR_PUSH_*` settings that aim a server at this sink. */
    val serverEnv: Map<String, String>

    init {
        val binary = System.getProperty("pasar.pushSink")
            ?: error("the pasar.pushSink system property must name the pasar-push-sink binary")
        process = ProcessBuilder(binary, dir.absolutePath)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        val first = process.inputStream.bufferedReader().readLine() ?: error("the push sink did not start")
        url = "http://" + first.removePrefix("listening on ").trim()
        serverEnv = File(dir, "server.env").readLines()
            .filter { '=' in it }
            .associate { it.substringBefore('=') to it.substringAfter('=') }
    }

    /** A Web Push subscription as a UnifiedPush distributor hands it over: endpoint, p256dh, auth. */
    fun subscribe(): Triple<String, String, String> {
        val conn = URL("$url/subscriptions").openConnection() as HttpURLConnection
        conn.requestMethod = "POST"
        conn.doOutput = true
        conn.outputStream.close()
        val body = conn.inputStream.readBytes().decodeToString()
        fun field(name: String) =
            Regex("\"$name\":\"([^\"]*)\"").find(body)?.groupValues?.get(1) ?: error("no $name in $body")
        return Triple(field("endpoint"), field("p256dh"), field("auth"))
    }

    /** The payloads the sink accepted for [gateway] (`fcm`, `webpush`), once there are [n] (10 s at most). */
    fun payloads(gateway: String, n: Int): List<String> {
        val deadline = System.currentTimeMillis() + 10_000
        while (true) {
            val files = File(dir, "received")
                .listFiles { f -> f.name.endsWith("-$gateway.payload") }
                ?.sortedBy { it.name }
                .orEmpty()
            if (files.size >= n || System.currentTimeMillis() > deadline) return files.map { it.readText() }
            Thread.sleep(50)
        }
    }

    /** An FCM payload as `RemoteMessage.data` hands it over: a map of strings. */
    fun asData(payload: String): Map<String, String> =
        Regex("\"([^\"]+)\":\"([^\"]*)\"").findAll(payload).associate { it.groupValues[1] to it.groupValues[2] }

    override fun close() {
        process.destroy()
        process.waitFor()
        dir.deleteRecursively()
    }
}

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PushTest {
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

    @Test
    fun `the seller ships, FCM and UnifiedPush reach the buyer's phones, each shows Dikirim once`() = runBlocking {
        val (sellerPasar, sellerSync, seller) = server.phone(File(dir, "rina"), "Dapur Bu Rina", "0813-5555-6666", "+6281355556666")
        sellerSync.registerPush(PushPlatform.FCM, "fcm-token-rina", appVersion = "1.0.0", language = "id")
        val group = sellerPasar.groups.create("Pasar Warga Kenanga", seller)
        val contact = sellerPasar.accounts.save(id.pasar.ffi.NewAccount(name = "Ibu Sari", phone = "0812-7777-8888"))
        sellerPasar.groups.addMember(group.id, contact.id)
        sellerPasar.orders.setRate(
            seller,
            Rate(courier = Courier.JNE, service = "REG", destination = "*", firstKgIdr = 10_000, nextKgIdr = 8_000),
        )
        val donat = sellerPasar.catalog.create(
            NewProduct(
                sellerId = seller,
                name = "Donat kentang coklat",
                price = "25rb",
                unit = "box",
                weightGrams = 600u,
                stock = Stock.Limited(5),
                groupIds = listOf(group.id),
            ),
        )
        sellerSync.sync(30.seconds)

        // Ibu Sari's Android phone with Google services (FCM), and her second one with a
        // UnifiedPush distributor.
        val (pasar, sync, buyer) = server.phone(File(dir, "sari"), "Ibu Sari", "0812-7777-8888", "+6281277778888")
        sync.registerPush(PushPlatform.FCM, "fcm-token-sari", appVersion = "1.0.0", language = "id")
        val (endpoint, p256dh, auth) = sink.subscribe()
        val (pasar2, sync2, _) = server.phone(File(dir, "sari-2"), "Ibu Sari", "0812-7777-8888", "+6281277778888")
        sync2.registerPush(PushPlatform.UNIFIED_PUSH, endpoint, appVersion = "1.0.0", p256dh = p256dh, auth = auth, language = "en")
        sync2.sync(30.seconds)
        sync.sync(30.seconds)
        pasar.cart.add(donat.id, quantityMilli = 2_000)
        val order = pasar.orders.checkout(
            CheckoutRequest(
                checkoutId = Orders.newCheckoutId(),
                buyerId = buyer,
                address = sidoarjo(),
                sellers = listOf(SellerChoice(sellerId = seller, shipping = Shipping(Courier.JNE, "REG"), payment = PaymentMethod.Cod)),
            ),
        ).single()
        assertEquals(0uL, sync.sync(30.seconds).rejected)

        // The new order reaches the seller's phone as a push: one notice, the order pulled.
        val newOrder = sink.payloads("fcm", 1).single()
        assertEquals(setOf("t", "o", "s", "v"), sink.asData(newOrder).keys, "hints, never data: $newOrder")
        val told = sellerSync.handlePush(sink.asData(newOrder))
        assertEquals("Pesanan baru #${order.number}", told.single().title)
        assertEquals(OrderStatus.PROCESSING, sellerPasar.orders.get(order.id).status)

        // The seller ships; both of Sari's phones hear of it.
        sellerPasar.orders.act(order.id, seller, OrderAction.Ship("JNE", "JNE0123456789"))
        sellerSync.sync(30.seconds)
        val shipped = sink.payloads("fcm", 2)[1]
        assertEquals("shipped", sink.asData(shipped)["s"])
        val notices = sync.handlePush(sink.asData(shipped))
        val notice = notices.single()
        assertEquals("Pesanan dikirim", notice.title)
        assertEquals("Pesanan #${order.number} sedang dikirim — JNE JNE0123456789", notice.body)
        assertEquals("pasar://order/${order.id}", notice.deepLink)
        assertEquals("order:${order.id}", notice.collapseKey)
        assertEquals(OrderStatus.SHIPPED, pasar.orders.get(order.id).status)
        // FCM may deliver twice; the sync after it brings the same change: neither tells again.
        assertTrue(sync.handlePush(sink.asData(shipped)).isEmpty())
        assertTrue(sync.sync(30.seconds).notices.isEmpty())

        // The UnifiedPush phone: the sink decrypted the Web Push message as the
        // distributor does; the app hands its text to the core. In English, as registered.
        val web = sink.payloads("webpush", 1).last()
        val second = sync2.handlePush(web).single()
        assertEquals("Order #${order.number} is on its way — JNE JNE0123456789", second.body)
        assertEquals(OrderStatus.SHIPPED, pasar2.orders.get(order.id).status)

        // Someone else's JSON is data, not a command.
        assertThrows<PasarException.Validation> { runBlocking { sync.handlePush("{\"t\":\"order\",\"o\":\"../x\"}") } }
        assertEquals("{\"a\":\"b\\\"c\\\\\",\"n\":\"\\u000a\"}", pushJson(mapOf("a" to "b\"c\\", "n" to "\n")))
        assertEquals("id", notificationLanguage(Locale("in", "ID")))
        assertEquals("en", notificationLanguage(Locale.US))
    }
}
