// The idiomatic Kotlin face of Pasar's core: suspend functions, Flow, AutoCloseable.
// The generated bindings (package id.pasar.ffi) do the crossing; this file only makes
// them feel like a Kotlin library. No rules live here: they are all in the core.
// Records, enums and the PasarException hierarchy are the generated ones, used as they
// are (import id.pasar.ffi.*): data classes and sealed classes already.
package id.pasar

import id.pasar.ffi.Account
import id.pasar.ffi.AccountService
import id.pasar.ffi.CatalogEvent
import id.pasar.ffi.CatalogFileFormat
import id.pasar.ffi.CatalogListener
import id.pasar.ffi.CatalogService
import id.pasar.ffi.ImportReport
import id.pasar.ffi.MarketGroup
import id.pasar.ffi.GroupRole
import id.pasar.ffi.GroupService
import id.pasar.ffi.NewAccount
import id.pasar.ffi.NewProduct
import id.pasar.ffi.PasarException
import id.pasar.ffi.Product
import id.pasar.ffi.ProductPage
import id.pasar.ffi.ProductPatch
import id.pasar.ffi.ProductPhoto
import id.pasar.ffi.ResaleTerms
import id.pasar.ffi.SearchQuery
import id.pasar.ffi.SearchResults
import id.pasar.ffi.SearchSort
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.withContext
import java.io.File


/**
 * Pasar's on-device core for one account. Open it once (for example in your
 * `Application`) and close it when the account signs out.
 */
class Pasar private constructor(private val ffi: id.pasar.ffi.Pasar) : AutoCloseable {
    /** Accounts: the signed-in person, the sellers, the members of groups. */
    val accounts: Accounts = Accounts(ffi.accounts())

    /** Products: list, read, observe, and (for sellers) create and edit. */
    val catalog: Catalog = Catalog(ffi.catalog())

    /** Community markets (WhatsApp groups) and their members. */
    val groups: Groups = Groups(ffi.groups())

    /** The buyer's cart, kept on this phone (it works offline). */
    val cart: Cart = Cart(ffi.cart())

    /** Chat orders: pasted WhatsApp messages and chat exports → draft orders, the rekap. */
    val chat: Chats = Chats(ffi.chat())

    /** Checkout, orders and their moves, ongkir rates, WhatsApp messages, labels. */
    val orders: Orders = Orders(ffi.orders())

    /** Promoters: the account's code and share links, referrals, commission, payouts. */
    val promoters: Promoters = Promoters(ffi.promoters())

    /** The folder the store lives in. */
    val dataDir: String get() = ffi.dataDir()

    /**
     * Where [photo] (or, with [thumbnail], its 320 px thumbnail) is on this phone: the
     * data folder plus [ProductPhoto.file] / [ProductPhoto.thumbnailFile]. Hand it to
     * the image loader; the file is already upright, compressed and free of metadata.
     */
    fun photoFile(photo: ProductPhoto, thumbnail: Boolean = false): File =
        File(dataDir, if (thumbnail) photo.thumbnailFile else photo.file)

    internal fun syncService(
        serverUrl: String,
        http: id.pasar.ffi.HttpClient,
        tokens: id.pasar.ffi.TokenStore,
    ): id.pasar.ffi.SyncService = ffi.sync(serverUrl, http, tokens)

    override fun close() {
        accounts.close()
        catalog.close()
        groups.close()
        cart.close()
        chat.close()
        orders.close()
        promoters.close()
        ffi.close()
    }

    companion object {
        /**
         * Opens (or creates) the store in [dataDir], upgrading its schema if the app was
         * updated. Runs on [Dispatchers.IO]: a migration may take a moment.
         *
         * @throws PasarException.Storage if the store cannot be opened.
         */
        suspend fun open(dataDir: File): Pasar = withContext(Dispatchers.IO) {
            Pasar(id.pasar.ffi.Pasar.open(dataDir.absolutePath))
        }

        /** The core library's version, for "about" screens and bug reports. */
        val coreVersion: String get() = id.pasar.ffi.coreVersion()
    }
}

/** Accounts the device knows; every call is a coroutine. */
class Accounts internal constructor(private val ffi: AccountService) : AutoCloseable {
    /**
     * Creates the account ([NewAccount.id] `null`) or updates the one with that id. The
     * phone comes back in E.164 (`"+6281234567890"`) however it was typed.
     *
     * @throws PasarException.Validation with field `account_name` or `phone`.
     */
    suspend fun save(account: NewAccount): Account = ffi.saveAccount(account)

    /** @throws PasarException.NotFound if the device knows no such account. */
    suspend fun get(id: String): Account = ffi.getAccount(id)

    override fun close() = ffi.close()
}

/** Community markets: a group whose members each sell and buy, run by its admins. */
class Groups internal constructor(private val ffi: GroupService) : AutoCloseable {
    /**
     * Creates a group with [adminId], a saved account, as its first admin.
     *
     * @throws PasarException.NotFound if there is no such account.
     */
    suspend fun create(name: String, adminId: String): MarketGroup = ffi.createGroup(name, adminId)

