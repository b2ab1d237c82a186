// The catalog from Kotlin on the JVM, against the real core through JNA.
package id.pasar

import id.pasar.ffi.CatalogEvent
import id.pasar.ffi.NewAccount
import id.pasar.ffi.NewProduct
import id.pasar.ffi.NewVariant
import id.pasar.ffi.PasarException
import id.pasar.ffi.ProductPatch
import id.pasar.ffi.Stock
import id.pasar.ffi.VariantOption
import id.pasar.ffi.VariantsInput
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
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.util.concurrent.CopyOnWriteArrayList

/** A seller to list products for: every product has one. */
internal suspend fun Pasar.seller(name: String = "Dapur Bu Rina"): String =
    accounts.save(NewAccount(name = name, phone = "0812-3456-7890")).id

internal fun donat(seller: String, name: String = "Donat coklat", price: String = "25rb") =
    NewProduct(sellerId = seller, name = name, description = "isi 6", price = price, stock = Stock.Limited(12))

/** Kaos in Warna (Merah, Biru) × Ukuran (M, L); Biru/L costs more and has its own stock. */
internal fun kaos(seller: String, overrideValues: List<String> = listOf("biru", "l")) = NewProduct(
    sellerId = seller,
    name = "Kaos polos",
    price = "25rb",
    unit = "Pcs",
    stock = Stock.Limited(10),
    category = "Pakaian",
    preorderDays = 3u,
    options = listOf(
        VariantOption(name = "Warna", values = listOf("Merah", "Biru")),
        VariantOption(name = "Ukuran", values = listOf("M", "L")),
    ),
    variants = listOf(
        NewVariant(values = overrideValues, price = "30rb", stock = Stock.Limited(2), sku = "KAOS-B-L"),
    ),
)

class CatalogTest {
    @TempDir
    lateinit var dir: File

    @Test
    fun `a product with typed prices and variants survives closing and reopening the store`() = runBlocking {
        val created = Pasar.open(dir).use { pasar -> pasar.catalog.create(kaos(pasar.seller())) }
        assertEquals(25_000L, created.priceIdr)
        assertEquals("Rp25.000", created.priceLabel)
        assertEquals("Rp25.000 – Rp30.000", created.priceRangeLabel)
        assertEquals("pcs", created.unit)
        assertEquals(3u, created.preorderDays)
        assertEquals("Pakaian", created.category)
        assertTrue(created.inStock)
        assertEquals(
            listOf(listOf("Merah", "M"), listOf("Merah", "L"), listOf("Biru", "M"), listOf("Biru", "L")),
            created.variants.map { it.values },
        )
        val biruL = created.variants.last()
        assertEquals(30_000L, biruL.priceIdr)
        assertEquals("Rp30.000", biruL.priceLabel)
        assertTrue(biruL.ownPrice)
        assertEquals(Stock.Limited(2), biruL.stock)
        assertEquals("KAOS-B-L", biruL.sku)
        val merahM = created.variants.first()
        assertEquals(25_000L, merahM.priceIdr)
        assertFalse(merahM.ownPrice)
        assertNull(merahM.stock, "shares the product's stock")
        assertEquals(4, created.variants.map { it.id }.toSet().size)

        Pasar.open(dir).use { pasar ->
            assertEquals(created, pasar.catalog.get(created.id))
        }
    }

    @Test
    fun `bad input is a typed error in Indonesian and nothing saved is lost`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val seller = pasar.seller()
            val kept = pasar.catalog.create(kaos(seller))
            suspend fun nothingLost() {
                assertEquals(listOf(kept), pasar.catalog.page().items)
                assertEquals(kept, pasar.catalog.get(kept.id))
            }

            val murah = assertThrows<PasarException.Validation> {
                runBlocking { pasar.catalog.create(donat(seller, price = "murah")) }
            }
            assertEquals("price", murah.field)
            assertEquals("Harga tidak terbaca. Tulis seperti 25000, 25rb atau Rp25.000", murah.indonesian)
            assertEquals("Price cannot be read. Write it like 25000, 25rb or Rp25.000", murah.userMessage(english = true))
            nothingLost()

            val zero = assertThrows<PasarException.Validation> {
                runBlocking { pasar.catalog.create(donat(seller, price = "0")) }
            }
            assertEquals("price", zero.field)
            assertEquals("Harga minimal 1", zero.userMessage())
            nothingLost()

            val combination = assertThrows<PasarException.Validation> {
                runBlocking { pasar.catalog.create(kaos(seller, overrideValues = listOf("Hijau", "M"))) }
            }
            assertEquals("variants", combination.field)
            assertEquals("Varian tidak valid", combination.indonesian)
            nothingLost()

            val nobody = assertThrows<PasarException.NotFound> {
                runBlocking { pasar.catalog.create(donat("0190a3e0-7d2c-7cc0-8000-0000000000ff")) }
            }
            assertEquals("Penjual tidak ditemukan", nobody.userMessage())
            nothingLost()

            val blank = assertThrows<PasarException.Validation> {
                runBlocking { pasar.catalog.update(kept.id, ProductPatch(name = "  ")) }
            }
            assertEquals("name", blank.field)
            assertEquals("Nama produk wajib diisi", blank.userMessage())
            val badPatch = assertThrows<PasarException.Validation> {
                runBlocking { pasar.catalog.update(kept.id, ProductPatch(price = "nego")) }
            }
            assertEquals("price", badPatch.field)
            nothingLost()

