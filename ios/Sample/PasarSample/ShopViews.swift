// Buyers: catalog with search, product detail, cart, checkout.
import PasarKit
import SwiftUI

struct CatalogView: View {
    let app: AppModel
    @StateObject private var screen: Screen<CatalogState, CatalogViewModel>
    @State private var typed = ""

    init(app: AppModel) {
        self.app = app
        _screen = StateObject(wrappedValue: Screen(CatalogViewModel(catalog: app.pasar!.catalog(), groupId: app.market?.id)))
    }

    var body: some View {
        let s = screen.state
        List {
            ErrorLine(error: s.error)
            if !s.query.isEmpty && s.understood != s.query { Text(L("catalog.understood", s.understood)) }
            ForEach(s.products, id: \.id) { product in
                NavigationLink(value: product.id) {
                    HStack {
                        ProductPhotoView(app: app, product: product, size: 56)
                        VStack(alignment: .leading) {
                            Text(product.name)
                            Text(product.inStock ? product.priceRangeLabel : "\(product.priceRangeLabel) · \(L("catalog.sold_out"))")
                                .font(.footnote)
                        }
                    }
                }
            }
            if s.hasMore { Button("catalog.more") { Task { await screen.model.loadMore() } } }
        }
        .searchable(text: $typed, prompt: Text("catalog.search"))
        // Search as she types: the core reads typos, abbreviations and filler.
        .task(id: typed) { await screen.model.search(typed) }
        .task { await screen.follow() }
        .task { await screen.model.watch() }
        .navigationTitle(app.market?.name ?? "Pasar")
        .navigationDestination(for: String.self) { ProductView(app: app, productId: $0) }
    }
}

/// A product's first photo: this phone's prepared file, or the server's copy.
struct ProductPhotoView: View {
    let app: AppModel
    let product: Product
    let size: CGFloat
    var thumbnail = true

    var body: some View {
        if let photo = product.photos.first {
            let file = app.pasar!.photoURL(photo, thumbnail: thumbnail)
            let url = FileManager.default.fileExists(atPath: file.path) ? file : app.sync?.photoURL(photo, thumbnail: thumbnail)
            AsyncImage(url: url) { $0.resizable().scaledToFill() } placeholder: { Color.secondary.opacity(0.2) }
                .frame(width: size, height: size).clipped()
        }
    }
}

struct ProductView: View {
    let app: AppModel
    @StateObject private var screen: Screen<ProductDetailState, ProductDetailViewModel>

    init(app: AppModel, productId: String) {
        self.app = app
        _screen = StateObject(wrappedValue: Screen(ProductDetailViewModel(pasar: app.pasar!, productId: productId, sync: app.sync)))
    }

    var body: some View {
        let s = screen.state
        Form {
            ErrorLine(error: s.error)
            if let product = s.product {
                ProductPhotoView(app: app, product: product, size: 240, thumbnail: false)
                Text(product.name).font(.title2)
                // The picked variant's price, or the product's range until one is picked.
                Text(s.variant?.priceLabel ?? product.priceRangeLabel)
                if !product.description.isEmpty { Text(product.description) }
                if !product.variants.isEmpty {
                    Picker(product.options.map(\.name).joined(separator: " / "), selection: Binding(
                        get: { s.variant?.id ?? "" }, set: { screen.model.chooseVariant($0) }
                    )) {
                        Text("—").tag("")
                        ForEach(product.variants, id: \.id) { Text($0.values.joined(separator: " ")).tag($0.id) }
                    }
                }
                // Whole units here; the core decides whether the quantity is allowed.
                Stepper("\(formatQuantity(quantityMilli: s.quantityMilli)) \(product.unit)",
                        onIncrement: { screen.model.setQuantity(milli: s.quantityMilli + 1_000) },
                        onDecrement: { screen.model.setQuantity(milli: s.quantityMilli - 1_000) })
                TextField("product.note", text: Binding(get: { s.note }, set: { screen.model.setNote($0) }))
                Button("product.add") { Task { await screen.model.addToCart() } }.disabled(s.busy)
                if let added = s.added { Text(L("product.added", formatQuantity(quantityMilli: added.quantityMilli))) }
            }
        }
        .task { await screen.follow() }
        .task { await screen.model.load() }
    }
}

struct CartView: View {
    let app: AppModel
    @StateObject private var screen: Screen<CartState, CartViewModel>

    init(app: AppModel) {
        self.app = app
        _screen = StateObject(wrappedValue: Screen(CartViewModel(cart: app.pasar!.cart())))
    }

    var body: some View {
        let s = screen.state
        List {
            ErrorLine(error: s.error)
            if let cart = s.cart {
                if cart.sellers.isEmpty { Text("cart.empty") }
                ForEach(cart.sellers, id: \.sellerName) { seller in
                    Section(seller.sellerName) {
                        ForEach(seller.items, id: \.line.id) { item in
                            VStack(alignment: .leading) {
                                Text("\(item.productName) \(item.variantLabel)")
                                Text("\(item.quantityLabel) · \(item.totalLabel ?? "—")").font(.footnote)
                                // The core's sentence for the line (price changed, out of stock...).
                                if item.state != .ok {
                                    Text(english ? item.stateEnglish : item.stateIndonesian)
                                        .foregroundStyle(item.blocksCheckout ? .red : .secondary)
                                }
                                HStack {
                                    Button("−") { Task { await screen.model.setQuantity(lineId: item.line.id, milli: item.line.quantityMilli - 1_000) } }
                                    Button("+") { Task { await screen.model.setQuantity(lineId: item.line.id, milli: item.line.quantityMilli + 1_000) } }
                                    if case .priceChanged = item.state {
                                        Button("cart.accept_price") { Task { await screen.model.acceptPrice(lineId: item.line.id) } }
                                    }
                                    Button("cart.remove", role: .destructive) { Task { await screen.model.remove(lineId: item.line.id) } }
                                }.buttonStyle(.borderless)
                            }
                        }
                        Text(L("cart.subtotal", seller.subtotalLabel))
                    }
                }
                Text(L("cart.total", cart.totalLabel)).font(.headline)
                NavigationLink("cart.checkout") { CheckoutView(app: app) }.disabled(!s.canCheckout)
            }
        }
        .task { await screen.follow() }
        .task { await screen.model.refresh() }
        .navigationTitle(Text("tab.cart"))
    }
}

