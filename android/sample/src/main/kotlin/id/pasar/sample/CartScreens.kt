// Buyers: the cart as the core checks it, and checkout (address, delivery and payment per seller).
package id.pasar.sample

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateMapOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.snapshots.SnapshotStateMap
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.pasar.ffi.Address
import id.pasar.ffi.Courier
import id.pasar.ffi.EWallet
import id.pasar.ffi.LineState
import id.pasar.ffi.PaymentMethod
import id.pasar.ffi.Shipping
import id.pasar.ui.CartViewModel
import id.pasar.ui.CheckoutViewModel

@Composable
fun CartScreen(session: Session, checkout: () -> Unit) {
    val screen = held { CartViewModel(session.pasar.cart) }
    val state = screen.model.collected()
    LaunchedEffect(Unit) { screen.model.refresh() }
    val en = english()
    Screen(state.busy, state.error) {
        val cart = state.cart ?: return@Screen
        Column(Modifier.verticalScroll(rememberScrollState()).padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            if (cart.sellers.isEmpty()) Text(stringResource(R.string.cart_empty))
            for (seller in cart.sellers) {
                Text(seller.sellerName, style = MaterialTheme.typography.titleMedium)
                for (item in seller.items) {
                    Text("${item.productName} ${item.variantLabel}".trim())
                    Text("${item.quantityLabel} · ${item.totalLabel ?: "—"}")
                    // The core's sentence for the line (price changed, out of stock, pre-order...).
                    if (item.state != LineState.Ok) {
                        Text(
                            if (en) item.stateEnglish else item.stateIndonesian,
                            color = if (item.blocksCheckout) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
                        )
                    }
                    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        val id = item.line.id
                        OutlinedButton(onClick = { screen.act { setQuantity(id, item.line.quantityMilli - 1_000) } }) { Text("−") }
                        OutlinedButton(onClick = { screen.act { setQuantity(id, item.line.quantityMilli + 1_000) } }) { Text("+") }
                        if (item.state is LineState.PriceChanged) {
                            TextButton(onClick = { screen.act { acceptPrice(id) } }) { Text(stringResource(R.string.cart_accept_price)) }
                        }
                        TextButton(onClick = { screen.act { remove(id) } }) { Text(stringResource(R.string.cart_remove)) }
                    }
                }
                Text(stringResource(R.string.cart_subtotal, seller.subtotalLabel))
                HorizontalDivider()
            }
            Text(stringResource(R.string.cart_total, cart.totalLabel), style = MaterialTheme.typography.titleMedium)
            Button(onClick = checkout, enabled = state.canCheckout) { Text(stringResource(R.string.cart_checkout)) }
        }
    }
}

/** What the buyer picked for one seller, as typed; the core judges it at checkout. */
private data class Pick(
    val pickup: Boolean = false,
    val courier: Courier = Courier.JNE,
    val service: String = "REG",
    val payment: String = "cod",
    val bank: String = "BCA",
    val wallet: EWallet = EWallet.GO_PAY,
)

/** Brand names as the buyer knows them. (The core labels these only once an order exists.) */
private val courierNames = mapOf(
    Courier.JNE to "JNE", Courier.JNT to "J&T", Courier.SI_CEPAT to "SiCepat", Courier.ANTER_AJA to "AnterAja",
    Courier.POS to "POS", Courier.GO_SEND to "GoSend", Courier.GRAB_EXPRESS to "GrabExpress", Courier.KURIR to "Kurir toko",
)
private val walletNames = mapOf(EWallet.GO_PAY to "GoPay", EWallet.OVO to "OVO", EWallet.DANA to "DANA", EWallet.SHOPEE_PAY to "ShopeePay")

