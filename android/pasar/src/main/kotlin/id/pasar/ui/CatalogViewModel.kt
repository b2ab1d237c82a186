// The catalog screen: search as the buyer types, page by page, offline.
package id.pasar.ui

import id.pasar.Catalog
import id.pasar.ffi.Product
import id.pasar.ffi.SearchQuery

/**
 * The catalog screen's state.
 *
 * @property query the words as typed; empty browses the newest products.
 * @property understood how the core read them, corrections applied ("donat coklat" for
 *   "donut coklat"): show "Hasil untuk …" when it differs from [query].
 * @property products the pages loaded so far.
 * @property total how many products match a text search (at most 1000); null when browsing.
 * @property hasMore whether [CatalogViewModel.loadMore] would bring another page.
 */
data class CatalogState(
    val query: String = "",
    val understood: String = "",
    val products: List<Product> = listOf(),
    val total: Int? = null,
    val hasMore: Boolean = false,
    val busy: Boolean = false,
    val error: ScreenError? = null,
)

/**
 * Catalog with search: the buyer types, [search] shows the first page, [loadMore] the
 * next. Typos, abbreviations and filler are the core's to read. [groupId] keeps the
 * screen to one community market; [pageSize] 0 is the core's default (20).
 */
class CatalogViewModel(
    private val catalog: Catalog,
    private val groupId: String? = null,
    private val pageSize: Int = 0,
) : ScreenModel<CatalogState>(CatalogState()) {
    private var cursor: String? = null

    override fun progress(state: CatalogState, busy: Boolean, error: ScreenError?) =
        state.copy(busy = busy, error = error)

    private fun query(text: String, after: String?) =
        SearchQuery(text = text, groupId = groupId, after = after, limit = pageSize.toUInt())

    /** Searches for [text] from the first page. */
    suspend fun search(text: String) {
        val page = attempt { catalog.search(query(text, null)) } ?: return
        cursor = page.nextCursor
        update {
            it.copy(
                query = text,
                understood = page.understood,
                products = page.items,
                total = page.total?.toInt(),
                hasMore = page.nextCursor != null,
            )
        }
    }

    /** Appends the next page of the current search; nothing after the last page. */
    suspend fun loadMore() {
        val after = cursor ?: return
        val page = attempt { catalog.search(query(state.value.query, after)) } ?: return
        cursor = page.nextCursor
        update { it.copy(products = it.products + page.items, hasMore = page.nextCursor != null) }
    }

    /**
     * Runs the current search again whenever the catalog changes on this phone (a sync
     * brought products, the seller edited one) until the caller's scope is cancelled.
     */
    suspend fun watch() {
        catalog.events().collect { search(state.value.query) }
    }
}