    /** Adds a saved account to the group, or changes its [role]. */
    suspend fun addMember(groupId: String, accountId: String, role: GroupRole = GroupRole.MEMBER): MarketGroup =
        ffi.addMember(groupId, accountId, role)

    /**
     * Takes [accountId] out of the group: an admin removing a member, or the signed-in
     * account leaving (pass its own id). Its listings leave the group with it, and its
     * phones forget the group's catalog at the next sync.
     *
     * @throws PasarException.Validation on field `role` for the group's only admin.
     * @throws PasarException.NotFound if the group or the member is not there.
     */
    suspend fun removeMember(groupId: String, accountId: String): MarketGroup =
        ffi.removeMember(groupId, accountId)

    /** @throws PasarException.NotFound if there is no such group. */
    suspend fun get(id: String): MarketGroup = ffi.getGroup(id)

    /** Every group the device knows, by name. */
    suspend fun list(): List<MarketGroup> = ffi.listGroups()

    override fun close() = ffi.close()
}

/** The catalog: every call is a coroutine; [events] is a cold [Flow] of changes. */
class Catalog internal constructor(private val ffi: CatalogService) : AutoCloseable {
    /**
     * Lists a product for [NewProduct.sellerId], with its price as the seller typed it.
     *
     * @throws PasarException.Validation naming the field at fault (`price`, `variants`...).
     * @throws PasarException.NotFound if the seller or a group does not exist.
     */
    suspend fun create(product: NewProduct): Product = ffi.createProduct(product)

    /** Changes the fields set in [patch]; `null` fields keep their value. */
    suspend fun update(id: String, patch: ProductPatch): Product = ffi.updateProduct(id, patch)

    /** @throws PasarException.NotFound if there is no such product. */
    suspend fun get(id: String): Product = ffi.getProduct(id)

    /**
     * The supplier opens product [id] to resellers on [terms]: what the supplier earns a
     * unit ([ResaleTerms.supplyPriceIdr]) and the lowest and highest price a reseller may
     * sell at. `null` closes it: listings made of it stop selling. Shows as
     * [Product.resale].
     *
     * @throws PasarException.Validation with field `supply_price` (not positive),
     *   `min_price` (below the supply price), `max_price` (below the lowest), or `product`
     *   for a reseller's own listing.
     * @throws PasarException.NotFound if there is no such product.
     */
    suspend fun openForResale(id: String, terms: ResaleTerms?): Product = ffi.openForResale(id, terms)

    /**
     * [resellerId] (the signed-in account) lists the supplier's [sourceId] in their shop
     * and [groupIds] at [priceIdr]: the supplier's name, photos and variants, sold from
     * the supplier's stock and shipped by the supplier with the reseller as the sender.
     * The listing's [Product.resaleOf] names the source.
     *
     * @throws PasarException.Validation with field `price` outside the supplier's bounds,
     *   or `product` when the source is not open to resellers (or is the reseller's own).
     * @throws PasarException.NotFound if the phone does not know the source product.
     */
    suspend fun resell(
        sourceId: String,
        resellerId: String,
        priceIdr: Long,
        groupIds: List<String> = emptyList(),
    ): Product = ffi.resell(sourceId, resellerId, priceIdr, groupIds)

    /**
     * Keeps [units] of product [id] at [partnerId]'s warehouse (`0` takes them back),
     * counted apart from [Product.stock] at home and shown in [Product.stockAt]. Courier
     * orders the warehouse can fill whole go to the partner to pack and ship.
     *
     * @throws PasarException.Validation with field `stock` (negative or too many), or
     *   `partner_id` (the seller herself, a resale listing, more than 10 partners).
     * @throws PasarException.NotFound if there is no such product.
     */
    suspend fun assignStock(id: String, partnerId: String, units: Long): Product =
        ffi.assignStock(id, partnerId, units)

    /**
     * One page of active products, newest first. Pass the previous page's
     * [ProductPage.nextCursor] as [after] to continue; pages stay stable while products
     * are added.
     */
    suspend fun page(after: String? = null, limit: Int = 20): ProductPage {
        require(limit >= 0) { "limit must not be negative" }
        return ffi.listProducts(after, limit.toUInt())
    }

    /**
     * Searches the catalog on the phone, offline: typos, abbreviations and filler in
     * [SearchQuery.text] are the core's to handle (`"dnt coklat"` finds "Donat
     * Cokelat"; [SearchResults.understood] says how it was read). Search strings are
     * data, never syntax. Pass [SearchResults.nextCursor] as [SearchQuery.after] for the
     * next page (or use [searchPages]).
     *
     * @throws PasarException.Validation with field `cursor`, `price` (min above max),
     *   `group_id`/`seller_id` (malformed) or `limit`.
     */
    suspend fun search(query: SearchQuery): SearchResults = ffi.search(query)

