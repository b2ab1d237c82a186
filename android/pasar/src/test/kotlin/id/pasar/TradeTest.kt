// Selling through others, from Kotlin, with phones and a real pasar-server process: a
// promoter's link brings a buyer whose order earns her the seller's commission; a
// reseller's listing sells a supplier's stock, and the supplier ships it with the
// reseller as the sender; a warehouse holding a seller's stock packs and ships its
// orders, and the buyer hears of each step (the sync's notices, and the push).
package id.pasar

import id.pasar.ffi.CheckoutRequest
import id.pasar.ffi.CodeState
import id.pasar.ffi.CommissionRule
import id.pasar.ffi.Courier
import id.pasar.ffi.MarketGroup
import id.pasar.ffi.NewAccount
import id.pasar.ffi.NewProduct
import id.pasar.ffi.Order
import id.pasar.ffi.OrderAction
import id.pasar.ffi.OrderMove
import id.pasar.ffi.OrderStatus
import id.pasar.ffi.PartnerStock
import id.pasar.ffi.PasarException
import id.pasar.ffi.PaymentMethod
import id.pasar.ffi.Product
import id.pasar.ffi.PushPlatform
import id.pasar.ffi.Rate
import id.pasar.ffi.ResaleTerms
import id.pasar.ffi.SellerChoice
import id.pasar.ffi.Shipping
import id.pasar.ffi.Stock
import id.pasar.ffi.SyncReport
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.time.Duration.Companion.seconds

class TradeTest {
    @TempDir
    lateinit var dir: File

    private suspend fun ServerProcess.phone(name: String, number: String, e164: String) =
        phone(File(dir, "$name-$e164"), name, number, e164)

    /** One sync round that finished, with nothing refused. */
    private suspend fun Sync.round(): SyncReport {
        val report = sync(30.seconds)
        assertTrue(report.complete, "$report")
        assertEquals(0uL, report.rejected) { "$report ${runBlocking { rejections() }}" }
        return report
    }

    /** A market group made on [owner]'s phone with the [numbers] as members, offline. */
    private suspend fun market(pasar: Pasar, owner: String, vararg numbers: String): MarketGroup {
        val group = pasar.groups.create("Pasar Warga Melati", owner)
        numbers.forEachIndexed { i, number ->
            val contact = pasar.accounts.save(NewAccount(name = "Pembeli $i", phone = number))
            pasar.groups.addMember(group.id, contact.id)
        }
        return group
    }

    /** JNE REG to anywhere: Rp10.000 the first kilo, Rp8.000 each next. */
    private suspend fun jneRate(pasar: Pasar, seller: String) = pasar.orders.setRate(
        seller,
        Rate(courier = Courier.JNE, service = "REG", destination = "*", firstKgIdr = 10_000, nextKgIdr = 8_000),
    )

    private suspend fun listed(pasar: Pasar, seller: String, name: String, price: String, stock: Long, group: String): Product =
        pasar.catalog.create(
            NewProduct(
                sellerId = seller,
                name = name,
                price = price,
                unit = "pcs",
                weightGrams = 500u,
                stock = Stock.Limited(stock),
                groupIds = listOf(group),
            ),
        )

    /** The buyer puts [units] in the cart and checks out, COD by JNE REG. */
    private suspend fun order(pasar: Pasar, buyer: String, seller: String, productId: String, units: Long): Order {
        pasar.cart.add(productId, quantityMilli = units * 1_000)
        return pasar.orders.checkout(
            CheckoutRequest(
                checkoutId = Orders.newCheckoutId(),
                buyerId = buyer,
                address = sidoarjo(),
                sellers = listOf(SellerChoice(sellerId = seller, shipping = Shipping(Courier.JNE, "REG"), payment = PaymentMethod.Cod)),
            ),
        ).single()
    }

    private val ship = OrderAction.Ship("JNE REG", "JNE0123456789")

    private fun <T : Any> present(value: T?, what: String = "a value"): T {
        assertNotNull(value, what)
        return value!!
    }

