// Chat orders: a WhatsApp message pasted by an admin becomes a draft order matched to the
// market's catalog; a chat export becomes every buyer's order and the rekap.
package id.pasar

import id.pasar.ffi.CartLine
import id.pasar.ffi.ChatDraft
import id.pasar.ffi.ChatExport
import id.pasar.ffi.ChatScope
import id.pasar.ffi.ChatService
import id.pasar.ffi.DraftItem
import id.pasar.ffi.TextSpan

/** Chat orders; every call is a coroutine and runs off the main thread in the core. */
class Chats internal constructor(private val ffi: ChatService) : AutoCloseable {
    /**
     * Reads a pasted message ("pesan 2 bantal sm 1 lusin donat ya kak, cod") against the
     * [scope]'s catalog. Every line says what it matched (or that it is ambiguous or
     * unknown, never guessed) with the text span to highlight.
     */
    suspend fun read(scope: ChatScope, text: String): ChatDraft = ffi.parseMessage(scope, text)

    /**
     * Reads a WhatsApp "Export chat" .txt (its bytes, as shared to the app) into every
     * buyer's order, later messages applied, and the rekap to post back to the group.
     */
    suspend fun readExport(
        scope: ChatScope,
        export: ByteArray,
        admins: List<String> = listOf(),
        title: String = "",
    ): ChatExport = ffi.readExport(scope, export, admins, title)

    /**
     * Puts the admin's confirmed lines (a draft's [ChatDraft.items], or her corrections)
     * into the cart in one transaction: all of them or, on an error, none; the error's
     * sentence names the line ("Baris 2 (Donat Bomboloni): Jumlah tidak valid").
     */
    suspend fun addToCart(items: List<DraftItem>): List<CartLine> = ffi.addToCart(items)

    override fun close() = ffi.close()
}

/** The part of [text] a span points at (spans count UTF-16 units, like Kotlin strings). */
fun TextSpan.of(text: String): String = text.substring(start.toInt(), end.toInt())