/// What the buyer picked for one seller; the core judges it at checkout.
struct Pick {
    var pickup = false
    var courier = Courier.jne
    var service = "REG"
    var payment = "cod"
    var bank = "BCA"
    var wallet = EWallet.goPay

    var method: PaymentMethod {
        switch payment {
        case "transfer": return .bankTransfer(bank: bank)
        case "qris": return .qris
        case "wallet": return .eWallet(wallet: wallet)
        default: return .cod
        }
    }
}

/// Brand names as buyers know them (the core labels these only once an order exists).
let couriers: [(Courier, String)] = [
    (.jne, "JNE"), (.jnt, "J&T"), (.siCepat, "SiCepat"), (.anterAja, "AnterAja"),
    (.pos, "POS"), (.goSend, "GoSend"), (.grabExpress, "GrabExpress"), (.kurir, "Kurir toko"),
]
let wallets: [(EWallet, String)] = [(.goPay, "GoPay"), (.ovo, "OVO"), (.dana, "DANA"), (.shopeePay, "ShopeePay")]

struct CheckoutView: View {
    let app: AppModel
    @StateObject private var screen: Screen<CheckoutState, CheckoutViewModel>
    @State private var address = Array(repeating: "", count: 9)
    @State private var picks: [String: Pick] = [:]
    private let fields = ["recipient", "phone", "street", "kelurahan", "kecamatan", "kabupaten", "provinsi", "kode_pos", "notes"]

    init(app: AppModel) {
        self.app = app
        _screen = StateObject(wrappedValue: Screen(CheckoutViewModel(pasar: app.pasar!, buyerId: app.accountId!)))
    }

    var body: some View {
        let s = screen.state
        Form {
            ErrorLine(error: s.error)
            if !s.orders.isEmpty {
                Section("checkout.placed") {
                    ForEach(s.orders, id: \.id) { o in
                        Text("#\(o.number) · \(english ? o.statusLabelEn : o.statusLabel)")
                        Text(english ? o.paymentLabelEn : o.paymentLabel)
                        Text(L("checkout.breakdown", o.itemsTotalLabel, o.ongkirLabel, o.kodeUnikLabel, o.totalLabel))
                    }
                }
            } else if let cart = s.cart {
                Section("checkout.address") {
                    ForEach(fields.indices, id: \.self) { i in
                        TextField(LocalizedStringKey("address.\(fields[i])"), text: $address[i])
                            .foregroundStyle(s.error?.field == fields[i] ? .red : .primary)
                    }
                }
                ForEach(cart.sellers.compactMap(\.sellerId), id: \.self) { seller in
                    Section(cart.sellers.first { $0.sellerId == seller }?.sellerName ?? "") {
                        PickForm(pick: Binding(get: { picks[seller] ?? Pick() }, set: { picks[seller] = $0 }))
                    }
                }
                Button("checkout.place") { place(cart) }.disabled(s.busy)
            }
        }
        .task { await screen.follow() }
        .task { await screen.model.load() }
    }

    private func place(_ cart: CartView) {
        let a = address
        screen.model.setAddress(a.prefix(8).allSatisfy(\.isEmpty) ? nil : Address(
            recipient: a[0], phone: a[1], street: a[2], kelurahan: a[3], kecamatan: a[4],
            kabupaten: a[5], provinsi: a[6], kodePos: a[7], notes: a[8]))
        for seller in cart.sellers.compactMap(\.sellerId) {
            let p = picks[seller] ?? Pick()
            screen.model.choose(sellerId: seller, shipping: p.pickup ? nil : Shipping(courier: p.courier, service: p.service), payment: p.method)
        }
        Task { await screen.model.place() }
    }
}

struct PickForm: View {
    @Binding var pick: Pick

    var body: some View {
        Toggle("checkout.pickup", isOn: $pick.pickup)
        if !pick.pickup {
            Picker("checkout.courier", selection: $pick.courier) {
                ForEach(couriers.indices, id: \.self) { Text(couriers[$0].1).tag(couriers[$0].0) }
            }
            TextField("checkout.service", text: $pick.service)
        }
        Picker("checkout.payment", selection: $pick.payment) {
            Text("pay.cod").tag("cod")
            Text("pay.transfer").tag("transfer")
            Text("pay.qris").tag("qris")
            Text("pay.wallet").tag("wallet")
        }
        if pick.payment == "transfer" { TextField("pay.bank", text: $pick.bank) }
        if pick.payment == "wallet" {
            Picker("pay.wallet", selection: $pick.wallet) {
                ForEach(wallets.indices, id: \.self) { Text(wallets[$0].1).tag(wallets[$0].0) }
            }
        }
    }
}