    @Test
    fun `a promoter's link brings an order that earns her 7,5 percent, Rp7_500 on Rp100_000`() = runBlocking {
        ServerProcess().use { server ->
            val (sellerPasar, sellerSync, seller) = server.phone("Dapur Bu Rina", "0813-1111-2222", "+6281311112222")
            val (kiranaPasar, kiranaSync, kirana) = server.phone("Kirana Putri", "0813-4444-5555", "+6281344445555")
            val (buyerPasar, buyerSync, buyer) = server.phone("Ibu Sari", "0812-3333-4444", "+6281233334444")
            val group = market(sellerPasar, seller, "0813-4444-5555", "0812-3333-4444")
            jneRate(sellerPasar, seller)
            val donat = listed(sellerPasar, seller, "Donat kentang coklat", "25rb", 20, group.id)
            val rule = CommissionRule.Percent(750u)
            sellerPasar.promoters.setCommission(rule)
            assertEquals("7,5% dari harga barang", sellerPasar.promoters.describe(rule))
            sellerSync.round()

            // Kirana takes the code her name suggests; it is hers once the server says so.
            kiranaSync.round()
            val promo = kiranaPasar.promoters
            assertNull(promo.myCode())
            assertEquals("KIRANA", promo.suggestCode())
            assertEquals(CodeState.PENDING, promo.claimCode("kirana").state)
            kiranaSync.round()
            assertEquals(CodeState.ACTIVE, promo.myCode()?.state)
            assertEquals("KIRANA", promo.myCode()?.code)
            assertEquals(rule, promo.commissionRule(seller), "the promoter sees the seller's rule")
            val share = promo.shareProduct(donat.id, "https://pasar.app")
            assertEquals("https://pasar.app/p/${donat.id}?ref=KIRANA", share.link)
            assertTrue("Donat kentang coklat" in share.message && "KIRANA" in share.message, share.message)
            assertTrue(share.whatsappUrl.startsWith("https://wa.me/?text="), share.whatsappUrl)

            // The buyer opens the link, then orders four: Rp100.000 of goods.
            buyerSync.round()
            val referral = present(buyerPasar.promoters.openLink(share.link))
            assertEquals("KIRANA", referral.code)
            assertEquals(donat.id, referral.productId)
            assertEquals("KIRANA", buyerPasar.promoters.referralFor(seller))
            val placed = order(buyerPasar, buyer, seller, donat.id, 4)
            assertEquals("Rp100.000", placed.itemsTotalLabel)
            assertEquals("KIRANA", placed.promoter?.code)
            buyerSync.round()
            sellerSync.round()

            // The seller's phone: who brought it, and the commission.
            val promoter = present(sellerPasar.orders.get(placed.id).promoter)
            assertEquals(kirana, promoter.accountId)
            assertEquals("Kirana Putri", promoter.name)
            assertEquals(7_500L, promoter.commissionIdr)
            assertEquals("Rp7.500", promoter.commissionLabel)
            // The buyer's: only the code.
            val toBuyer = present(buyerPasar.orders.get(placed.id).promoter)
            assertEquals("KIRANA", toBuyer.code)
            assertEquals("", toBuyer.accountId)
            assertEquals(0L, toBuyer.commissionIdr)

            // Kirana's phone: the order without the buyer's address, and her month.
            kiranaSync.round()
            val hers = kiranaPasar.orders.promoted(kirana).single()
            assertEquals(placed.id, hers.id)
            assertNull(hers.address, "not who or where")
            assertEquals("Rp7.500", hers.promoter?.commissionLabel)
            val pending = promo.payoutsOfMonth(placed.createdAtMs).single()
            assertEquals("KIRANA", pending.code)
            assertEquals(1u, pending.orders)
            assertEquals("Rp7.500", pending.pendingLabel)
            assertEquals(0L, pending.earnedIdr)

            // Delivered and completed: the commission is earned, on both phones.
            sellerPasar.orders.act(placed.id, seller, ship)
            sellerPasar.orders.act(placed.id, seller, OrderAction.MarkDelivered)
            assertEquals(OrderStatus.COMPLETED, sellerPasar.orders.act(placed.id, seller, OrderAction.Complete).status)
            sellerSync.round()
            kiranaSync.round()
            val earned = promo.payoutsOfMonth(placed.createdAtMs).single()
            assertEquals("Rp7.500", earned.earnedLabel)
            assertEquals(0L, earned.pendingIdr)
            val sellers = sellerPasar.promoters.payoutsOfMonth(placed.createdAtMs).single()
            assertEquals("Kirana Putri", sellers.name)
            assertEquals("Rp100.000", sellers.salesLabel)
            assertEquals("Rp7.500", sellers.earnedLabel)

            // Someone else's claim of KIRANA: taken, and the next suggestion is free.
            val (otherPasar, otherSync, _) = server.phone("Kirana Dewi", "0857-5555-6666", "+6285755556666")
            otherPasar.promoters.claimCode("KIRANA")
            assertEquals(1uL, otherSync.sync(30.seconds).rejected)
            val refused = otherSync.rejections().single()
            assertEquals("code", refused.field)
            assertEquals("Kode KIRANA sudah dipakai orang lain. Coba kode lain.", refused.indonesian)
            assertEquals(CodeState.TAKEN, otherPasar.promoters.myCode()?.state)
            assertEquals("KIRANA2", otherPasar.promoters.suggestCode())

            listOf(sellerSync, kiranaSync, buyerSync, otherSync, sellerPasar, kiranaPasar, buyerPasar, otherPasar)
                .forEach { it.close() }
        }
    }

