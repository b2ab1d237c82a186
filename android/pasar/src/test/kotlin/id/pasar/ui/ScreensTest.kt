// The view models on one phone, offline: what each screen shows when the core reads,
// refuses or changes something.
package id.pasar.ui

import id.pasar.MemoryTokenStore
import id.pasar.Pasar
import id.pasar.donat
import id.pasar.ffi.OrderMove
import id.pasar.ffi.PaymentMethod
import id.pasar.ffi.ProductPatch
import id.pasar.kaos
import id.pasar.seller
import id.pasar.sync
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File

class ScreensTest {
    @TempDir
    lateinit var dir: File

    @Test
    fun `the catalog pages to the end and the product screen asks for the variant`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val rina = pasar.seller()
            for (i in 1..5) pasar.catalog.create(donat(rina, name = "Donat rasa $i"))
            val kaos = pasar.catalog.create(kaos(rina))

            val catalog = CatalogViewModel(pasar.catalog, pageSize = 2)
            catalog.search("dnt")
            assertEquals(2, catalog.state.value.products.size)
            assertEquals(5, catalog.state.value.total)
            assertEquals("donat", catalog.state.value.understood)
            assertTrue(catalog.state.value.hasMore)
            catalog.loadMore()
            catalog.loadMore()
            assertEquals((1..5).map { "Donat rasa $it" }.toSet(), catalog.state.value.products.map { it.name }.toSet())
            assertFalse(catalog.state.value.hasMore)

            val detail = ProductDetailViewModel(pasar, kaos.id)
            detail.load()
            assertEquals("Rp25.000 – Rp30.000", detail.state.value.product?.priceRangeLabel)
            // A product with variants needs one picked: the core says which field.
            assertNull(detail.addToCart())
            assertEquals("variant_id", detail.state.value.error?.field)
            val biruL = kaos.variants.first { it.values == listOf("Biru", "L") }
            detail.chooseVariant(biruL.id)
            assertEquals("Rp30.000", detail.state.value.variant?.priceLabel)
            val line = detail.addToCart()
            assertEquals(biruL.id, line?.variantId)
            assertNull(detail.state.value.error)
        }
    }

    @Test
    fun `a changed price stops checkout until the buyer accepts it, and a retried checkout orders once`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            val rina = pasar.seller()
            val sari = pasar.seller("Ibu Sari")
            val product = pasar.catalog.create(donat(rina))
            pasar.cart.add(product.id, quantityMilli = 2_000)
            pasar.catalog.update(product.id, ProductPatch(price = "27rb"))

            val cart = CartViewModel(pasar.cart)
            cart.refresh()
            val item = cart.state.value.cart!!.sellers.single().items.single()
            assertEquals("Harga berubah dari Rp25.000 menjadi Rp27.000", item.stateIndonesian)
            assertFalse(cart.state.value.canCheckout)
            cart.acceptPrice(item.line.id)
            assertTrue(cart.state.value.canCheckout)
            assertEquals("Rp54.000", cart.state.value.cart!!.totalLabel)

            val checkout = CheckoutViewModel(pasar, sari)
            checkout.load()
            checkout.choose(rina, shipping = null, payment = PaymentMethod.Cod)
            // The figures before placing are the order's.
            val quote = checkout.quote()!!.single()
            assertEquals("Rp54.000", quote.totalLabel)
            assertEquals("Rp0", quote.ongkirLabel, "picked up")
            val first = checkout.place()
            assertEquals(quote.totalLabel, first?.single()?.totalLabel)
            assertEquals(listOf("Dikemas"), first?.map { it.statusLabel })
            // A double tap: the same checkout id, the same order.
            assertEquals(first, checkout.place())
            cart.refresh()
            assertTrue(cart.state.value.cart!!.sellers.isEmpty(), "the ordered lines left the cart")

            // The buttons each side sees: a COD order has no payment to confirm; a
            // pick-up order is made ready, not shipped.
            val placed = first!!.single()
            val selling = SellerOrdersViewModel(pasar.orders, rina)
            assertEquals(listOf(OrderMove.READY_FOR_PICKUP, OrderMove.CANCEL), selling.moves(placed))

            // The buyer's list, and a move the core refuses: a COD order being packed may
            // still be cancelled by its buyer, but not completed (so it is not offered).
            val orders = OrdersViewModel(pasar.orders, sari)
            orders.refresh()
            assertEquals(listOf(OrderMove.CANCEL), orders.moves(orders.state.value.orders.single()))
            assertNull(orders.complete(first.single().id))
            assertNotNull(orders.state.value.error)
            assertEquals("Dikemas", orders.state.value.orders.single().statusLabel)
            assertEquals("Dibatalkan", orders.cancel(first.single().id, "salah pesan")?.statusLabel)
            assertEquals("Dibatalkan", orders.state.value.orders.single().statusLabel)
            assertTrue(orders.moves(orders.state.value.orders.single()).isEmpty(), "a cancelled order has none")
        }
    }

    @Test
    fun `a push that is not ours is refused and shows nothing`() = runBlocking {
        Pasar.open(dir).use { pasar ->
            pasar.sync("http://127.0.0.1:9", MemoryTokenStore()).use { sync ->
                val notices = NotificationsViewModel(sync)
                val posted = notices.onPush(mapOf("t" to "order", "o" to "../x", "s" to "shipped", "v" to "1"))
                assertTrue(posted.isEmpty())
                assertTrue(notices.state.value.notices.isEmpty())
                assertTrue(notices.state.value.error!!.indonesian.isNotBlank(), "${notices.state.value.error}")
            }
        }
    }
}
