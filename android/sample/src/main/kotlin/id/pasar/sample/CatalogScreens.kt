// Buyers: the catalog with search, and a product's detail with "add to cart".
package id.pasar.sample

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.ListItem
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.pasar.formatQuantity
import id.pasar.ui.CatalogViewModel
import id.pasar.ui.ProductDetailViewModel

@Composable
fun CatalogScreen(session: Session, open: (String) -> Unit) {
    val screen = held("catalog:${session.market?.id}") { CatalogViewModel(session.pasar.catalog, session.market?.id) }
    val state = screen.model.collected()
    var typed by rememberSaveable { mutableStateOf(state.query) }
    // Search as she types; the core reads typos, abbreviations and filler.
    LaunchedEffect(typed) { screen.model.search(typed) }
    WhileShown(screen) { screen.model.watch() }
    Screen(state.busy, state.error) {
        OutlinedTextField(
            typed,
            { typed = it },
            label = { Text(stringResource(R.string.catalog_search)) },
            singleLine = true,
            modifier = Modifier.fillMaxWidth().padding(16.dp),
        )
        if (state.query.isNotBlank() && state.understood != state.query) {
            Text(stringResource(R.string.catalog_understood, state.understood), Modifier.padding(horizontal = 16.dp))
        }
        state.total?.let { Text(stringResource(R.string.catalog_total, it), Modifier.padding(horizontal = 16.dp)) }
        LazyColumn {
            items(state.products, key = { it.id }) { product ->
                ListItem(
                    headlineContent = { Text(product.name) },
                    supportingContent = {
                        Text(
                            if (product.inStock) product.priceRangeLabel
                            else "${product.priceRangeLabel} · ${stringResource(R.string.catalog_sold_out)}",
                        )
                    },
                    leadingContent = { ProductPhoto(session, product, 56.dp) },
                    modifier = Modifier.clickable { open(product.id) },
                )
            }
            if (state.hasMore) {
                item {
                    TextButton(onClick = { screen.act { loadMore() } }, Modifier.padding(16.dp)) {
                        Text(stringResource(R.string.catalog_more))
                    }
                }
            }
        }
    }
}

@Composable
fun ProductScreen(session: Session, productId: String, toCart: () -> Unit) {
    val screen = held("product:$productId") { ProductDetailViewModel(session.pasar, productId, session.sync) }
    val state = screen.model.collected()
    LaunchedEffect(productId) { screen.model.load() }
    val product = state.product ?: return Screen(state.busy, state.error) {}
    Screen(state.busy, state.error) {
        Column(Modifier.verticalScroll(rememberScrollState()).padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            ProductPhoto(session, product, 240.dp, thumbnail = false)
            Text(product.name, style = androidx.compose.material3.MaterialTheme.typography.headlineSmall)
            // The picked variant's price, or the product's range until one is picked.
            Text(state.variant?.priceLabel ?: product.priceRangeLabel)
            if (product.description.isNotBlank()) Text(product.description)
            if (product.variants.isNotEmpty()) {
                Text(product.options.joinToString(" / ") { it.name })
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    product.variants.forEach { v ->
                        FilterChip(
                            selected = state.variant?.id == v.id,
                            onClick = { screen.model.chooseVariant(v.id) },
                            label = { Text(v.values.joinToString(" ")) },
                        )
                    }
                }
            }
            // Whole units here; the core decides whether the quantity is allowed.
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedButton(onClick = { screen.model.setQuantity(state.quantityMilli - 1_000) }) { Text("−") }
                Text("${formatQuantity(state.quantityMilli)} ${product.unit}", Modifier.padding(top = 12.dp))
                OutlinedButton(onClick = { screen.model.setQuantity(state.quantityMilli + 1_000) }) { Text("+") }
            }
            OutlinedTextField(
                state.note,
                screen.model::setNote,
                label = { Text(stringResource(R.string.product_note)) },
                modifier = Modifier.fillMaxWidth(),
            )
            Button(onClick = { screen.act { addToCart() } }, enabled = !state.busy) {
                Text(stringResource(R.string.product_add))
            }
            state.added?.let {
                Text(stringResource(R.string.product_added, formatQuantity(it.quantityMilli)))
                TextButton(onClick = toCart) { Text(stringResource(R.string.product_to_cart)) }
            }
        }
    }
}