    @Test
    fun `a reseller's order reaches the supplier, who ships it with the reseller as the sender`() = runBlocking {
        ServerProcess().use { server ->
            val (supplierPasar, supplierSync, supplier) = server.phone("Grosir Pak Budi", "0813-6666-7777", "+6281366667777")
            val (resellerPasar, resellerSync, reseller) = server.phone("Toko Dewi", "0813-8888-9999", "+6281388889999")
            val (buyerPasar, buyerSync, buyer) = server.phone("Ibu Sari", "0812-3333-4444", "+6281233334444")
            val suppliers = market(supplierPasar, supplier, "0813-8888-9999")
            val source = listed(supplierPasar, supplier, "Bantal leher", "30rb", 10, suppliers.id)
            val terms = ResaleTerms(supplyPriceIdr = 20_000, minPriceIdr = 25_000, maxPriceIdr = 40_000)
            assertEquals(terms, supplierPasar.catalog.openForResale(source.id, terms).resale)
            supplierSync.round()

            // The reseller lists it in her own circle, at her price within the bounds.
            resellerSync.round()
            assertEquals(terms, resellerPasar.catalog.get(source.id).resale)
            val circle = market(resellerPasar, reseller, "0812-3333-4444")
            jneRate(resellerPasar, reseller)
            val tooDear = assertThrows<PasarException.Validation> {
                runBlocking { resellerPasar.catalog.resell(source.id, reseller, 45_000, listOf(circle.id)) }
            }
            assertEquals("price", tooDear.field, "above the supplier's ceiling")
            val listing = resellerPasar.catalog.resell(source.id, reseller, 35_000, listOf(circle.id))
            assertEquals(source.id, listing.resaleOf)
            assertEquals(reseller, listing.sellerId)
            assertEquals("Bantal leher", listing.name)
            assertEquals("Rp35.000", listing.priceLabel)
            resellerSync.round()

            buyerSync.round()
            val placed = order(buyerPasar, buyer, reseller, listing.id, 2)
            assertEquals("Rp70.000", placed.itemsTotalLabel)
            buyerSync.round()

            // The supplier's packing list has it; the label's sender is the reseller.
            supplierSync.round()
            val packing = supplierPasar.orders.packingList(supplier).single()
            assertEquals(placed.id, packing.id)
            assertTrue(OrderMove.PACK in packing.partnerActions, "${packing.partnerActions}")
            assertEquals("Rp40.000", packing.supply?.supplyLabel)
            val label = present(supplierPasar.orders.label(placed.id), "a courier order")
            assertEquals("Toko Dewi", label.senderName)
            assertEquals("0813-8888-9999", label.senderPhone)
            assertTrue(label.recipient.startsWith("Ibu Sari"), label.recipient)
            assertEquals(placed.totalLabel, label.codLabel, "the courier collects the whole COD")
            assertEquals("JNE REG", label.courier)
            assertEquals(Stock.Limited(8), supplierPasar.catalog.get(source.id).stock)

            // The reseller sees what she owes and keeps: Rp70.000 sold, Rp40.000 owed.
            resellerSync.round()
            val hers = resellerPasar.orders.get(placed.id)
            val supply = present(hers.supply)
            assertEquals("Grosir Pak Budi", supply.supplier.name)
            assertEquals("Rp40.000", supply.supplyLabel)
            assertEquals("Rp30.000", supply.marginLabel)
            assertFalse(OrderMove.SHIP in hers.sellerActions, "the goods are at the supplier's")

            // The supplier packs and ships; the buyer sees it shipped, and nothing of him.
            val packed = supplierPasar.orders.act(placed.id, supplier, OrderAction.Pack)
            assertNotNull(packed.packedAtMs)
            assertEquals(listOf(OrderMove.SHIP), packed.partnerActions.filter { it == OrderMove.SHIP || it == OrderMove.PACK })
            supplierPasar.orders.act(placed.id, supplier, ship)
            supplierSync.round()
            buyerSync.round()
            val theirs = buyerPasar.orders.get(placed.id)
            assertEquals(OrderStatus.SHIPPED, theirs.status)
            assertEquals("Dikirim", theirs.statusLabel)
            assertEquals("JNE0123456789", theirs.resi)
            assertNull(theirs.supply)
            assertNull(theirs.partner)
            assertEquals(reseller, theirs.sellerId)

            listOf(supplierSync, resellerSync, buyerSync, supplierPasar, resellerPasar, buyerPasar).forEach { it.close() }
        }
    }

