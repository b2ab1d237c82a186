// PasarKit: the idiomatic Swift face of Pasar's core. async/await and AsyncStream over
// the generated bindings; no rules live here, they are all in the Rust core.
//
// The generated types (Pasar, AccountService, CatalogService, GroupService, Product,
// PasarError...) are re-exported: `import PasarKit` is all an app needs. Their async
// methods are already Swift async functions; this file adds what Swift apps expect
// besides: async opening, AsyncStream, Identifiable, LocalizedError.
import Foundation
@_exported import PasarBindings

extension Pasar {
    /// Opens (or creates) the store in `directory`, upgrading its schema if the app was
    /// updated. Runs off the caller's actor: a migration may take a moment.
    public static func open(directory: URL) async throws -> Pasar {
        let path = directory.path
        return try await Task.detached(priority: .userInitiated) {
            try Pasar.open(dataDir: path)
        }.value
    }

    /// The core library's version, for "about" screens and bug reports.
    public static var coreVersion: String { PasarBindings.coreVersion() }

    /// Where `photo` (or, with `thumbnail`, its 320 px thumbnail) is on this phone: the
    /// data folder plus ``ProductPhoto/file`` or ``ProductPhoto/thumbnailFile``. Hand it
    /// to `AsyncImage` or an image cache; the file is already upright, compressed and
    /// free of metadata.
    public func photoURL(_ photo: ProductPhoto, thumbnail: Bool = false) -> URL {
        URL(fileURLWithPath: dataDir(), isDirectory: true)
            .appendingPathComponent(thumbnail ? photo.thumbnailFile : photo.file)
    }
}

extension CatalogService {
    /// Every committed catalog change while the stream is iterated. Ending the iteration
    /// (a `break`, a cancelled task) unregisters the listener in the core.
    public func events() -> AsyncStream<CatalogEvent> {
        AsyncStream(bufferingPolicy: .unbounded) { continuation in
            let handle = self.observe(listener: StreamListener(continuation: continuation))
            continuation.onTermination = { _ in handle.cancel() }
        }
    }
}

extension CatalogService {
    /// Searches the catalog on the phone, offline, with named filters:
    /// `search("donat", groupId: g, maxPriceIdr: 30_000, sort: .priceLowHigh, limit: 10)`.
    ///
    /// Typos, abbreviations and filler in `text` are the core's to handle (`"dnt coklat"`
    /// finds "Donat Cokelat"; ``SearchResults/understood`` says how it was read); search
    /// strings are data, never syntax. An empty `text` browses. Pass
    /// ``SearchResults/nextCursor`` as `after` for the next page, or use
    /// ``searchPages(_:)``. `limit` 0 means the core's default (20).
    ///
    /// - Throws: ``PasarError/Validation(field:indonesian:english:)`` with field `cursor`,
    ///   `price` (minimum above maximum), `group_id`/`seller_id` or `limit`.
    public func search(
        _ text: String,
        groupId: String? = nil,
        sellerId: String? = nil,
        category: String? = nil,
        minPriceIdr: Int64? = nil,
        maxPriceIdr: Int64? = nil,
        inStockOnly: Bool = false,
        sort: SearchSort = .relevance,
        after: String? = nil,
        limit: UInt32 = 0
    ) async throws -> SearchResults {
        try await search(query: SearchQuery(
            text: text, groupId: groupId, sellerId: sellerId, category: category,
            minPriceIdr: minPriceIdr, maxPriceIdr: maxPriceIdr, inStockOnly: inStockOnly,
            sort: sort, after: after, limit: limit))
    }

    /// Every page of `query`, one after the other, following ``SearchResults/nextCursor``
    /// from `query.after` to the last page. Each page is asked for when the loop wants
    /// it, so an "endless" list can iterate as it scrolls; a `break` or a cancelled task
    /// stops asking.
    ///
    /// ```swift
    /// for try await page in catalog.searchPages(SearchQuery(text: "donat", limit: 20)) {
    ///     products += page.items
    /// }
    /// ```
    public func searchPages(_ query: SearchQuery) -> SearchPages {
        SearchPages(catalog: self, query: query)
    }

    /// Takes a photo from the camera or gallery (JPEG, PNG or WebP bytes) and keeps it
    /// for listing: upright, resized, compressed, metadata (GPS) stripped, queued for
    /// upload. List it by putting ``ProductPhoto/hash`` in `NewProduct.photos`; show it
    /// with ``Pasar/photoURL(_:thumbnail:)``. The same photo twice is stored once.
    ///
    /// HEIC is refused: convert it to JPEG (in sRGB) first, for example with
    /// `UIImage.jpegData(compressionQuality:)`.
    ///
    /// - Throws: ``PasarError/Validation(field:indonesian:english:)`` with field `photo`
    ///   for a file that is not a photo, corrupt, or too large; nothing saved changes.
    public func addPhoto(_ data: Data) async throws -> ProductPhoto {
        try await addPhoto(bytes: data)
    }

    /// ``addPhoto(_:)`` for a file, read off the caller's actor.
    public func addPhoto(contentsOf url: URL) async throws -> ProductPhoto {
        let data = try await Task.detached(priority: .userInitiated) {
            try Data(contentsOf: url)
        }.value
        return try await addPhoto(bytes: data)
    }

