// Chat orders from Kotlin, against the real core: an admin pastes a WhatsApp message and
// gets a draft matched to the market's catalog with spans; imports an export and gets
// every buyer's order and the rekap.
package id.pasar

import id.pasar.ffi.ChatIntent
import id.pasar.ffi.ChatMatch
import id.pasar.ffi.ChatPayment
import id.pasar.ffi.ChatScope
import id.pasar.ffi.DraftItem
import id.pasar.ffi.NewAccount
import id.pasar.ffi.NewProduct
import id.pasar.ffi.PasarException
import id.pasar.ffi.Stock
import id.pasar.ffi.VariantChoice
import id.pasar.ffi.VariantOption
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File

/** A market with two donuts (so "donat" alone is ambiguous), brownies and eggs per kg. */
internal suspend fun Pasar.chatMarket(): Pair<String, Map<String, String>> {
    val rina = seller()
    val group = groups.create("Pasar Warga RT 05", adminId = rina)
    fun product(name: String, price: String, unit: String, options: List<VariantOption> = listOf()) =
        NewProduct(sellerId = rina, name = name, price = price, unit = unit, stock = Stock.Unlimited,
            options = options, groupIds = listOf(group.id))
    val ids = mapOf(
        "donat" to catalog.create(product("Donat Kentang", "3rb", "pcs",
            listOf(VariantOption("Rasa", listOf("Coklat", "Keju"))))).id,
        "bomboloni" to catalog.create(product("Donat Bomboloni", "5rb", "pcs")).id,
        "brownies" to catalog.create(product("Brownies Panggang", "45rb", "loyang")).id,
        "telur" to catalog.create(product("Telur Ayam", "28rb", "kg")).id,
    )
    return group.id to ids
}

class ChatOrdersTest {
    @TempDir
    lateinit var dir: File

    @Test
    fun `a pasted message becomes a draft matched to the catalog with spans`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val (group, ids) = pasar.chatMarket()
            val scope = ChatScope.Group(group)
            val text = "kak pesen dnt kentang keju 1 lusin 🍩 sm brownies 2 ya, kirim ke Jl. Melati 5 Sidoarjo, wa 0812-3456-7890, cod"
            val draft = pasar.chat.read(scope, text)
            assertEquals(ChatIntent.ORDER, draft.intent)
            assertEquals(2, draft.lines.size)
            val donat = draft.lines[0].matched as ChatMatch.Product
            assertEquals(ids["donat"], donat.productId)
            assertEquals("Donat Kentang", donat.name)
            assertEquals(listOf(VariantChoice("Rasa", "Keju")), donat.variant)
            assertEquals(12_000L, draft.lines[0].quantityMilli, "1 lusin of a per-piece product is 12")
            // Spans are UTF-16, like Kotlin strings: the emoji before "sm" does not shift them.
            assertEquals("1 lusin", draft.lines[0].quantitySpan!!.of(text))
            assertEquals("brownies 2", draft.lines[1].span.of(text))
            assertEquals(ids["brownies"], (draft.lines[1].matched as ChatMatch.Product).productId)
            assertEquals("Jl. Melati 5 Sidoarjo", draft.address!!.value)
            assertEquals("Jl. Melati 5 Sidoarjo", draft.address!!.span.of(text))
            assertEquals("+6281234567890", draft.phone!!.value)
            assertEquals(ChatPayment.COD, draft.payment)
            assertTrue(draft.confidence > 0.5f, "a clear message is read with confidence")

            // "donat" alone fits two products: ambiguous, never guessed.
            val unsure = pasar.chat.read(scope, "donat 2 ya kak")
            val amb = unsure.lines.single().matched as ChatMatch.Ambiguous
            assertEquals(setOf(ids["donat"], ids["bomboloni"]), amb.candidates.map { it.productId }.toSet())
            assertTrue(unsure.confidence < 0.5f)
            // It is not in the draft's cart items: the admin settles it.
            assertTrue(unsure.items.isEmpty())
            assertEquals(listOf(0u), unsure.unsettled)

            // The core's cart items: the matched lines, "brownies" without a number counts one.
            val plain = pasar.chat.read(scope, "pesen dnt kentang keju 6 sm brownies ya kak")
            assertEquals(
                listOf(DraftItem(ids["donat"]!!, listOf(VariantChoice("Rasa", "Keju")), 6_000L, ""), DraftItem(ids["brownies"]!!, listOf(), 1_000L, "")),
                plain.items,
            )
            assertTrue(plain.unsettled.isEmpty())

