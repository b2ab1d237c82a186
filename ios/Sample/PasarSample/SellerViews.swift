// Sellers: a new product from the camera or the photo library. The core prepares the
// photo (upright, small, GPS stripped) and reads the price as she types it.
import PasarKit
import PhotosUI
import SwiftUI
import UIKit

struct NewProductView: View {
    let app: AppModel
    @StateObject private var screen: Screen<NewProductState, NewProductViewModel>
    @State private var picked: PhotosPickerItem?
    @State private var camera = false
    @State private var stock = ""
    @State private var weight = ""
    @Environment(\.dismiss) private var dismiss

    init(app: AppModel) {
        self.app = app
        let groups = app.market.map { [$0.id] } ?? []
        _screen = StateObject(wrappedValue: Screen(NewProductViewModel(
            catalog: app.pasar!.catalog(), sellerId: app.accountId!, groupIds: groups)))
    }

    var body: some View {
        let s = screen.state
        let form = s.form
        Form {
            ErrorLine(error: s.error)
            Section {
                if UIImagePickerController.isSourceTypeAvailable(.camera) {
                    Button("new.camera") { camera = true }
                }
                PhotosPicker("new.gallery", selection: $picked, matching: .images)
                ScrollView(.horizontal) {
                    HStack {
                        ForEach(s.photos, id: \.hash) { photo in
                            AsyncImage(url: app.pasar!.photoURL(photo, thumbnail: true)) { $0.resizable().scaledToFill() }
                                placeholder: { Color.secondary.opacity(0.2) }
                                .frame(width: 72, height: 72).clipped()
                        }
                    }
                }
            }
            Section {
                TextField("new.name", text: edit(\.name))
                // The price as she types it ("25rb", "Rp 1,5 jt"); the core's reading below.
                TextField("new.price", text: edit(\.price))
                if let label = s.priceLabel { Text(label).font(.footnote) }
                ErrorLine(error: s.priceError)
                TextField("new.unit", text: edit(\.unit))
                TextField("new.stock", text: $stock).keyboardType(.numberPad)
                    .onChange(of: stock) { typed in
                        var f = screen.model.state.form
                        f.stock = Int64(typed).map { .limited(count: $0) } ?? .unlimited
                        screen.model.edit(f)
                    }
                TextField("new.weight", text: $weight).keyboardType(.numberPad)
                    .onChange(of: weight) { typed in
                        var f = screen.model.state.form
                        f.weightGrams = UInt32(typed) ?? 0
                        screen.model.edit(f)
                    }
                TextField("new.description", text: edit(\.description), axis: .vertical)
                if let market = app.market { Text(L("new.listed_in", market.name)).font(.footnote) }
            }
            Button("new.save") { Task { await screen.model.save() } }.disabled(s.busy || form.name.isEmpty)
        }
        .task { await screen.follow() }
        .onChange(of: picked) { item in
            guard let item else { return }
            Task {
                if let data = try? await item.loadTransferable(type: Data.self) { await add(data) }
                picked = nil
            }
        }
        .onChange(of: s.saved?.id) { id in if id != nil { dismiss() } }
        .sheet(isPresented: $camera) {
            CameraPicker { image in Task { await add(image.jpegData(compressionQuality: 0.9)) } }.ignoresSafeArea()
        }
        .navigationTitle(Text("seller.new_product"))
    }

    /// A binding to one text field of the form; every keystroke goes through the view model.
    private func edit(_ field: WritableKeyPath<ProductForm, String>) -> Binding<String> {
        Binding(get: { screen.state.form[keyPath: field] }, set: { value in
            var f = screen.model.state.form
            f[keyPath: field] = value
            screen.model.edit(f)
        })
    }

    /// The core reads JPEG, PNG and WebP, not HEIC: the photo library's HEIC goes in as JPEG.
    private func add(_ data: Data?) async {
        guard let data else { return }
        let jpeg = UIImage(data: data).flatMap { $0.jpegData(compressionQuality: 0.9) } ?? data
        await screen.model.addPhoto(jpeg)
    }
}

/// The system camera (UIImagePickerController): SwiftUI has no camera view of its own.
struct CameraPicker: UIViewControllerRepresentable {
    let taken: (UIImage) -> Void
    @Environment(\.dismiss) private var dismiss

    func makeUIViewController(context: Context) -> UIImagePickerController {
        let picker = UIImagePickerController()
        picker.sourceType = .camera
        picker.delegate = context.coordinator
        return picker
    }

    func updateUIViewController(_ controller: UIImagePickerController, context: Context) {}

    func makeCoordinator() -> Coordinator { Coordinator(self) }

    final class Coordinator: NSObject, UIImagePickerControllerDelegate, UINavigationControllerDelegate {
        let parent: CameraPicker
        init(_ parent: CameraPicker) { self.parent = parent }

        func imagePickerController(
            _ picker: UIImagePickerController, didFinishPickingMediaWithInfo info: [UIImagePickerController.InfoKey: Any]
        ) {
            if let image = info[.originalImage] as? UIImage { parent.taken(image) }
            parent.dismiss()
        }

        func imagePickerControllerDidCancel(_ picker: UIImagePickerController) { parent.dismiss() }
    }
}
