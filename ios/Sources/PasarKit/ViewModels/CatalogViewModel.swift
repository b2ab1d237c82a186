// The catalog screen: search as the buyer types, page by page, offline.
import Foundation

/// The catalog screen's state.
public struct CatalogState: ScreenState {
    /// The words as typed; empty browses the newest products.
    public var query = ""
    /// How the core read them, corrections applied ("donat coklat" for "donut coklat"):
    /// show "Hasil untuk …" when it differs from ``query``.
    public var understood = ""
    /// The pages loaded so far.
    public var products: [Product] = []
    /// How many products match a text search (at most 1000); `nil` when browsing.
    public var total: UInt32?
    /// Whether ``CatalogViewModel/loadMore()`` would bring another page.
    public var hasMore = false
    public var busy = false
    public var error: ScreenError?

    public init() {}
}

/// Catalog with search: the buyer types, ``search(_:)`` shows the first page,
/// ``loadMore()`` the next. Typos, abbreviations and filler are the core's to read.
/// `groupId` keeps the screen to one community market; `pageSize` 0 is the core's
/// default (20).
@MainActor
public final class CatalogViewModel: ScreenModel<CatalogState> {
    private let catalog: CatalogService
    private let groupId: String?
    private let pageSize: UInt32
    private var cursor: String?

    public init(catalog: CatalogService, groupId: String? = nil, pageSize: UInt32 = 0) {
        self.catalog = catalog
        self.groupId = groupId
        self.pageSize = pageSize
        super.init(CatalogState())
    }

    private func query(_ text: String, after: String?) -> SearchQuery {
        SearchQuery(text: text, groupId: groupId, after: after, limit: pageSize)
    }

    /// Searches for `text` from the first page.
    public func search(_ text: String) async {
        let query = query(text, after: nil)
        guard let page = await attempt({ try await catalog.search(query: query) }) else { return }
        cursor = page.nextCursor
        var s = state
        s.query = text
        s.understood = page.understood
        s.products = page.items
        s.total = page.total
        s.hasMore = page.nextCursor != nil
        state = s
    }

    /// Appends the next page of the current search; nothing after the last page.
    public func loadMore() async {
        guard let after = cursor else { return }
        let query = query(state.query, after: after)
        guard let page = await attempt({ try await catalog.search(query: query) }) else { return }
        cursor = page.nextCursor
        var s = state
        s.products += page.items
        s.hasMore = page.nextCursor != nil
        state = s
    }

    /// Runs the current search again whenever the catalog changes on this phone (a sync
    /// brought products, the seller edited one) until the calling task is cancelled.
    public func watch() async {
        for await _ in catalog.events() {
            await search(state.query)
        }
    }
}
