// The seller's "new product from the camera": photos in, a listing out.
import Foundation

/// What the seller typed: the price as she types it ("25rb", "Rp 1,5 jt"), the unit as
/// she says it ("box", "Kilo"), the stock.
public struct ProductForm: Sendable, Equatable {
    public var name: String
    public var price: String
    public var unit: String
    public var stock: Stock
    public var description: String
    public var weightGrams: UInt32
    public var category: String?

    public init(
        name: String = "", price: String = "", unit: String = "", stock: Stock = .unlimited,
        description: String = "", weightGrams: UInt32 = 0, category: String? = nil
    ) {
        self.name = name
        self.price = price
        self.unit = unit
        self.stock = stock
        self.description = description
        self.weightGrams = weightGrams
        self.category = category
    }
}

/// The new-product screen's state.
public struct NewProductState: ScreenState {
    public var form = ProductForm()
    /// The photos taken so far, prepared by the core (upright, small, metadata
    /// stripped): show them with ``Pasar/photoURL(_:thumbnail:)``, `blurhash` while loading.
    public var photos: [ProductPhoto] = []
    /// The price as the core read it so far ("Rp25.000"), or `nil`.
    public var priceLabel: String?
    /// Why the typed price cannot be read, while it cannot.
    public var priceError: ScreenError?
    /// The product once listed.
    public var saved: Product?
    public var busy = false
    public var error: ScreenError?

    public init() {}
}

/// A seller lists a product from her phone's camera: ``addPhoto(_:)`` with the bytes the
/// camera or photo library gave (JPEG, PNG, WebP; convert HEIC to JPEG first),
/// ``edit(_:)`` the form (the price is read as she types), ``save()``. Listed in the
/// given groups besides her own shop. Every check is the core's: a refusal is the state's
/// error with its field (`name`, `price`, `photo`, `unit`...). The listing and its photos
/// go to the server with the next sync.
@MainActor
public final class NewProductViewModel: ScreenModel<NewProductState> {
    private let catalog: CatalogService
    private let sellerId: String
    private let groupIds: [String]

    public init(catalog: CatalogService, sellerId: String, groupIds: [String] = []) {
        self.catalog = catalog
        self.sellerId = sellerId
        self.groupIds = groupIds
        super.init(NewProductState())
    }

    /// A photo's bytes from the camera or photo library.
    @discardableResult
    public func addPhoto(_ data: Data) async -> ProductPhoto? {
        let catalog = catalog
        guard let photo = await attempt({ try await catalog.addPhoto(bytes: data) }) else { return nil }
        state.photos = state.photos.filter { $0.hash != photo.hash } + [photo]
        return photo
    }

    /// Takes a photo off the listing.
    public func removePhoto(hash: String) {
        state.photos.removeAll { $0.hash == hash }
    }

    /// The form as typed now; the price is read at once.
    public func edit(_ form: ProductForm) {
        var s = state
        s.form = form
        s.priceLabel = nil
        s.priceError = nil
        if !form.price.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                s.priceLabel = formatRupiah(idr: try parseRupiah(text: form.price))
            } catch let error as PasarError {
                s.priceError = ScreenError(error)
            } catch {}
        }
        state = s
    }

    /// Lists the product; returns it.
    @discardableResult
    public func save() async -> Product? {
        let f = state.form
        let product = NewProduct(
            sellerId: sellerId, name: f.name, description: f.description, price: f.price, unit: f.unit,
            weightGrams: f.weightGrams, stock: f.stock, category: f.category,
            photos: state.photos.map(\.hash), groupIds: groupIds)
        let catalog = catalog
        guard let saved = await attempt({ try await catalog.createProduct(product: product) }) else { return nil }
        state.saved = saved
        return saved
    }
}
