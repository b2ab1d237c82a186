// Orders: the buyer's list with status and history; the seller's order management.
import PasarKit
import SwiftUI

struct OrderSummary: View {
    let order: Order
    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text("#\(order.number) · \(english ? order.statusLabelEn : order.statusLabel)").font(.headline)
            ForEach(order.items.indices, id: \.self) { i in
                let item = order.items[i]
                Text("\(item.quantityLabel) \(item.name) \(item.variantLabel) · \(item.totalLabel)").font(.footnote)
            }
            Text(english ? order.paymentLabelEn : order.paymentLabel).font(.footnote)
            if let shipping = order.shippingLabel { Text(shipping).font(.footnote) }
            Text(L("checkout.breakdown", order.itemsTotalLabel, order.ongkirLabel, order.kodeUnikLabel, order.totalLabel))
                .font(.footnote)
        }
    }
}

struct OrdersView: View {
    @ObservedObject var app: AppModel
    @StateObject private var screen: Screen<OrdersState, OrdersViewModel>
    @State private var reason = ""

    init(app: AppModel) {
        self.app = app
        _screen = StateObject(wrappedValue: Screen(OrdersViewModel(orders: app.pasar!.orders(), accountId: app.accountId!)))
    }

    var body: some View {
        let s = screen.state
        List {
            ErrorLine(error: s.error)
            if let order = s.opened {
                Section {
                    OrderSummary(order: order)
                    if let resi = order.resi { Text(L("order.resi", resi)) }
                    // The history, oldest first, in the core's words.
                    ForEach(s.history.indices, id: \.self) { Text("• " + (english ? s.history[$0].labelEn : s.history[$0].label)) }
                    Button("order.received") { Task { await screen.model.complete(orderId: order.id) } }
                    TextField("order.cancel_reason", text: $reason)
                    Button("order.cancel", role: .destructive) { Task { await screen.model.cancel(orderId: order.id, reason: reason) } }
                }
            }
            if s.orders.isEmpty { Text("orders.empty") }
            ForEach(s.orders) { order in
                Button { Task { await screen.model.open(orderId: order.id) } } label: {
                    Text("#\(order.number) · \(english ? order.statusLabelEn : order.statusLabel) · \(order.totalLabel)")
                }
            }
        }
        .task { await screen.follow() }
        // Moves that sync or a push bring show at once.
        .task { await screen.model.watch() }
        .task(id: app.openOrder) {
            await screen.model.refresh()
            if let id = app.openOrder, !id.isEmpty { await screen.model.open(orderId: id) }
            app.openOrder = nil
        }
        .navigationTitle(Text("tab.orders"))
    }
}

/// Every move is offered; which one an order allows now is the core's to say (it has no
/// "moves allowed" list yet: ARCHITECTURE.md, open points), and a refusal shows its sentence.
struct SellerOrdersView: View {
    let app: AppModel
    @StateObject private var screen: Screen<SellerOrdersState, SellerOrdersViewModel>
    @State private var courier = "JNE REG"
    @State private var resi = ""
    @State private var reason = ""
    @Environment(\.openURL) private var openURL

    init(app: AppModel) {
        self.app = app
        _screen = StateObject(wrappedValue: Screen(SellerOrdersViewModel(orders: app.pasar!.orders(), sellerId: app.accountId!)))
    }

    var body: some View {
        let s = screen.state
        List {
            ErrorLine(error: s.error)
            NavigationLink("seller.new_product") { NewProductView(app: app) }
            Section {
                TextField("seller.courier", text: $courier)
                TextField("seller.resi", text: $resi)
                TextField("order.cancel_reason", text: $reason)
            }
            if let message = s.message, message.link == nil { Text(message.text).font(.footnote) }
            if s.orders.isEmpty { Text("orders.empty") }
            ForEach(s.orders) { order in
                VStack(alignment: .leading) {
                    OrderSummary(order: order)
                    if let address = order.addressLabel { Text(address).font(.footnote) }
                    if !order.note.isEmpty { Text(order.note).font(.footnote) }
                    ScrollView(.horizontal) {
                        HStack {
                            move("seller.confirm_payment") { await screen.model.confirmPayment(orderId: order.id) }
                            move("seller.ship") { await screen.model.ship(orderId: order.id, courier: courier, resi: resi) }
                            move("seller.ready") { await screen.model.readyForPickup(orderId: order.id) }
                            move("seller.delivered") { await screen.model.markDelivered(orderId: order.id) }
                            move("seller.complete") { await screen.model.complete(orderId: order.id) }
                            move("order.cancel") { await screen.model.cancel(orderId: order.id, reason: reason) }
                            move("seller.whatsapp") { await screen.model.whatsappMessage(orderId: order.id) }
                        }
                    }
                }
            }
        }
        .task { await screen.follow() }
        .task { await screen.model.refresh() }
        .task { await screen.model.watch() }
        // A message the seller asked for opens in WhatsApp (wa.me), when the buyer has a number.
        .onChange(of: s.message?.link) { link in
            if let link, let url = URL(string: link) { openURL(url) }
        }
        .navigationTitle(Text("tab.seller"))
    }

    private func move(_ title: LocalizedStringKey, _ action: @escaping () async -> Void) -> some View {
        Button(title) { Task { await action() } }.buttonStyle(.bordered)
    }
}
