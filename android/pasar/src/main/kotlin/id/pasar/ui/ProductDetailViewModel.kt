// The product detail screen: the product, its variants and photos, and "add to cart".
package id.pasar.ui

import id.pasar.Pasar
import id.pasar.Sync
import id.pasar.ffi.CartLine
import id.pasar.ffi.Product
import id.pasar.ffi.ProductPhoto
import id.pasar.ffi.Variant

/**
 * The product detail screen's state.
 *
 * @property variant the variant the buyer picked (from [Product.variants]); its
 *   `priceLabel` is the price to show, the product's `priceRangeLabel` until one is picked.
 * @property quantityMilli how much to add, in thousandths of the unit (2 box = 2000).
 * @property added the cart line the last [ProductDetailViewModel.addToCart] made or grew.
 */
data class ProductDetailState(
    val product: Product? = null,
    val variant: Variant? = null,
    val quantityMilli: Long = 1_000,
    val note: String = "",
    val added: CartLine? = null,
    val busy: Boolean = false,
    val error: ScreenError? = null,
)

/**
 * One product, as a buyer sees it: [load], pick a variant, set the quantity, [addToCart].
 * Whether the quantity, variant or stock allow it is the core's to say: a refusal is the
 * state's error with its field (`quantity`, `variant_id`).
 */
class ProductDetailViewModel(
    private val pasar: Pasar,
    private val productId: String,
    private val sync: Sync? = null,
) : ScreenModel<ProductDetailState>(ProductDetailState()) {
    override fun progress(state: ProductDetailState, busy: Boolean, error: ScreenError?) =
        state.copy(busy = busy, error = error)

    /** Reads the product from the phone's catalog (offline). */
    suspend fun load() {
        val product = attempt { pasar.catalog.get(productId) } ?: return
        update { s -> s.copy(product = product, variant = s.variant?.let { v -> product.variants.find { it.id == v.id } }) }
    }

    /** Picks the variant with [variantId] (one of the product's). */
    fun chooseVariant(variantId: String) = update { s ->
        s.copy(variant = s.product?.variants?.find { it.id == variantId })
    }

    /** How much to add: thousandths of the unit (1,5 kg = 1500). */
    fun setQuantity(quantityMilli: Long) = update { it.copy(quantityMilli = quantityMilli) }

    /** A note for the seller on this line ("pedas", "tanpa bawang"). */
    fun setNote(note: String) = update { it.copy(note = note) }

    /** Puts the chosen quantity and variant in the cart; returns the line. */
    suspend fun addToCart(): CartLine? {
        val s = state.value
        val line = attempt { pasar.cart.add(productId, s.quantityMilli, s.variant?.id, s.note) } ?: return null
        update { it.copy(added = line) }
        return line
    }

    /**
     * Where to load [photo] from: the file on this phone when the seller's own phone
     * made it, otherwise the server's address (with a [Sync]); null when neither.
     */
    fun photoLocation(photo: ProductPhoto, thumbnail: Boolean = false): String? {
        val file = pasar.photoFile(photo, thumbnail)
        return when {
            file.exists() -> file.toURI().toString()
            sync != null -> sync.photoUrl(photo, thumbnail)
            else -> null
        }
    }
}
