// The product detail screen: the product, its variants and photos, and "add to cart".
import Foundation

/// The product detail screen's state.
public struct ProductDetailState: ScreenState {
    public var product: Product?
    /// The variant the buyer picked (from ``Product/variants``): its `priceLabel` is the
    /// price to show, the product's `priceRangeLabel` until one is picked.
    public var variant: Variant?
    /// How much to add, in thousandths of the unit (2 box = 2000).
    public var quantityMilli: Int64 = 1_000
    /// A note for the seller on this line ("pedas", "tanpa bawang").
    public var note = ""
    /// The cart line the last ``ProductDetailViewModel/addToCart()`` made or grew.
    public var added: CartLine?
    public var busy = false
    public var error: ScreenError?

    public init() {}
}

/// One product, as a buyer sees it: ``load()``, pick a variant, set the quantity,
/// ``addToCart()``. Whether the quantity, variant or stock allow it is the core's to say:
/// a refusal is the state's error with its field (`quantity`, `variant_id`).
@MainActor
public final class ProductDetailViewModel: ScreenModel<ProductDetailState> {
    private let pasar: Pasar
    private let productId: String
    private let sync: SyncService?

    /// `sync`, when signed in, gives the server's address of photos this phone did not make.
    public init(pasar: Pasar, productId: String, sync: SyncService? = nil) {
        self.pasar = pasar
        self.productId = productId
        self.sync = sync
        super.init(ProductDetailState())
    }

    /// Reads the product from the phone's catalog (offline).
    public func load() async {
        let catalog = pasar.catalog()
        let id = productId
        guard let product = await attempt({ try await catalog.getProduct(id: id) }) else { return }
        var s = state
        s.product = product
        s.variant = s.variant.flatMap { v in product.variants.first { $0.id == v.id } }
        state = s
    }

    /// Picks the variant with `variantId` (one of the product's).
    public func chooseVariant(_ variantId: String) {
        state.variant = state.product?.variants.first { $0.id == variantId }
    }

    /// How much to add: thousandths of the unit (1,5 kg = 1500).
    public func setQuantity(milli: Int64) {
        state.quantityMilli = milli
    }

    public func setNote(_ note: String) {
        state.note = note
    }

    /// Puts the chosen quantity and variant in the cart; returns the line.
    @discardableResult
    public func addToCart() async -> CartLine? {
        let cart = pasar.cart()
        let (id, milli, variant, note) = (productId, state.quantityMilli, state.variant?.id, state.note)
        guard let line = await attempt({ try await cart.add(id, quantityMilli: milli, variantId: variant, note: note) })
        else { return nil }
        state.added = line
        return line
    }

    /// Where to load `photo` from: the file on this phone when the seller's own phone made
    /// it, otherwise the server's address (with a sync service); `nil` when neither.
    public func photoLocation(_ photo: ProductPhoto, thumbnail: Bool = false) -> URL? {
        let file = pasar.photoURL(photo, thumbnail: thumbnail)
        if FileManager.default.fileExists(atPath: file.path) { return file }
        return sync?.photoURL(photo, thumbnail: thumbnail)
    }
}
