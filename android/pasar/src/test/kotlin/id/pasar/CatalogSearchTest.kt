// Photos, search, import and export from Kotlin, against the real core through JNA:
// what the catalog issue calls done, the way an app would do it.
package id.pasar

import id.pasar.ffi.CatalogFileFormat
import id.pasar.ffi.NewAccount
import id.pasar.ffi.NewProduct
import id.pasar.ffi.NewVariant
import id.pasar.ffi.PasarException
import id.pasar.ffi.Product
import id.pasar.ffi.SearchQuery
import id.pasar.ffi.SearchResults
import id.pasar.ffi.SearchSort
import id.pasar.ffi.Stock
import id.pasar.ffi.VariantOption
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.random.Random

/** The phone photo of `tests/fixtures` (Maven runs in `android/`). */
internal fun phonePhoto(): ByteArray {
    val base = File(System.getProperty("basedir") ?: ".")
    return File(base, "../tests/fixtures/phone-gps.jpg").readBytes()
}

/** What a phone writes into a photo and a listing must never carry. */
private val secrets = listOf("GPS", "Exif", "xmpmeta", "rumah Ibu Sari", "Xiaomi")

private fun ByteArray.contains(needle: String): Boolean {
    val n = needle.toByteArray()
    return (0..size - n.size).any { i -> n.indices.all { this[i + it] == n[it] } }
}

/** Donat Cokelat Lumer, Topping (Keju, Meses) × Isi (6, 12); Meses/12 costs 45rb. */
internal fun donatLumer(seller: String, photos: List<String> = listOf()) = NewProduct(
    sellerId = seller,
    name = "Donat Cokelat Lumer",
    description = "Donat empuk, cokelat lumer di dalam",
    price = "25rb",
    stock = Stock.Limited(30),
    category = "Kue",
    options = listOf(
        VariantOption(name = "Topping", values = listOf("Keju", "Meses")),
        VariantOption(name = "Isi", values = listOf("6", "12")),
    ),
    variants = listOf(NewVariant(values = listOf("meses", "12"), price = "45rb")),
    photos = photos,
)

class CatalogSearchTest {
    @TempDir
    lateinit var dir: File

    @Test
    fun `a seller lists a phone photo without its metadata and buyers find the product as they type`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val seller = pasar.seller()
            val photo = pasar.catalog.addPhoto(phonePhoto())
            assertEquals(240u to 320u, photo.width to photo.height, "upright: EXIF orientation 6 applied")
            assertEquals("image/jpeg", photo.mime)
            assertTrue(photo.blurhash.isNotEmpty())
            val file = pasar.photoFile(photo)
            assertTrue(file.isFile, "$file")
            assertEquals(File(pasar.dataDir, photo.file), file)
            assertTrue(pasar.photoFile(photo, thumbnail = true).isFile)
            val stored = file.readBytes()
            for (secret in secrets) assertFalse(stored.contains(secret), "$secret leaked")
            assertEquals(listOf(photo), pasar.catalog.pendingPhotoUploads())
            assertEquals(photo, pasar.catalog.addPhoto(phonePhoto()), "the same photo is stored once")
            assertEquals(listOf(photo), pasar.catalog.pendingPhotoUploads(), "and queued once")

            val donat = pasar.catalog.create(donatLumer(seller, photos = listOf(photo.hash)))
            assertEquals(listOf(photo), donat.photos)
            assertEquals(25_000L, donat.priceIdr)
            assertEquals("Rp25.000 – Rp45.000", donat.priceRangeLabel)
            assertEquals(
                listOf(listOf("Keju", "6"), listOf("Keju", "12"), listOf("Meses", "6"), listOf("Meses", "12")),
                donat.variants.map { it.values },
            )
            assertEquals(listOf(25_000L, 25_000L, 25_000L, 45_000L), donat.variants.map { it.priceIdr })
            // Other products that share words, so "first" means something.
            for (name in listOf("Donat Keju", "Kue Cokelat Kukus", "Brownies Coklat", "Roti Sobek Cokelat")) {
                pasar.catalog.create(donat(seller, name))
            }

