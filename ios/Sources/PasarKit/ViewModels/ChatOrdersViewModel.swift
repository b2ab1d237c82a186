// The admin's chat orders: a pasted WhatsApp message → a draft matched to the market's
// catalog → the cart (then CheckoutViewModel makes the order); a chat export → every
// buyer's order and the rekap to post back to the group.
import Foundation

/// The chat orders screen's state.
public struct ChatOrdersState: ScreenState {
    /// The pasted message.
    public var text = ""
    /// The core's reading of it: each line matched to a product (or ambiguous with its
    /// candidates, or unknown: never guessed) with the text span to highlight, the name,
    /// phone, address and payment it found, a confidence.
    public var draft: ChatDraft?
    /// The cart lines the confirmed draft became.
    public var added: [CartLine] = []
    /// A chat export read: every buyer's order, the tally, and the rekap as WhatsApp text
    /// (`rekapText`), CSV and JSON.
    public var export: ChatExport?
    public var busy = false
    public var error: ScreenError?

    public init() {}
}

/// The admin's tools for a market (`scope`, usually `.group(groupId:)`):
/// ``paste(_:)`` a message, ``addToCart(note:)`` its matched lines in one tap, check out
/// with ``CheckoutViewModel``; or ``importExport(_:admins:title:)`` a whole chat for the
/// rekap.
@MainActor
public final class ChatOrdersViewModel: ScreenModel<ChatOrdersState> {
    private let chat: ChatService
    private let scope: ChatScope

    public init(chat: ChatService, scope: ChatScope) {
        self.chat = chat
        self.scope = scope
        super.init(ChatOrdersState())
    }

    /// Reads a pasted message against the market's catalog.
    @discardableResult
    public func paste(_ text: String) async -> ChatDraft? {
        let (chat, scope) = (chat, scope)
        guard let draft = await attempt({ try await chat.parseMessage(scope: scope, text: text) }) else { return nil }
        var s = state
        s.text = text
        s.draft = draft
        s.added = []
        state = s
        return draft
    }

    /// Puts the draft's cart items (the core's ``ChatDraft/items``) in the cart, all or
    /// none, with `note` on each line. The lines in ``ChatDraft/unsettled`` (ambiguous,
    /// unknown, or in a unit only the seller can size) are left for the admin to settle.
    @discardableResult
    public func addToCart(note: String = "") async -> [CartLine]? {
        guard let draft = state.draft else { return nil }
        let items = draft.items.map { item in
            var item = item
            item.note = note
            return item
        }
        let chat = chat
        guard let lines = await attempt({ try await chat.addToCart(items: items) }) else { return nil }
        state.added = lines
        return lines
    }

    /// Reads a WhatsApp "Export chat" .txt (its bytes) into every buyer's order and the
    /// rekap. `admins`: authors whose messages are not orders; `title` heads the rekap.
    @discardableResult
    public func importExport(_ data: Data, admins: [String] = [], title: String = "") async -> ChatExport? {
        let (chat, scope) = (chat, scope)
        guard let export = await attempt({
            try await chat.readExport(scope: scope, export: data, admins: admins, title: title)
        }) else { return nil }
        state.export = export
        return export
    }
}