    @Test
    fun `a warehouse packs then ships, and the buyer is told each step`() = runBlocking {
        PushSinkProcess().use { sink ->
            ServerProcess(sink.serverEnv).use { server ->
                val (sellerPasar, sellerSync, seller) = server.phone("Dapur Bu Rina", "0813-1111-2222", "+6281311112222")
                val (warehousePasar, warehouseSync, warehouse) = server.phone("Gudang Surabaya", "0813-2222-3333", "+6281322223333")
                val (buyerPasar, buyerSync, buyer) = server.phone("Ibu Sari", "0812-3333-4444", "+6281233334444")
                buyerSync.registerPush(PushPlatform.FCM, "fcm-token-sari", appVersion = "1.0.0", language = "id")
                // The warehouse's app syncs once signed in: the server learns its name then.
                warehouseSync.round()
                val group = market(sellerPasar, seller, "0812-3333-4444")
                jneRate(sellerPasar, seller)
                val bantal = listed(sellerPasar, seller, "Bantal", "45rb", 5, group.id)
                val assigned = sellerPasar.catalog.assignStock(bantal.id, warehouse, 3)
                assertEquals(Stock.Limited(5), assigned.stock, "home stock counted apart")
                assertEquals(listOf(PartnerStock(warehouse, 3)), assigned.stockAt)
                sellerSync.round()

                buyerSync.round()
                val placed = order(buyerPasar, buyer, seller, bantal.id, 2)
                buyerSync.round()
                sellerSync.round()
                val atSeller = sellerPasar.orders.get(placed.id)
                assertEquals(warehouse, atSeller.partner?.accountId)
                assertEquals("Gudang Surabaya", atSeller.partner?.name)
                assertFalse(OrderMove.SHIP in atSeller.sellerActions || OrderMove.PACK in atSeller.sellerActions)
                val stored = sellerPasar.catalog.get(bantal.id)
                assertEquals(listOf(PartnerStock(warehouse, 1)), stored.stockAt, "taken at the warehouse")
                assertEquals(Stock.Limited(5), stored.stock, "not at home")
                // The seller cannot ship what the warehouse holds.
                assertThrows<PasarException.Conflict> {
                    runBlocking { sellerPasar.orders.act(placed.id, seller, ship) }
                }
                assertNull(buyerPasar.orders.get(placed.id).partner, "the buyer's copy names no warehouse")

                warehouseSync.round()
                val packing = warehousePasar.orders.packingList(warehouse).single()
                assertEquals(placed.id, packing.id)
                assertTrue(OrderMove.PACK in packing.partnerActions, "${packing.partnerActions}")
                val label = present(warehousePasar.orders.label(placed.id))
                assertEquals("Dapur Bu Rina", label.senderName, "the seller sends it, not the warehouse")
                assertEquals(listOf("2 pcs Bantal"), label.items)

                val packed = warehousePasar.orders.act(placed.id, warehouse, OrderAction.Pack)
                assertEquals(OrderStatus.PROCESSING, packed.status)
                assertNotNull(packed.packedAtMs)
                assertFalse(OrderMove.PACK in packed.partnerActions, "packed once")
                assertTrue(OrderMove.SHIP in packed.partnerActions)
                warehouseSync.round()
                assertEquals(listOf("Pesanan dikemas"), buyerSync.round().notices.map { it.title })

                warehousePasar.orders.act(placed.id, warehouse, ship)
                warehouseSync.round()
                val shipped = buyerSync.round().notices.single()
                assertEquals("Pesanan dikirim", shipped.title)
                assertTrue("JNE0123456789" in shipped.body, shipped.body)
                assertEquals("pasar://order/${placed.id}", shipped.deepLink)
                // And the server pushed it to her phone's FCM token; the phone already
                // told her, so the push tells nothing twice.
                val push = sink.pushedTo("fcm", "fcm-token-sari") { it["s"] == "shipped" }
                assertEquals(placed.id, push["o"])
                assertTrue(buyerSync.handlePush(push).isEmpty())

                val steps = buyerPasar.orders.history(placed.id).map { it.action }
                assertEquals(listOf("place", "pack", "ship"), steps)
                val theirs = buyerPasar.orders.get(placed.id)
                assertEquals("Dikirim", theirs.statusLabel)
                assertNull(theirs.partner)
                assertNull(theirs.supply)
                sellerSync.round()
                assertEquals(OrderStatus.SHIPPED, sellerPasar.orders.get(placed.id).status)

                listOf(sellerSync, warehouseSync, buyerSync, sellerPasar, warehousePasar, buyerPasar).forEach { it.close() }
            }
        }
    }

    /**
     * The data of the first push the sink accepted on [gateway] for [token] that [wanted]
     * (waits 10 s at most).
     */
    private fun PushSinkProcess.pushedTo(gateway: String, token: String, wanted: (Map<String, String>) -> Boolean): Map<String, String> {
        val deadline = System.currentTimeMillis() + 10_000
        while (true) {
            val found = File(dir, "received")
                .listFiles { f -> f.name.endsWith("-$gateway.json") }
                ?.sortedBy { it.name }
                .orEmpty()
                .filter { Regex("\"token\"\\s*:\\s*\"${Regex.escape(token)}\"").containsMatchIn(it.readText()) }
                .map { File(it.path.removeSuffix(".json") + ".payload") }
                .filter { it.exists() }
                .map { asData(it.readText()) }
                .firstOrNull(wanted)
            if (found != null) return found
            if (System.currentTimeMillis() > deadline) error("no $gateway push for $token")
            Thread.sleep(50)
        }
    }
}
