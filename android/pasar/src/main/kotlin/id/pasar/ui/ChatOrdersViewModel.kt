// The admin's chat orders: a pasted WhatsApp message → a draft matched to the market's
// catalog → the cart (then CheckoutViewModel makes the order); a chat export → every
// buyer's order and the rekap to post back to the group.
package id.pasar.ui

import id.pasar.Chats
import id.pasar.ffi.CartLine
import id.pasar.ffi.ChatDraft
import id.pasar.ffi.ChatExport
import id.pasar.ffi.ChatScope

/**
 * The chat orders screen's state.
 *
 * @property text the pasted message.
 * @property draft the core's reading of it: each line matched to a product (or
 *   ambiguous with its candidates, or unknown: never guessed) with the text span to
 *   highlight, the name, phone, address and payment it found, a confidence.
 * @property added the cart lines the confirmed draft became.
 * @property export a chat export read: every buyer's order, the tally, and the rekap as
 *   WhatsApp text (`rekapText`), CSV and JSON.
 */
data class ChatOrdersState(
    val text: String = "",
    val draft: ChatDraft? = null,
    val added: List<CartLine> = listOf(),
    val export: ChatExport? = null,
    val busy: Boolean = false,
    val error: ScreenError? = null,
)

/**
 * The admin's tools for a market ([scope], usually `ChatScope.Group`): [paste] a
 * message, [addToCart] its matched lines in one tap, check out with
 * [CheckoutViewModel]; or [importExport] a whole chat for the rekap.
 */
class ChatOrdersViewModel(
    private val chat: Chats,
    private val scope: ChatScope,
) : ScreenModel<ChatOrdersState>(ChatOrdersState()) {
    override fun progress(state: ChatOrdersState, busy: Boolean, error: ScreenError?) =
        state.copy(busy = busy, error = error)

    /** Reads a pasted message against the market's catalog. */
    suspend fun paste(text: String): ChatDraft? {
        val draft = attempt { chat.read(scope, text) } ?: return null
        update { it.copy(text = text, draft = draft, added = listOf()) }
        return draft
    }

    /**
     * Puts the draft's cart items (the core's [ChatDraft.items]) in the cart, all or
     * none, with [note] on each line. The lines in [ChatDraft.unsettled] (ambiguous,
     * unknown, or in a unit only the seller can size) are left for the admin to settle.
     */
    suspend fun addToCart(note: String = ""): List<CartLine>? {
        val draft = state.value.draft ?: return null
        val lines = attempt { chat.addToCart(draft.items.map { it.copy(note = note) }) } ?: return null
        update { it.copy(added = lines) }
        return lines
    }

    /**
     * Reads a WhatsApp "Export chat" .txt (its bytes) into every buyer's order and the
     * rekap. [admins]: authors whose messages are not orders; [title] heads the rekap.
     */
    suspend fun importExport(bytes: ByteArray, admins: List<String> = listOf(), title: String = ""): ChatExport? {
        val export = attempt { chat.readExport(scope, bytes, admins, title) } ?: return null
        update { it.copy(export = export) }
        return export
    }
}
