// Group admins: paste a WhatsApp message → a draft order matched to the market's catalog
// → the cart → checkout; or a whole chat export → every buyer's order → the rekap to post.
package id.pasar.sample

import android.content.Intent
import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
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
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.AnnotatedString
import androidx.compose.ui.text.SpanStyle
import androidx.compose.ui.text.buildAnnotatedString
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import id.pasar.ffi.ChatDraft
import id.pasar.ffi.ChatMatch
import id.pasar.ffi.ChatScope
import id.pasar.formatQuantity
import id.pasar.ui.ChatOrdersViewModel
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

@Composable
fun ChatOrdersScreen(session: Session, shared: Uri?, onShareUsed: () -> Unit, checkout: () -> Unit) {
    val scope = session.market?.let { ChatScope.Group(it.id) } ?: ChatScope.Everything
    val screen = held("chat:${session.market?.id}") { ChatOrdersViewModel(session.pasar.chat, scope) }
    val state = screen.model.collected()
    val context = LocalContext.current
    var text by rememberSaveable { mutableStateOf("") }

    fun importFrom(uri: Uri) = screen.act {
        val bytes = withContext(Dispatchers.IO) { context.contentResolver.openInputStream(uri)?.use { it.readBytes() } }
        if (bytes != null) importExport(bytes, title = session.market?.name.orEmpty())
    }
    val pick = rememberLauncherForActivityResult(ActivityResultContracts.GetContent()) { uri -> uri?.let(::importFrom) }
    // An export shared from WhatsApp ("Ekspor chat" → Pasar) lands here.
    LaunchedEffect(shared) {
        if (shared != null) {
            importFrom(shared)
            onShareUsed()
        }
    }

    Screen(state.busy, state.error) {
        Column(Modifier.verticalScroll(rememberScrollState()).padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedTextField(text, { text = it }, label = { Text(stringResource(R.string.chat_paste)) }, minLines = 3, modifier = Modifier.fillMaxWidth())
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(onClick = { screen.act { paste(text) } }) { Text(stringResource(R.string.chat_read)) }
                OutlinedButton(onClick = { pick.launch("text/*") }) { Text(stringResource(R.string.chat_import)) }
            }
            state.draft?.let { draft -> Draft(state.text, draft) }
            if (state.draft?.lines?.any { it.matched is ChatMatch.Product } == true) {
                val note = state.draft?.name?.value.orEmpty()
                Button(onClick = { screen.act { addToCart(note) } }) { Text(stringResource(R.string.chat_to_cart)) }
            }
            if (state.added.isNotEmpty()) {
                Text(stringResource(R.string.chat_added, state.added.size))
                Button(onClick = checkout) { Text(stringResource(R.string.cart_checkout)) }
            }
            state.export?.let { export ->
                HorizontalDivider()
                Text(stringResource(R.string.chat_buyers, export.buyers.size, export.tally.messages.toInt()), style = MaterialTheme.typography.titleMedium)
                for (buyer in export.buyers) {
                    Text(buyer.buyer + if (buyer.cancelled) " ✕" else "", style = MaterialTheme.typography.titleSmall)
                    buyer.lines.forEach { Text("  ${formatQuantity(it.quantityMilli)} ${it.unit} ${it.name}") }
                    buyer.unresolved.forEach { Text("  ? ${it.text}", color = MaterialTheme.colorScheme.error) }
                }
                Text(export.rekapText, style = MaterialTheme.typography.bodySmall)
                Button(onClick = {
                    val send = Intent(Intent.ACTION_SEND).setType("text/plain").putExtra(Intent.EXTRA_TEXT, export.rekapText)
                    context.startActivity(Intent.createChooser(send, null))
                }) { Text(stringResource(R.string.chat_share_rekap)) }
            }
        }
    }
}

/** The core's reading of the message: the product words highlighted, each line's match. */
@Composable
private fun Draft(text: String, draft: ChatDraft) {
    Text(highlighted(text, draft))
    for (line in draft.lines) {
        val quantity = line.quantityMilli?.let(::formatQuantity) ?: "1"
        when (val m = line.matched) {
            is ChatMatch.Product -> Text("✓ $quantity ${m.unit} ${m.name} ${m.variant.joinToString { it.value }}")
            is ChatMatch.Ambiguous -> Text(
                stringResource(R.string.chat_ambiguous, line.text, m.candidates.joinToString { it.name }),
                color = MaterialTheme.colorScheme.error,
            )
            ChatMatch.Unknown -> Text(stringResource(R.string.chat_unknown, line.text), color = MaterialTheme.colorScheme.error)
        }
    }
    draft.name?.let { Text(stringResource(R.string.chat_name, it.value)) }
    draft.phone?.let { Text(stringResource(R.string.chat_phone, it.value)) }
    draft.address?.let { Text(stringResource(R.string.chat_address, it.value)) }
}

private fun highlighted(text: String, draft: ChatDraft): AnnotatedString = buildAnnotatedString {
    append(text)
    for (line in draft.lines) {
        val s = line.productSpan
        if (s.end.toInt() <= text.length && s.start < s.end) {
            addStyle(SpanStyle(fontWeight = FontWeight.Bold), s.start.toInt(), s.end.toInt())
        }
    }
}