            // One tap: the matched lines go into the cart.
            assertEquals(draft.lines.size, draft.items.size)
            val lines = pasar.chat.addToCart(draft.items)
            assertEquals(listOf(12_000L, 2_000L), lines.map { it.quantityMilli })
            val before = pasar.cart.lines()
            assertEquals(2, before.size)

            // A line that cannot go in stops them all: nothing half-added, and the error
            // names the line. Brownies would go in; 1,5 bomboloni cannot (sold per piece).
            val half = assertThrows<PasarException.Validation> {
                runBlocking {
                    pasar.chat.addToCart(listOf(
                        DraftItem(ids["brownies"]!!, listOf(), 1_000L, ""),
                        DraftItem(ids["bomboloni"]!!, listOf(), 1_500L, ""),
                    ))
                }
            }
            assertEquals("quantity", half.field)
            assertTrue(half.indonesian.startsWith("Baris 2 (Donat Bomboloni): "), half.indonesian)
            assertEquals(before, pasar.cart.lines(), "the cart is unchanged")
            val bad = assertThrows<PasarException.Validation> {
                runBlocking {
                    pasar.chat.addToCart(listOf(
                        DraftItem(ids["telur"]!!, listOf(), 1_500L, ""),
                        DraftItem(ids["donat"]!!, listOf(), 1_000L, ""),
                    ))
                }
            }
            assertEquals("variant", bad.field)
            assertEquals(before, pasar.cart.lines())

            val question = pasar.chat.read(scope, "brp kak brownies? bisa cod?")
            assertEquals(ChatIntent.QUESTION, question.intent)
            assertTrue(question.lines.isEmpty())
        }
    }

    @Test
    fun `an export becomes every buyer's order and the rekap`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val (group, ids) = pasar.chatMarket()
            val export = """
                26/11/24 07.00 - Pesan dan panggilan terenkripsi secara end-to-end. Tidak seorang pun di luar chat ini yang dapat membaca atau mendengarkannya.
                26/11/24 07.05 - Admin Rina: OPEN PO hari ini 🍩
                Donat kentang 3rb
                Brownies panggang 45rb
                Telur 28rb/kg
                26/11/24 07.10 - Bu Sari: kak pesen donat kentang keju 6 sm brownies 1
                26/11/24 07.12 - +62 812-3344-5566: telur 1,5 kg ya, kirim ke Perum Griya Asri C-12
                26/11/24 07.20 - Bu Sari: tambah 1 lagi ya kak
                26/11/24 07.30 - Dewi: donat kentang coklat 3
                26/11/24 07.31 - Dewi: gak jadi semua kak, maaf
                26/11/24 08.00 - Bu Sari: udah tf ya kak 🙏
            """.trimIndent()
            val read = pasar.chat.readExport(ChatScope.Group(group), export.toByteArray(), title = "Pasar Warga")
            assertEquals(listOf("Bu Sari", "+62 812-3344-5566", "Dewi"), read.buyers.map { it.buyer })
            val sari = read.buyers[0]
            assertEquals(
                listOf(ids["donat"] to 6_000L, ids["brownies"] to 2_000L),
                sari.lines.map { it.productId to it.quantityMilli },
                "tambah 1 lagi goes to her last line",
            )
            assertTrue(sari.paid)
            assertEquals(6 * 3_000L + 2 * 45_000L, sari.totalIdr)
            assertEquals(42_000L, read.buyers[1].totalIdr, "1,5 kg × Rp28.000")
            assertTrue(read.buyers[2].cancelled)
            assertEquals(108_000L + 42_000L, read.totalIdr)
            assertTrue(read.rekapText.startsWith("*REKAP PESANAN — Pasar Warga*"), read.rekapText)
            assertTrue(read.rekapText.contains("*1. Bu Sari*"), read.rekapText)
            assertTrue(read.rekapText.contains("Donat Kentang (Keju) × 6 pcs = Rp18.000"), read.rekapText)
            assertEquals(4, read.rekapCsv.trim().lines().size, read.rekapCsv)
            assertEquals(1u, read.tally.announcements)
        }
    }
}