@OptIn(ExperimentalLayoutApi::class)
@Composable
fun CheckoutScreen(session: Session, done: () -> Unit) {
    val screen = held { CheckoutViewModel(session.pasar, session.accountId) }
    val state = screen.model.collected()
    LaunchedEffect(Unit) { screen.model.load() }
    // The address as typed (recipient … notes), kept across rotation.
    var fields by rememberSaveable { mutableStateOf(List(9) { "" }) }
    val picks = remember { mutableStateMapOf<String, Pick>() }
    val en = english()

    if (state.orders.isNotEmpty()) {
        return Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            Text(stringResource(R.string.checkout_placed), style = MaterialTheme.typography.titleMedium)
            for (o in state.orders) {
                Text("#${o.number} · ${if (en) o.statusLabelEn else o.statusLabel}")
                Text(if (en) o.paymentLabelEn else o.paymentLabel)
                Text(stringResource(R.string.checkout_breakdown, o.itemsTotalLabel, o.ongkirLabel, o.kodeUnikLabel, o.totalLabel))
            }
            Button(onClick = done) { Text(stringResource(R.string.checkout_to_orders)) }
        }
    }
    Screen(state.busy, state.error) {
        val cart = state.cart ?: return@Screen
        Column(Modifier.verticalScroll(rememberScrollState()).padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            Text(stringResource(R.string.checkout_address), style = MaterialTheme.typography.titleMedium)
            val labels = listOf(
                R.string.address_recipient, R.string.address_phone, R.string.address_street, R.string.address_kelurahan,
                R.string.address_kecamatan, R.string.address_kabupaten, R.string.address_provinsi, R.string.address_kode_pos,
                R.string.address_notes,
            )
            val errorField = state.error?.field
            labels.forEachIndexed { i, label ->
                OutlinedTextField(
                    fields[i],
                    { typed -> fields = fields.toMutableList().also { it[i] = typed } },
                    label = { Text(stringResource(label)) },
                    isError = errorField != null && addressFields[i] == errorField,
                    modifier = Modifier.fillMaxWidth(),
                )
            }
            for (seller in cart.sellers) {
                val sellerId = seller.sellerId ?: continue
                val pick = picks[sellerId] ?: Pick()
                HorizontalDivider()
                Text("${seller.sellerName} · ${seller.subtotalLabel}", style = MaterialTheme.typography.titleMedium)
                PickRow(picks, sellerId, pick)
            }
            Button(
                enabled = !state.busy,
                onClick = {
                    val f = fields
                    val address = if (f.take(8).all { it.isBlank() }) null else Address(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8])
                    screen.model.setAddress(address)
                    for (seller in cart.sellers) {
                        val id = seller.sellerId ?: continue
                        val p = picks[id] ?: Pick()
                        screen.model.choose(id, if (p.pickup) null else Shipping(p.courier, p.service), payment(p))
                    }
                    screen.act { place() }
                },
            ) { Text(stringResource(R.string.checkout_place)) }
        }
    }
}

/** The core's field names for the address form, in the form's order (to mark the field it refuses). */
private val addressFields = listOf("recipient", "phone", "street", "kelurahan", "kecamatan", "kabupaten", "provinsi", "kode_pos", "notes")

private fun payment(p: Pick): PaymentMethod = when (p.payment) {
    "transfer" -> PaymentMethod.BankTransfer(p.bank)
    "qris" -> PaymentMethod.Qris
    "wallet" -> PaymentMethod.EWallet(p.wallet)
    else -> PaymentMethod.Cod
}

@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun PickRow(picks: SnapshotStateMap<String, Pick>, sellerId: String, pick: Pick) {
    fun set(p: Pick) { picks[sellerId] = p }
    FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        FilterChip(pick.pickup, { set(pick.copy(pickup = true)) }, { Text(stringResource(R.string.checkout_pickup)) })
        courierNames.forEach { (courier, name) ->
            FilterChip(!pick.pickup && pick.courier == courier, { set(pick.copy(pickup = false, courier = courier)) }, { Text(name) })
        }
    }
    if (!pick.pickup) {
        OutlinedTextField(pick.service, { set(pick.copy(service = it)) }, label = { Text(stringResource(R.string.checkout_service)) })
    }
    FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        listOf("cod" to R.string.pay_cod, "transfer" to R.string.pay_transfer, "qris" to R.string.pay_qris, "wallet" to R.string.pay_wallet)
            .forEach { (kind, label) ->
                FilterChip(pick.payment == kind, { set(pick.copy(payment = kind)) }, { Text(stringResource(label)) })
            }
    }
    when (pick.payment) {
        "transfer" -> OutlinedTextField(pick.bank, { set(pick.copy(bank = it)) }, label = { Text(stringResource(R.string.pay_bank)) })
        "wallet" -> FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            walletNames.forEach { (wallet, name) ->
                FilterChip(pick.wallet == wallet, { set(pick.copy(wallet = wallet)) }, { Text(name) })
            }
        }
    }
}
