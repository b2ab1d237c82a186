// Group admins: paste a WhatsApp message → a draft order matched to the market's catalog
// → the cart → checkout; or a whole chat export → every buyer's order → the rekap.
import PasarKit
import SwiftUI
import UniformTypeIdentifiers

struct ChatOrdersView: View {
    let app: AppModel
    @StateObject private var screen: Screen<ChatOrdersState, ChatOrdersViewModel>
    @State private var text = ""
    @State private var importing = false

    init(app: AppModel) {
        self.app = app
        let scope: ChatScope = app.market.map { .group(groupId: $0.id) } ?? .everything
        _screen = StateObject(wrappedValue: Screen(ChatOrdersViewModel(chat: app.pasar!.chat(), scope: scope)))
    }

    var body: some View {
        let s = screen.state
        Form {
            ErrorLine(error: s.error)
            Section {
                TextField("chat.paste", text: $text, axis: .vertical).lineLimit(3...8)
                Button("chat.read") { Task { await screen.model.paste(text) } }
                Button("chat.import") { importing = true }
            }
            if let draft = s.draft {
                Section {
                    ForEach(draft.lines.indices, id: \.self) { i in lineView(draft.lines[i]) }
                    if let name = draft.name { Text(L("chat.name", name.value)) }
                    if let phone = draft.phone { Text(L("chat.phone", phone.value)) }
                    if let address = draft.address { Text(L("chat.address", address.value)) }
                    Button("chat.to_cart") { Task { await screen.model.addToCart(note: draft.name?.value ?? "") } }
                    if !s.added.isEmpty {
                        Text(L("chat.added", s.added.count))
                        NavigationLink("cart.checkout") { CheckoutView(app: app) }
                    }
                }
            }
            if let export = s.export {
                Section(L("chat.buyers", export.buyers.count, Int(export.tally.messages))) {
                    ForEach(export.buyers.indices, id: \.self) { i in
                        let buyer = export.buyers[i]
                        VStack(alignment: .leading) {
                            Text(buyer.buyer + (buyer.cancelled ? " ✕" : "")).font(.headline)
                            ForEach(buyer.lines.indices, id: \.self) { j in
                                let line = buyer.lines[j]
                                Text("\(formatQuantity(quantityMilli: line.quantityMilli)) \(line.unit) \(line.name)")
                            }
                            ForEach(buyer.unresolved.indices, id: \.self) { Text("? " + buyer.unresolved[$0].text).foregroundStyle(.red) }
                        }
                    }
                    Text(export.rekapText).font(.footnote.monospaced())
                    ShareLink(item: export.rekapText) { Text("chat.share_rekap") }
                }
            }
        }
        .task { await screen.follow() }
        .fileImporter(isPresented: $importing, allowedContentTypes: [.plainText, .text]) { result in
            guard case let .success(url) = result else { return }
            let scoped = url.startAccessingSecurityScopedResource()
            defer { if scoped { url.stopAccessingSecurityScopedResource() } }
            guard let data = try? Data(contentsOf: url) else { return }
            Task { await screen.model.importExport(data, title: app.market?.name ?? "") }
        }
        .navigationTitle(Text("tab.admin"))
    }

    /// One line of the draft: what it matched, or why it needs the admin.
    @ViewBuilder private func lineView(_ line: ChatLine) -> some View {
        let quantity = line.quantityMilli.map { formatQuantity(quantityMilli: $0) } ?? "1"
        switch line.matched {
        case let .product(_, name, unit, variant):
            Text("✓ \(quantity) \(unit) \(name) \(variant.map(\.value).joined(separator: " "))")
        case let .ambiguous(candidates):
            Text(L("chat.ambiguous", line.text, candidates.map(\.name).joined(separator: ", "))).foregroundStyle(.red)
        case .unknown:
            Text(L("chat.unknown", line.text)).foregroundStyle(.red)
        }
    }
}
