// The foundation slice from Kotlin on the JVM, against the real core through JNA.
package id.pasar

import id.pasar.ffi.CatalogEvent
import id.pasar.ffi.NewProduct
import id.pasar.ffi.PasarException
import id.pasar.ffi.ProductPatch
import id.pasar.ffi.Stock
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.util.concurrent.CopyOnWriteArrayList

class CatalogTest {
    @TempDir
    lateinit var dir: File

    private fun donat(name: String = "Donat coklat", price: Long = 25_000) =
        NewProduct(name = name, description = "isi 6", priceIdr = price, stock = Stock.Limited(12))

    @Test
    fun `a product survives closing and reopening the store`() = runBlocking {
        val created = Pasar.open(dir).use { pasar -> pasar.catalog.create(donat()) }
        assertEquals(25_000L, created.priceIdr)
        assertEquals("Rp25.000", created.priceLabel)

        Pasar.open(dir).use { pasar ->
            val read = pasar.catalog.get(created.id)
            assertEquals(created, read)
        }
    }

    @Test
    fun `bad input is a typed validation error in Indonesian and nothing saved is lost`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val kept = pasar.catalog.create(donat("Bantal", 45_000))

            val e = assertThrows<PasarException.Validation> {
                runBlocking { pasar.catalog.create(donat(price = -5)) }
            }
            assertEquals("price_idr", e.field)
            assertEquals("Harga minimal 1", e.indonesian)
            assertEquals("Price must be at least 1", e.userMessage(english = true))

            val blank = assertThrows<PasarException.Validation> {
                runBlocking { pasar.catalog.update(kept.id, ProductPatch(name = "  ")) }
            }
            assertEquals("name", blank.field)
            assertEquals("Nama produk wajib diisi", blank.userMessage())

            assertThrows<PasarException.NotFound> {
                runBlocking { pasar.catalog.get("0190a3e0-7d2c-7cc0-8000-000000000000") }
            }

            val page = pasar.catalog.page()
            assertEquals(listOf(kept), page.items)
        }
    }

    @Test
    fun `async calls run concurrently and are awaited`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val made = (1..20).map { i -> async { pasar.catalog.create(donat("Produk $i", 1_000L * i)) } }
                .map { it.await() }
            assertEquals(20, made.map { it.id }.toSet().size)
            val updated = pasar.catalog.update(made[0].id, ProductPatch(priceIdr = 1_500))
            assertEquals("Rp1.500", updated.priceLabel)
            assertEquals(made[0].name, updated.name)
        }
    }

    @Test
    fun `pages of records come newest first and end`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val ids = (1..45).map { pasar.catalog.create(donat("Produk $it", 1_000L + it)).id }
            val seen = mutableListOf<String>()
            var cursor: String? = null
            var pages = 0
            do {
                val page = pasar.catalog.page(after = cursor, limit = 20)
                seen += page.items.map { it.id }
                cursor = page.nextCursor
                pages++
            } while (cursor != null)
            assertEquals(3, pages)
            assertEquals(ids.reversed(), seen)
        }
    }

    @Test
    fun `the events flow delivers changes in order and stops when collection ends`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val heard = Channel<CatalogEvent>(Channel.UNLIMITED)
            val collector = launch(Dispatchers.Default) {
                pasar.catalog.events().collect { heard.send(it) }
            }
            // The listener registers asynchronously: write until it hears the first change.
            withTimeout(10_000) {
                while (true) {
                    pasar.catalog.create(donat("Pemanasan"))
                    val first = withTimeoutOrNull(100) { heard.receive() } ?: continue
                    assertEquals("Pemanasan", (first as CatalogEvent.ProductSaved).product.name)
                    break
                }
            }
            while (heard.tryReceive().isSuccess) { /* drain warm-up events */ }
            val p = pasar.catalog.create(donat())
            pasar.catalog.update(p.id, ProductPatch(priceIdr = 27_000))
            val got = withTimeout(10_000) {
                List(2) { (heard.receive() as CatalogEvent.ProductSaved).product.priceIdr }
            }
            assertEquals(listOf(25_000L, 27_000L), got)

            collector.cancelAndJoin()
            pasar.catalog.create(donat("Setelah berhenti"))
            delay(200)
            assertTrue(heard.tryReceive().isFailure, "no event after the flow was cancelled")
        }
    }

    @Test
    fun `a cancelled listener hears nothing more`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val heard = CopyOnWriteArrayList<String>()
            val ffiCatalog = id.pasar.ffi.Pasar.open(dir.absolutePath).use { raw ->
                val handle = raw.catalog().observe(object : id.pasar.ffi.CatalogListener {
                    override fun onEvent(event: CatalogEvent) {
                        heard += (event as CatalogEvent.ProductSaved).product.name
                    }
                })
                raw.catalog().createProduct(donat("Satu"))
                raw.catalog().createProduct(donat("Dua"))
                handle.cancel()
                handle.close()
                raw.catalog().createProduct(donat("Tiga"))
                raw.catalog().listProducts(null, 0u)
            }
            assertEquals(listOf("Satu", "Dua"), heard.toList())
            assertEquals(3, ffiCatalog.items.size)
            assertNull(ffiCatalog.nextCursor)
            // The other handle on the same store sees the same products.
            assertEquals(3, pasar.catalog.page().items.size)
        }
    }

    @Test
    fun `money and phone helpers speak Indonesian`() {
        assertEquals("Rp1.500.000", formatRupiah(1_500_000))
        assertEquals("+6281234567890", normalizePhone("0812-3456-7890"))
        val e = assertThrows<PasarException.Validation> { normalizePhone("0812") }
        assertEquals("phone", e.field)
        assertTrue(e.indonesian.contains("terlalu pendek"))
        assertTrue(Pasar.coreVersion.isNotBlank())
    }
}
