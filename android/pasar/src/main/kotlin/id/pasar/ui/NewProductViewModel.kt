// The seller's "new product from the camera": photos in, a listing out.
package id.pasar.ui

import id.pasar.Catalog
import id.pasar.ffi.NewProduct
import id.pasar.ffi.PasarException
import id.pasar.ffi.Product
import id.pasar.ffi.ProductPhoto
import id.pasar.ffi.Stock
import id.pasar.formatRupiah
import id.pasar.parseRupiah

/**
 * What the seller typed: the price as she types it ("25rb", "Rp 1,5 jt"), the unit as
 * she says it ("box", "Kilo"), the stock.
 */
data class ProductForm(
    val name: String = "",
    val price: String = "",
    val unit: String = "",
    val stock: Stock = Stock.Unlimited,
    val description: String = "",
    val weightGrams: UInt = 0u,
    val category: String? = null,
)

/**
 * The new-product screen's state.
 *
 * @property photos the photos taken so far, prepared by the core (upright, small,
 *   metadata stripped): show `file` / `thumbnailFile` under the data folder, `blurhash`
 *   while loading.
 * @property priceLabel the price as the core read it so far ("Rp25.000"), or null.
 * @property priceError why the typed price cannot be read, while it cannot.
 * @property saved the product once listed.
 */
data class NewProductState(
    val form: ProductForm = ProductForm(),
    val photos: List<ProductPhoto> = listOf(),
    val priceLabel: String? = null,
    val priceError: ScreenError? = null,
    val saved: Product? = null,
    val busy: Boolean = false,
    val error: ScreenError? = null,
)

/**
 * A seller lists a product from her phone's camera: [addPhoto] with the bytes the camera
 * or gallery gave, [edit] the form (the price is read as she types), [save]. Listed in
 * [groupIds] besides her own shop. Every check is the core's: a refusal is the state's
 * error with its field (`name`, `price`, `photo`, `unit`...). The listing and its
 * photos go to the server with the next sync.
 */
class NewProductViewModel(
    private val catalog: Catalog,
    private val sellerId: String,
    private val groupIds: List<String> = listOf(),
) : ScreenModel<NewProductState>(NewProductState()) {
    override fun progress(state: NewProductState, busy: Boolean, error: ScreenError?) =
        state.copy(busy = busy, error = error)

    /** A photo's bytes (JPEG, PNG, WebP) from the camera or gallery. */
    suspend fun addPhoto(bytes: ByteArray): ProductPhoto? {
        val photo = attempt { catalog.addPhoto(bytes) } ?: return null
        update { s -> s.copy(photos = s.photos.filter { it.hash != photo.hash } + photo) }
        return photo
    }

    /** Takes a photo off the listing (the prepared file stays until the store tidies it). */
    fun removePhoto(hash: String) = update { s -> s.copy(photos = s.photos.filter { it.hash != hash }) }

    /** The form as typed now; the price is read at once. */
    fun edit(form: ProductForm) = update { s ->
        val read = try {
            if (form.price.isBlank()) null else Result.success(parseRupiah(form.price))
        } catch (e: PasarException) {
            Result.failure(e)
        }
        s.copy(
            form = form,
            priceLabel = read?.getOrNull()?.let(::formatRupiah),
            priceError = (read?.exceptionOrNull() as? PasarException)?.toScreenError(),
        )
    }

    /** Lists the product; returns it. */
    suspend fun save(): Product? {
        val s = state.value
        val f = s.form
        val product = attempt {
            catalog.create(
                NewProduct(
                    sellerId = sellerId,
                    name = f.name,
                    description = f.description,
                    price = f.price,
                    unit = f.unit,
                    weightGrams = f.weightGrams,
                    stock = f.stock,
                    category = f.category,
                    photos = s.photos.map { it.hash },
                    groupIds = groupIds,
                ),
            )
        } ?: return null
        update { it.copy(saved = product) }
        return product
    }
}
