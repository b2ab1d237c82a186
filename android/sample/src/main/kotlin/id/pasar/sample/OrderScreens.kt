// Orders: the buyer's list with status and history, and the seller's order management.
package id.pasar.sample

import android.content.Intent
import android.net.Uri
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Add
import androidx.compose.material3.Card
import androidx.compose.material3.FloatingActionButton
import androidx.compose.material3.Icon
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.pasar.ffi.Order
import id.pasar.ui.OrdersViewModel
import id.pasar.ui.SellerOrdersViewModel

@Composable
fun OrdersScreen(session: Session, openId: String?) {
    val screen = held("orders:$openId") { OrdersViewModel(session.pasar.orders, session.accountId) }
    val state = screen.model.collected()
    LaunchedEffect(openId) {
        screen.model.refresh()
        if (openId != null) screen.model.open(openId)
    }
    // Moves that sync or a push bring show at once.
    WhileShown(screen) { screen.model.watch() }
    val en = english()
    var reason by rememberSaveable { mutableStateOf("") }
    Screen(state.busy, state.error) {
        LazyColumn {
            state.opened?.let { order ->
                item {
                    Card(Modifier.padding(16.dp)) {
                        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                            OrderSummary(order, en)
                            order.resi?.let { Text(stringResource(R.string.order_resi, it)) }
                            // The history, oldest first, in the core's words.
                            state.history.forEach { Text("• " + if (en) it.labelEn else it.label) }
                            OutlinedButton(onClick = { screen.act { complete(order.id) } }) { Text(stringResource(R.string.order_received)) }
                            OutlinedTextField(reason, { reason = it }, label = { Text(stringResource(R.string.order_cancel_reason)) })
                            OutlinedButton(onClick = { screen.act { cancel(order.id, reason) } }) { Text(stringResource(R.string.order_cancel)) }
                        }
                    }
                }
            }
            if (state.orders.isEmpty()) item { Text(stringResource(R.string.orders_empty), Modifier.padding(16.dp)) }
            items(state.orders, key = { it.id }) { order ->
                ListItem(
                    headlineContent = { Text("#${order.number} · ${if (en) order.statusLabelEn else order.statusLabel}") },
                    supportingContent = { Text("${order.items.joinToString { it.name }} · ${order.totalLabel}") },
                    modifier = Modifier.clickable { screen.act { open(order.id) } },
                )
            }
        }
    }
}

@Composable
private fun OrderSummary(order: Order, en: Boolean) {
    Text("#${order.number} · ${if (en) order.statusLabelEn else order.statusLabel}", style = MaterialTheme.typography.titleMedium)
    order.items.forEach { Text("${it.quantityLabel} ${it.name} ${it.variantLabel} · ${it.totalLabel}") }
    Text(if (en) order.paymentLabelEn else order.paymentLabel)
    order.shippingLabel?.let { Text(it) }
    Text(stringResource(R.string.checkout_breakdown, order.itemsTotalLabel, order.ongkirLabel, order.kodeUnikLabel, order.totalLabel))
}

/**
 * The seller's orders and her moves. Every move is offered; which one an order allows now
 * is the core's to say (it has no "moves allowed" list yet: see ARCHITECTURE.md, open points),
 * and a refused move shows the core's sentence.
 */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun SellerOrdersScreen(session: Session, newProduct: () -> Unit) {
    val screen = held { SellerOrdersViewModel(session.pasar.orders, session.accountId) }
    val state = screen.model.collected()
    LaunchedEffect(Unit) { screen.model.refresh() }
    WhileShown(screen) { screen.model.watch() }
    val context = LocalContext.current
    // A message the seller asked for: open it in WhatsApp (or show its text without a phone number).
    LaunchedEffect(state.message) {
        val link = state.message?.link ?: return@LaunchedEffect
        context.startActivity(Intent(Intent.ACTION_VIEW, Uri.parse(link)))
    }
    val en = english()
    var courier by rememberSaveable { mutableStateOf("JNE REG") }
    var resi by rememberSaveable { mutableStateOf("") }
    var reason by rememberSaveable { mutableStateOf("") }
    Box(Modifier.fillMaxSize()) {
        Screen(state.busy, state.error) {
            state.message?.takeIf { it.link == null }?.let { Text(it.text, Modifier.padding(16.dp)) }
            LazyColumn {
                item {
                    Column(Modifier.padding(16.dp)) {
                        OutlinedTextField(courier, { courier = it }, label = { Text(stringResource(R.string.seller_courier)) })
                        OutlinedTextField(resi, { resi = it }, label = { Text(stringResource(R.string.seller_resi)) })
                        OutlinedTextField(reason, { reason = it }, label = { Text(stringResource(R.string.order_cancel_reason)) })
                    }
                }
                if (state.orders.isEmpty()) item { Text(stringResource(R.string.orders_empty), Modifier.padding(16.dp)) }
                items(state.orders, key = { it.id }) { order ->
                    Card(Modifier.padding(horizontal = 16.dp, vertical = 4.dp)) {
                        Column(Modifier.padding(12.dp)) {
                            OrderSummary(order, en)
                            order.addressLabel?.let { Text(it) }
                            if (order.note.isNotBlank()) Text(order.note)
                            FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                                val id = order.id
                                OutlinedButton(onClick = { screen.act { confirmPayment(id) } }) { Text(stringResource(R.string.seller_confirm_payment)) }
                                OutlinedButton(onClick = { screen.act { ship(id, courier, resi) } }) { Text(stringResource(R.string.seller_ship)) }
                                OutlinedButton(onClick = { screen.act { readyForPickup(id) } }) { Text(stringResource(R.string.seller_ready)) }
                                OutlinedButton(onClick = { screen.act { markDelivered(id) } }) { Text(stringResource(R.string.seller_delivered)) }
                                OutlinedButton(onClick = { screen.act { complete(id) } }) { Text(stringResource(R.string.seller_complete)) }
                                OutlinedButton(onClick = { screen.act { cancel(id, reason) } }) { Text(stringResource(R.string.order_cancel)) }
                                OutlinedButton(onClick = { screen.act { whatsappMessage(id) } }) { Text(stringResource(R.string.seller_whatsapp)) }
                            }
                        }
                    }
                }
            }
        }
        FloatingActionButton(onClick = newProduct, modifier = Modifier.align(Alignment.BottomEnd).padding(16.dp)) {
            Icon(Icons.Default.Add, stringResource(R.string.seller_new_product))
        }
    }
}