            assertThrows<PasarException.NotFound> {
                runBlocking { pasar.catalog.get("0190a3e0-7d2c-7cc0-8000-000000000000") }
            }
            nothingLost()
        }
    }

    @Test
    fun `a patch changes what it names and clears with 0 and empty text`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val p = pasar.catalog.create(kaos(pasar.seller()))
            val biruL = p.variants.last().id

            val ready = pasar.catalog.update(p.id, ProductPatch(preorderDays = 0u, category = "", price = "Rp 27.500"))
            assertNull(ready.preorderDays)
            assertNull(ready.category)
            assertEquals("Rp27.500", ready.priceLabel)
            assertEquals("Rp27.500 – Rp30.000", ready.priceRangeLabel)
            assertEquals(p.name, ready.name)

            val fewer = pasar.catalog.update(
                p.id,
                ProductPatch(
                    variants = VariantsInput(
                        options = listOf(
                            VariantOption("Warna", listOf("Biru", "Hitam")),
                            VariantOption("Ukuran", listOf("L")),
                        ),
                    ),
                ),
            )
            assertEquals(listOf(listOf("Biru", "L"), listOf("Hitam", "L")), fewer.variants.map { it.values })
            assertEquals(biruL, fewer.variants.first().id, "a surviving combination keeps its id")
            assertEquals("Rp27.500", fewer.priceRangeLabel)

            val plain = pasar.catalog.update(p.id, ProductPatch(variants = VariantsInput(options = listOf())))
            assertTrue(plain.options.isEmpty() && plain.variants.isEmpty())
            val soldOut = pasar.catalog.update(p.id, ProductPatch(stock = Stock.Limited(0)))
            assertFalse(soldOut.inStock)
        }
    }

    @Test
    fun `async calls run concurrently and are awaited`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val seller = pasar.seller()
            val made = (1..20).map { i -> async { pasar.catalog.create(donat(seller, "Produk $i", "${i}rb")) } }
                .map { it.await() }
            assertEquals(20, made.map { it.id }.toSet().size)
            assertEquals((1..20).map { 1_000L * it }, made.map { it.priceIdr })
            val updated = pasar.catalog.update(made[0].id, ProductPatch(price = "1.500"))
            assertEquals("Rp1.500", updated.priceLabel)
            assertEquals(made[0].name, updated.name)
        }
    }

    @Test
    fun `pages of records come newest first and end`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val seller = pasar.seller()
            val ids = (1..45).map { pasar.catalog.create(donat(seller, "Produk $it", "${1_000 + it}")).id }
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
            val seller = pasar.seller()
            val heard = Channel<CatalogEvent>(Channel.UNLIMITED)
            val collector = launch(Dispatchers.Default) {
                pasar.catalog.events().collect { heard.send(it) }
            }
            // The listener registers asynchronously: write until it hears the first change.
            withTimeout(10_000) {
                while (true) {
                    pasar.catalog.create(donat(seller, "Pemanasan"))
                    val first = withTimeoutOrNull(100) { heard.receive() } ?: continue
                    assertEquals("Pemanasan", (first as CatalogEvent.ProductSaved).product.name)
                    break
                }
            }
            while (heard.tryReceive().isSuccess) { /* drain warm-up events */ }
            val p = pasar.catalog.create(donat(seller))
            pasar.catalog.update(p.id, ProductPatch(price = "27rb"))
            val got = withTimeout(10_000) {
                List(2) { (heard.receive() as CatalogEvent.ProductSaved).product.priceIdr }
            }
            assertEquals(listOf(25_000L, 27_000L), got)

            collector.cancelAndJoin()
            pasar.catalog.create(donat(seller, "Setelah berhenti"))
            delay(200)
            assertTrue(heard.tryReceive().isFailure, "no event after the flow was cancelled")
        }
    }

    @Test
    fun `a cancelled listener hears nothing more`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val seller = pasar.seller()
            val heard = CopyOnWriteArrayList<String>()
            val ffiCatalog = id.pasar.ffi.Pasar.open(dir.absolutePath).use { raw ->
                val handle = raw.catalog().observe(object : id.pasar.ffi.CatalogListener {
                    override fun onEvent(event: CatalogEvent) {
                        heard += (event as CatalogEvent.ProductSaved).product.name
                    }
                })
                raw.catalog().createProduct(donat(seller, "Satu"))
                raw.catalog().createProduct(donat(seller, "Dua"))
                handle.cancel()
                handle.close()
                raw.catalog().createProduct(donat(seller, "Tiga"))
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
        assertEquals(1_500_000L, parseRupiah("Rp 1,5 jt"))
        assertEquals(25_000L, parseRupiah("25rb"))
        assertEquals(25_000L, parseRupiah("Rp25.000,-"))
        val price = assertThrows<PasarException.Validation> { parseRupiah("murah") }
        assertEquals("price", price.field)
        assertTrue(price.indonesian.startsWith("Harga tidak terbaca"))
        assertEquals("+6281234567890", normalizePhone("0812-3456-7890"))
        val e = assertThrows<PasarException.Validation> { normalizePhone("0812") }
        assertEquals("phone", e.field)
        assertTrue(e.indonesian.contains("terlalu pendek"))
        assertTrue(Pasar.coreVersion.isNotBlank())
    }
}