            val exact = pasar.catalog.search("donat cokelat")
            assertEquals(donat.id, exact.items.first().id, "${exact.items.map { it.name }}")
            assertEquals(donat, exact.items.first(), "results are whole products, photos included")
            val typed = pasar.catalog.search(SearchQuery(text = "dnt coklat"))
            assertEquals(donat.id, typed.items.first().id, "${typed.items.map { it.name }}")
            assertEquals("donat coklat", typed.understood)
            assertNotNull(typed.total)
        }
    }

    @Test
    fun `filtered search results page to the end without repeats`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val rina = pasar.seller()
            val sari = pasar.accounts.save(NewAccount(name = "Bu Sari")).id
            val group = pasar.groups.create("Pasar Ibu-ibu Sidoarjo", adminId = rina).id
            pasar.groups.addMember(group, sari)
            val flavours = listOf("Keju", "Coklat", "Meses", "Gula")
            val made = (0 until 25).map { i ->
                val name = if (i % 5 == 4) "Kue Lapis $i" else "Donat ${flavours[i % 4]} $i"
                pasar.catalog.create(
                    NewProduct(
                        sellerId = if (i % 2 == 0) rina else sari,
                        name = name,
                        price = "${10 + (i * 7) % 20}rb", // repeats: ties on price
                        stock = Stock.Unlimited,
                        category = if (i % 3 == 0) "Kue" else "Jajanan",
                        groupIds = if (i % 2 == 0 || i % 3 == 0) listOf(group) else listOf(),
                    ),
                )
            }
            val expected = made.filter { it.name.startsWith("Donat") && group in it.groupIds && it.priceIdr <= 25_000 }
            assertEquals(12, expected.size, "three pages of 5, 5 and 2")

            val query = SearchQuery(
                text = "donat",
                groupId = group,
                maxPriceIdr = 25_000,
                sort = SearchSort.PRICE_LOW_HIGH,
                limit = 5u,
            )
            val pages = mutableListOf<SearchResults>()
            var cursor: String? = null
            do {
                val page = pasar.catalog.search(query.copy(after = cursor))
                pages += page
                cursor = page.nextCursor
            } while (cursor != null && pages.size < 100)
            assertNull(cursor, "paging ends")
            checkPages(pages, limit = 5, expected = expected) { it.priceIdr <= 25_000 && group in it.groupIds }
            assertTrue(pages.all { it.total == expected.size.toUInt() })
            // The flow follows the cursors the same way (each search is a fresh result
            // list, so the cursors themselves differ).
            val ids = { results: List<SearchResults> -> results.map { page -> page.items.map { it.id } } }
            assertEquals(ids(pages), ids(pasar.catalog.searchPages(query).toList()))
            assertEquals(ids(pages.take(1)), ids(listOf(pasar.catalog.searchPages(query).first())))
            assertEquals(2, pasar.catalog.searchPages(query).take(2).toList().size)

            // Browsing (no words) pages by keyset: category and seller, dearest first.
            val browsed = pasar.catalog.searchPages(
                SearchQuery(category = "kue", sellerId = rina, sort = SearchSort.PRICE_HIGH_LOW, limit = 3u),
            ).toList()
            val kue = made.filter { it.category == "Kue" && it.sellerId == rina }
            checkPages(browsed, limit = 3, expected = kue, ascending = false) { it.category == "Kue" }
            assertTrue(browsed.all { it.total == null && it.understood.isEmpty() })
        }
    }

    private fun checkPages(
        pages: List<SearchResults>,
        limit: Int,
        expected: List<Product>,
        ascending: Boolean = true,
        filter: (Product) -> Boolean,
    ) {
        assertTrue(pages.all { it.items.size <= limit }, "${pages.map { it.items.size }}")
        val items = pages.flatMap { it.items }
        assertEquals(items.size, items.map { it.id }.toSet().size, "no product twice")
        assertTrue(items.all(filter), "${items.filterNot(filter).map { it.name }}")
        val prices = items.map { it.priceIdr }
        assertEquals(if (ascending) prices.sorted() else prices.sortedDescending(), prices)
        assertEquals(expected.map { it.id }.toSet(), items.map { it.id }.toSet())
        assertEquals(expected.size, items.size)
    }

    @Test
    fun `a corrupt photo is refused naming the photo and nothing saved is lost`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val seller = pasar.seller()
            val bytes = phonePhoto()
            val photo = pasar.catalog.addPhoto(bytes)
            val product = pasar.catalog.create(donatLumer(seller, photos = listOf(photo.hash)))
            val stored = pasar.photoFile(photo).readBytes()
            val folder = pasar.photoFile(photo).parentFile.list()!!.sorted()

            val truncated = bytes.copyOf(bytes.size / 3)
            val noise = Random(7).nextBytes(4096)
            for (bad in listOf(truncated, noise, ByteArray(0))) {
                val e = assertThrows<PasarException.Validation> { runBlocking { pasar.catalog.addPhoto(bad) } }
                assertEquals("photo", e.field)
                assertTrue(e.userMessage().lowercase().contains("foto"), e.indonesian)
                assertTrue(e.userMessage(english = true).isNotBlank())
            }

            assertEquals(product, pasar.catalog.get(product.id))
            assertEquals(listOf(photo), pasar.catalog.pendingPhotoUploads())
            assertArrayEquals(stored, pasar.photoFile(photo).readBytes())
            assertEquals(folder, pasar.photoFile(photo).parentFile.list()!!.sorted(), "no half-written files")
            assertEquals(listOf(product), pasar.catalog.search("donat").items)
        }
    }

    @Test
    fun `hostile search strings are only words`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val donat = pasar.catalog.create(donatLumer(pasar.seller()))
            for (hostile in listOf(
                "\" OR 1=1 --", "NEAR(a b)*", "'; DROP TABLE products; --", "donat\" OR \"1\"=\"1",
                "*", "\"", "name:donat", "^donat", "()", "\u0000", "🍩🍩", "donat ".repeat(500),
            )) {
                val r = pasar.catalog.search(hostile)
                assertTrue(r.items.all { it.id == donat.id }, hostile)
                pasar.catalog.search(hostile, groupId = null, sort = SearchSort.PRICE_LOW_HIGH, limit = 5)
            }
            assertEquals(listOf(donat), pasar.catalog.search("donat").items)
            assertEquals(listOf(donat), pasar.catalog.page().items, "the products are all still there")

            val badCursor = assertThrows<PasarException.Validation> {
                runBlocking { pasar.catalog.search("donat", after = "' OR 1=1 --") }
            }
            assertEquals("cursor", badCursor.field)
        }
    }

    @Test
    fun `a catalog file is imported row by row and exported again`() = runBlocking {
        val json = """
            [
              {"id": "KUE-01", "name": "Kue Lumpur Pandan", "price_idr": "35rb", "unit": "loyang",
               "category": "Kue", "variants": {"ukuran": ["kecil", "besar"]}},
              {"id": "KUE-02", "name": "Kue Rusak", "price_idr": "murah", "unit": "pcs"},
              {"id": "KUE-03", "name": "Onde-onde Wijen", "price_idr": 15000, "unit": "pcs", "stock": 20}
            ]
        """.trimIndent().toByteArray()
        val exported = Pasar.open(dir).use { pasar ->
            val seller = pasar.seller()
            val report = pasar.catalog.importCatalog(json, CatalogFileFormat.JSON, defaultSellerId = seller)
            assertEquals(2u, report.created)
            assertEquals(0u, report.updated)
            assertEquals(1, report.errors.size, "${report.errors}")
            val bad = report.errors.single()
            assertEquals(2u, bad.row)
            assertEquals("KUE-02", bad.id)
            assertEquals("price_idr", bad.field, "named as the JSON file names it")
            assertTrue(bad.indonesian.startsWith("Baris 2"), bad.indonesian)
            assertTrue(bad.english.startsWith("Row 2"), bad.english)

            val lumpur = pasar.catalog.search("kue lumpur").items.first()
            assertEquals("Kue Lumpur Pandan", lumpur.name)
            assertEquals(seller, lumpur.sellerId)
            assertEquals(35_000L, lumpur.priceIdr)
            assertEquals(listOf("kecil", "besar"), lumpur.options.single().values)
            assertEquals("Onde-onde Wijen", pasar.catalog.search("wijen").items.first().name)
            assertTrue(pasar.catalog.search("rusak").items.isEmpty(), "the bad row was not saved")

            val again = pasar.catalog.importCatalog(json, CatalogFileFormat.JSON, defaultSellerId = seller)
            assertEquals(0u to 2u, again.created to again.updated, "file ids update, not duplicate")
            assertEquals(2, pasar.catalog.page().items.size)

            val unreadable = assertThrows<PasarException.Validation> {
                runBlocking { pasar.catalog.importCatalog("{not json".toByteArray(), CatalogFileFormat.JSON, seller) }
            }
            assertEquals("file", unreadable.field)

            pasar.catalog.exportCatalog()
        }
        assertTrue(exported.trimStart().startsWith("["), exported)
        for (name in listOf("Kue Lumpur Pandan", "Onde-onde Wijen", "KUE-01", "Dapur Bu Rina")) {
            assertTrue(exported.contains(name), "$name in $exported")
        }
        assertFalse(exported.contains("Kue Rusak"))

        // The export is a catalog file: another phone imports it (sellers by name).
        Pasar.open(File(dir, "other")).use { other ->
            val report = other.catalog.importCatalog(exported.toByteArray(), CatalogFileFormat.JSON)
            assertEquals(2u, report.created, "${report.errors}")
            assertTrue(report.errors.isEmpty())
            assertEquals("Kue Lumpur Pandan", other.catalog.search("lumpur pandan").items.first().name)
        }
    }
}