    /**
     * [search] with named filters: `search("donat", groupId = g, maxPriceIdr = 30_000,
     * sort = SearchSort.PRICE_LOW_HIGH, limit = 10)`. An empty [text] browses. [limit] 0
     * means the core's default (20).
     */
    suspend fun search(
        text: String,
        groupId: String? = null,
        sellerId: String? = null,
        category: String? = null,
        minPriceIdr: Long? = null,
        maxPriceIdr: Long? = null,
        inStockOnly: Boolean = false,
        sort: SearchSort = SearchSort.RELEVANCE,
        after: String? = null,
        limit: Int = 0,
    ): SearchResults {
        require(limit >= 0) { "limit must not be negative" }
        return ffi.search(
            SearchQuery(
                text = text,
                groupId = groupId,
                sellerId = sellerId,
                category = category,
                minPriceIdr = minPriceIdr,
                maxPriceIdr = maxPriceIdr,
                inStockOnly = inStockOnly,
                sort = sort,
                after = after,
                limit = limit.toUInt(),
            ),
        )
    }

    /**
     * Every page of [query], one after the other, following [SearchResults.nextCursor]
     * from [SearchQuery.after] until the last page. Cold: each collection starts again;
     * stopping the collection (`take(n)`, `first()`) stops asking for pages. Fits an
     * "endless" list that asks for the next page as it scrolls.
     */
    fun searchPages(query: SearchQuery): Flow<SearchResults> = flow {
        var after = query.after
        do {
            val page = ffi.search(query.copy(after = after))
            emit(page)
            after = page.nextCursor
        } while (after != null)
    }

    /**
     * Takes a photo from the camera or gallery (JPEG, PNG or WebP bytes, as read from
     * the file or content URI) and keeps it for listing: upright, resized, compressed,
     * metadata (GPS) stripped, queued for upload. List it by putting
     * [ProductPhoto.hash] in [NewProduct.photos]; show it with [Pasar.photoFile]. The
     * same photo twice is stored once.
     *
     * @throws PasarException.Validation with field `photo` for a file that is not a
     *   photo, corrupt, or too large; nothing already saved changes.
     */
    suspend fun addPhoto(bytes: ByteArray): ProductPhoto = ffi.addPhoto(bytes)

    /** Photos waiting to be uploaded, oldest first. */
    suspend fun pendingPhotoUploads(): List<ProductPhoto> = ffi.pendingPhotoUploads()

    /**
     * Imports a seller's catalog file ([CatalogFileFormat.JSON] array or spreadsheet
     * [CatalogFileFormat.CSV]). Rows naming no seller belong to [defaultSellerId] (a
     * saved account). Products whose file id was imported before are updated. Bad rows
     * are skipped and listed in [ImportReport.errors] with their row number and field;
     * the good rows are saved together. One [CatalogEvent.Imported] follows.
     *
     * @throws PasarException.Validation with field `file` for a file that cannot be read
     *   at all (nothing is imported).
     * @throws PasarException.NotFound if [defaultSellerId] is not a saved account.
     */
    suspend fun importCatalog(
        contents: ByteArray,
        format: CatalogFileFormat,
        defaultSellerId: String? = null,
    ): ImportReport = ffi.importCatalog(contents, format, defaultSellerId)

    /** The active catalog as a JSON catalog file (the format [importCatalog] reads). */
    suspend fun exportCatalog(): String = ffi.exportCatalog()

    /**
     * Every committed catalog change while the flow is collected. Collection stopping
     * (cancelled scope, `take(n)`, `first()`) unregisters the listener in the core.
     */
    fun events(): Flow<CatalogEvent> = callbackFlow {
        val handle = ffi.observe(object : CatalogListener {
            // Called on a core thread: hand over and return at once.
            override fun onEvent(event: CatalogEvent) {
                trySend(event)
            }
        })
        awaitClose {
            handle.cancel()
            handle.close()
        }
    }.buffer(Channel.UNLIMITED)

    override fun close() = ffi.close()
}

/** The message to show the user: Indonesian by default, English on request. */
fun PasarException.userMessage(english: Boolean = false): String = when (this) {
    is PasarException.Validation -> if (english) this.english else indonesian
    is PasarException.NotFound -> if (english) this.english else indonesian
    is PasarException.Conflict -> if (english) this.english else indonesian
    is PasarException.OutOfStock -> if (english) this.english else indonesian
    is PasarException.Unauthorized -> if (english) this.english else indonesian
    is PasarException.Network -> if (english) this.english else indonesian
    is PasarException.Storage -> if (english) this.english else indonesian
    is PasarException.Internal -> if (english) this.english else indonesian
}

/** `25000` → `"Rp25.000"`, the way the core formats every price. */
fun formatRupiah(idr: Long): String = id.pasar.ffi.formatRupiah(idr)

/**
 * A price as sellers type it → rupiah: `"25rb"` → `25000`, `"Rp 1,5 jt"` → `1500000`.
 * @throws PasarException.Validation with field `price`.
 */
fun parseRupiah(text: String): Long = id.pasar.ffi.parseRupiah(text)

/**
 * Any way Indonesians write a phone number → E.164 (`"+6281234567890"`).
 * @throws PasarException.Validation with field `phone`.
 */
fun normalizePhone(input: String): String = id.pasar.ffi.normalizePhone(input)