    /// Imports a seller's catalog file (a `.json` array or a spreadsheet `.csv`). Rows
    /// naming no seller belong to `defaultSellerId`, a saved account. Products whose file
    /// id was imported before are updated. Bad rows are skipped and listed in
    /// ``ImportReport/errors`` with their row number and field; the good rows are saved
    /// together, and one ``CatalogEvent/imported(created:updated:)`` follows.
    ///
    /// - Throws: ``PasarError/Validation(field:indonesian:english:)`` with field `file`
    ///   for a file that cannot be read at all (nothing is imported), and
    ///   ``PasarError/NotFound(indonesian:english:)`` if `defaultSellerId` is not a saved
    ///   account.
    public func importCatalog(
        _ contents: Data, format: CatalogFileFormat, defaultSellerId: String? = nil
    ) async throws -> ImportReport {
        try await importCatalog(contents: contents, format: format, defaultSellerId: defaultSellerId)
    }

    /// `resellerId` (the signed-in account) lists the supplier's `sourceId` in their shop
    /// and `groupIds` at `priceIdr`: the supplier's name, photos and variants, sold from
    /// the supplier's stock and shipped by the supplier with the reseller as the sender.
    /// The listing's ``Product/resaleOf`` names the source.
    ///
    /// - Throws: ``PasarError/Validation(field:indonesian:english:)`` with field `price`
    ///   outside the supplier's bounds (``Product/resale``), or `product` when the source
    ///   is not open to resellers; ``PasarError/NotFound(indonesian:english:)`` if the
    ///   phone does not know the source.
    public func resell(
        _ sourceId: String, resellerId: String, priceIdr: Int64, groupIds: [String] = []
    ) async throws -> Product {
        try await resell(sourceId: sourceId, resellerId: resellerId, priceIdr: priceIdr, groupIds: groupIds)
    }

    /// The supplier closes product `id` to resellers: listings made of it stop selling.
    /// (``PasarBindings/CatalogService/openForResale(id:terms:)`` opens it, on terms.)
    @discardableResult
    public func closeForResale(_ id: String) async throws -> Product {
        try await openForResale(id: id, terms: nil)
    }

    /// The active catalog as a JSON catalog file (what ``importCatalog(_:format:defaultSellerId:)``
    /// reads), as `Data` ready for a share sheet or `fileExporter`.
    public func exportCatalogData() async throws -> Data {
        Data(try await exportCatalog().utf8)
    }
}

/// The pages of a search, fetched one at a time as the loop asks: see
/// ``PasarBindings/CatalogService/searchPages(_:)``.
public struct SearchPages: AsyncSequence {
    public typealias Element = SearchResults

    let catalog: CatalogService
    let query: SearchQuery

    public struct AsyncIterator: AsyncIteratorProtocol {
        let catalog: CatalogService
        var query: SearchQuery
        var finished = false

        public mutating func next() async throws -> SearchResults? {
            guard !finished else { return nil }
            try Task.checkCancellation()
            let page = try await catalog.search(query: query)
            query.after = page.nextCursor
            finished = page.nextCursor == nil
            return page
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(catalog: catalog, query: query)
    }
}

extension GroupService {
    /// Adds a saved account to the group as a plain member.
    public func addMember(groupId: String, accountId: String) async throws -> MarketGroup {
        try await addMember(groupId: groupId, accountId: accountId, role: .member)
    }
}

// Records with an `id` are Identifiable, for SwiftUI lists and `ForEach`.
extension Product: Identifiable {}
extension Variant: Identifiable {}
extension Account: Identifiable {}
extension MarketGroup: Identifiable {}
/// A photo is identified by its content: the same picture is the same photo.
extension ProductPhoto: Identifiable {
    public var id: String { hash }
}

/// Hands each event to the stream; called on a core thread, returns at once.
private final class StreamListener: CatalogListener, @unchecked Sendable {
    let continuation: AsyncStream<CatalogEvent>.Continuation

    init(continuation: AsyncStream<CatalogEvent>.Continuation) {
        self.continuation = continuation
    }

    func onEvent(event: CatalogEvent) {
        continuation.yield(event)
    }
}

extension PasarError: LocalizedError {
    /// The message to show: Indonesian unless the app runs in another language.
    public var errorDescription: String? {
        let english = !(Locale.preferredLanguages.first ?? "id").hasPrefix("id")
        return english ? self.english : indonesian
    }

    public var indonesian: String {
        switch self {
        case let .Validation(_, indonesian, _), let .NotFound(indonesian, _),
             let .Conflict(indonesian, _), let .OutOfStock(indonesian, _),
             let .Unauthorized(indonesian, _), let .Network(indonesian, _),
             let .Storage(indonesian, _), let .Internal(indonesian, _):
            return indonesian
        }
    }

    public var english: String {
        switch self {
        case let .Validation(_, _, english), let .NotFound(_, english),
             let .Conflict(_, english), let .OutOfStock(_, english),
             let .Unauthorized(_, english), let .Network(_, english),
             let .Storage(_, english), let .Internal(_, english):
            return english
        }
    }

    /// The form field at fault, for validation errors.
    public var field: String? {
        if case let .Validation(field, _, _) = self { return field }
        return nil
    }
}
