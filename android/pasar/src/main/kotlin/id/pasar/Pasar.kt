// The idiomatic Kotlin face of Pasar's core: suspend functions, Flow, AutoCloseable.
// The generated bindings (package id.pasar.ffi) do the crossing; this file only makes
// them feel like a Kotlin library. No rules live here: they are all in the core.
// Records, enums and the PasarException hierarchy are the generated ones, used as they
// are (import id.pasar.ffi.*): data classes and sealed classes already.
package id.pasar

import id.pasar.ffi.CatalogEvent
import id.pasar.ffi.CatalogListener
import id.pasar.ffi.CatalogService
import id.pasar.ffi.NewProduct
import id.pasar.ffi.PasarException
import id.pasar.ffi.Product
import id.pasar.ffi.ProductPage
import id.pasar.ffi.ProductPatch
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.withContext
import java.io.File


/**
 * Pasar's on-device core for one account. Open it once (for example in your
 * `Application`) and close it when the account signs out.
 */
class Pasar private constructor(private val ffi: id.pasar.ffi.Pasar) : AutoCloseable {
    /** Products: list, read, observe, and (for sellers) create and edit. */
    val catalog: Catalog = Catalog(ffi.catalog())

    /** The folder the store lives in. */
    val dataDir: String get() = ffi.dataDir()

    override fun close() {
        catalog.close()
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

/** The catalog: every call is a coroutine; [events] is a cold [Flow] of changes. */
class Catalog internal constructor(private val ffi: CatalogService) : AutoCloseable {
    /** @throws PasarException.Validation naming the field at fault. */
    suspend fun create(product: NewProduct): Product = ffi.createProduct(product)

    /** Changes the fields set in [patch]; `null` fields keep their value. */
    suspend fun update(id: String, patch: ProductPatch): Product = ffi.updateProduct(id, patch)

    /** @throws PasarException.NotFound if there is no such product. */
    suspend fun get(id: String): Product = ffi.getProduct(id)

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
 * Any way Indonesians write a phone number → E.164 (`"+6281234567890"`).
 * @throws PasarException.Validation with field `phone`.
 */
fun normalizePhone(input: String): String = id.pasar.ffi.normalizePhone(input)
