// The catalog from Swift, against the real core (Linux Swift in our tests).
import Foundation
import XCTest
@testable import PasarKit

/// A fresh data folder per test, and the products the tests list.
class PasarTestCase: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("pasar-swift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// A seller to list products for: every product has one.
    func seller(_ pasar: Pasar, name: String = "Dapur Bu Rina") async throws -> String {
        try await pasar.accounts().saveAccount(account: NewAccount(name: name, phone: "0812-3456-7890")).id
    }

    func donat(_ seller: String, _ name: String = "Donat coklat", price: String = "25rb") -> NewProduct {
        NewProduct(sellerId: seller, name: name, description: "isi 6", price: price, stock: .limited(count: 12))
    }

    /// Kaos in Warna (Merah, Biru) × Ukuran (M, L); `override` costs more and has its own stock.
    func kaos(_ seller: String, override: [String] = ["biru", "l"]) -> NewProduct {
        NewProduct(
            sellerId: seller, name: "Kaos polos", price: "25rb", unit: "Pcs",
            stock: .limited(count: 10), preorderDays: 3, category: "Pakaian",
            options: [
                VariantOption(name: "Warna", values: ["Merah", "Biru"]),
                VariantOption(name: "Ukuran", values: ["M", "L"]),
            ],
            variants: [NewVariant(values: override, price: "30rb", stock: .limited(count: 2), sku: "KAOS-B-L")]
        )
    }

    /// Runs `body`, expecting a `PasarError`, and returns it.
    func refusal<T>(_ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async -> PasarError? {
        do {
            let value = try await body()
            XCTFail("expected an error, got \(value)", file: file, line: line)
        } catch let error as PasarError {
            return error
        } catch {
            XCTFail("expected a PasarError, got \(error)", file: file, line: line)
        }
        return nil
    }
}

final class CatalogTests: PasarTestCase {
    func testAProductWithTypedPricesAndVariantsSurvivesClosingAndReopeningTheStore() async throws {
        var pasar: Pasar? = try await Pasar.open(directory: dir)
        let created = try await pasar!.catalog().createProduct(product: kaos(try await seller(pasar!)))
        XCTAssertEqual(created.priceIdr, 25_000)
        XCTAssertEqual(created.priceLabel, "Rp25.000")
        XCTAssertEqual(created.priceRangeLabel, "Rp25.000 – Rp30.000")
        XCTAssertEqual(created.unit, "pcs")
        XCTAssertEqual(created.preorderDays, 3)
        XCTAssertEqual(created.category, "Pakaian")
        XCTAssertTrue(created.inStock)
        XCTAssertEqual(created.variants.map(\.values), [["Merah", "M"], ["Merah", "L"], ["Biru", "M"], ["Biru", "L"]])
        let biruL = try XCTUnwrap(created.variants.last)
        XCTAssertEqual(biruL.priceIdr, 30_000)
        XCTAssertEqual(biruL.priceLabel, "Rp30.000")
        XCTAssertTrue(biruL.ownPrice)
        XCTAssertEqual(biruL.stock, .limited(count: 2))
        XCTAssertEqual(biruL.sku, "KAOS-B-L")
        let merahM = try XCTUnwrap(created.variants.first)
        XCTAssertEqual(merahM.priceIdr, 25_000)
        XCTAssertFalse(merahM.ownPrice)
        XCTAssertNil(merahM.stock, "shares the product's stock")
        XCTAssertEqual(Set(created.variants.map(\.id)).count, 4)
        pasar = nil // closes the store

        let reopened = try await Pasar.open(directory: dir)
        let read = try await reopened.catalog().getProduct(id: created.id)
        XCTAssertEqual(read, created)
    }

    func testBadInputIsATypedErrorInIndonesianAndNothingSavedIsLost() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let catalog = pasar.catalog()
        let seller = try await seller(pasar)
        let kept = try await catalog.createProduct(product: kaos(seller))
        func nothingLost(file: StaticString = #filePath, line: UInt = #line) async throws {
            let page = try await catalog.listProducts(after: nil, limit: 0)
            XCTAssertEqual(page.items, [kept], file: file, line: line)
            let read = try await catalog.getProduct(id: kept.id)
            XCTAssertEqual(read, kept, file: file, line: line)
        }

        let murah = await refusal { try await catalog.createProduct(product: self.donat(seller, price: "murah")) }
        guard case let .Validation(field, indonesian, english)? = murah else {
            return XCTFail("expected a validation error, got \(String(describing: murah))")
        }
        XCTAssertEqual(field, "price")
        XCTAssertEqual(indonesian, "Harga tidak terbaca. Tulis seperti 25000, 25rb atau Rp25.000")
        XCTAssertEqual(english, "Price cannot be read. Write it like 25000, 25rb or Rp25.000")
        // What an alert shows: the core's message, Indonesian unless the phone speaks another language.
        let shown = (murah as Error?)?.localizedDescription
        XCTAssertTrue(shown == indonesian || shown == english, "\(String(describing: shown))")
        try await nothingLost()

        let zero = await refusal { try await catalog.createProduct(product: self.donat(seller, price: "0")) }
        XCTAssertEqual(zero?.field, "price")
        XCTAssertEqual(zero?.indonesian, "Harga minimal 1")
        try await nothingLost()

        let combination = await refusal {
            try await catalog.createProduct(product: self.kaos(seller, override: ["Hijau", "M"]))
        }
        XCTAssertEqual(combination?.field, "variants")
        XCTAssertEqual(combination?.indonesian, "Varian tidak valid")
        try await nothingLost()

        let nobody = await refusal {
            try await catalog.createProduct(product: self.donat("0190a3e0-7d2c-7cc0-8000-0000000000ff"))
        }
        guard case .NotFound? = nobody else { return XCTFail("expected not found, got \(String(describing: nobody))") }
        XCTAssertEqual(nobody?.indonesian, "Penjual tidak ditemukan")
        try await nothingLost()

        let blank = await refusal { try await catalog.updateProduct(id: kept.id, patch: ProductPatch(name: "   ")) }
        XCTAssertEqual(blank?.field, "name")
        XCTAssertEqual(blank?.indonesian, "Nama produk wajib diisi")
        let badPatch = await refusal {
            try await catalog.updateProduct(id: kept.id, patch: ProductPatch(price: "nego"))
        }
        XCTAssertEqual(badPatch?.field, "price")
        try await nothingLost()

        let hostile = await refusal { try await catalog.getProduct(id: "' OR 1=1 --") }
        XCTAssertEqual(hostile?.field, "id")
        try await nothingLost()
    }

    func testAPatchChangesWhatItNamesAndClearsWithZeroAndEmptyText() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let catalog = pasar.catalog()
        let p = try await catalog.createProduct(product: kaos(try await seller(pasar)))
        let biruL = p.variants.last?.id

        let ready = try await catalog.updateProduct(
            id: p.id, patch: ProductPatch(price: "Rp 27.500", preorderDays: 0, category: ""))
        XCTAssertNil(ready.preorderDays)
        XCTAssertNil(ready.category)
        XCTAssertEqual(ready.priceLabel, "Rp27.500")
        XCTAssertEqual(ready.priceRangeLabel, "Rp27.500 – Rp30.000")
        XCTAssertEqual(ready.name, p.name)

        let fewer = try await catalog.updateProduct(id: p.id, patch: ProductPatch(variants: VariantsInput(options: [
            VariantOption(name: "Warna", values: ["Biru", "Hitam"]),
            VariantOption(name: "Ukuran", values: ["L"]),
        ])))
        XCTAssertEqual(fewer.variants.map(\.values), [["Biru", "L"], ["Hitam", "L"]])
        XCTAssertEqual(fewer.variants.first?.id, biruL, "a surviving combination keeps its id")
        XCTAssertEqual(fewer.priceRangeLabel, "Rp27.500")

        let plain = try await catalog.updateProduct(id: p.id, patch: ProductPatch(variants: VariantsInput(options: [])))
        XCTAssertTrue(plain.options.isEmpty && plain.variants.isEmpty)
        let soldOut = try await catalog.updateProduct(id: p.id, patch: ProductPatch(stock: .limited(count: 0)))
        XCTAssertFalse(soldOut.inStock)
    }

    func testAsyncCallsRunConcurrentlyAndPagesComeNewestFirst() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let catalog = pasar.catalog()
        let seller = try await seller(pasar)
        let made = try await withThrowingTaskGroup(of: Product.self) { group in
            for i in 1...25 {
                group.addTask { try await catalog.createProduct(product: self.donat(seller, "Produk \(i)", price: "\(i)rb")) }
            }
            var made: [Product] = []
            for try await product in group { made.append(product) }
            return made
        }
        let ids = made.map(\.id)
        XCTAssertEqual(Set(ids).count, 25)
        XCTAssertEqual(Set(made.map(\.priceIdr)), Set((1...25).map { Int64($0 * 1_000) }))

        var seen: [String] = []
        var cursor: String? = nil
        repeat {
            let page = try await catalog.listProducts(after: cursor, limit: 10)
            XCTAssertLessThanOrEqual(page.items.count, 10)
            seen += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        XCTAssertEqual(seen, ids.sorted().reversed(), "UUIDv7 ids: newest first")
    }

    func testTheEventStreamDeliversChangesAndStopsWhenIterationEnds() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let catalog = pasar.catalog()
        let seller = try await seller(pasar)
        let stream = catalog.events() // registered before it returns
        let p = try await catalog.createProduct(product: donat(seller))
        _ = try await catalog.updateProduct(id: p.id, patch: ProductPatch(price: "27rb"))

        var prices: [Int64] = []
        for await event in stream {
            if case let .productSaved(product) = event { prices.append(product.priceIdr) }
            if prices.count == 2 { break } // ends the stream, cancels the listener
        }
        XCTAssertEqual(prices, [25_000, 27_000])
    }

    func testACancelledListenerHearsNothingMore() async throws {
        final class Recorder: CatalogListener, @unchecked Sendable {
            private let lock = NSLock()
            private var names: [String] = []
            func onEvent(event: CatalogEvent) {
                if case let .productSaved(product) = event {
                    lock.lock(); names.append(product.name); lock.unlock()
                }
            }
            var heard: [String] { lock.lock(); defer { lock.unlock() }; return names }
        }
        let pasar = try await Pasar.open(directory: dir)
        let catalog = pasar.catalog()
        let seller = try await seller(pasar)
        let recorder = Recorder()
        var handle: ListenerHandle? = catalog.observe(listener: recorder)
        _ = try await catalog.createProduct(product: donat(seller, "Satu"))
        _ = try await catalog.createProduct(product: donat(seller, "Dua"))
        XCTAssertNotNil(handle)
        handle = nil // dropping the handle stops the listener
        _ = try await catalog.createProduct(product: donat(seller, "Tiga"))
        XCTAssertEqual(recorder.heard, ["Satu", "Dua"])
    }

    func testMoneyAndPhoneHelpersSpeakIndonesian() throws {
        XCTAssertEqual(formatRupiah(idr: 1_500_000), "Rp1.500.000")
        XCTAssertEqual(try parseRupiah(text: "Rp 1,5 jt"), 1_500_000)
        XCTAssertEqual(try parseRupiah(text: "25rb"), 25_000)
        XCTAssertEqual(try parseRupiah(text: "Rp25.000,-"), 25_000)
        XCTAssertThrowsError(try parseRupiah(text: "murah")) { error in
            XCTAssertEqual((error as? PasarError)?.field, "price")
            XCTAssertEqual((error as? PasarError)?.indonesian.hasPrefix("Harga tidak terbaca"), true)
        }
        XCTAssertEqual(try normalizePhone(input: "0812-3456-7890"), "+6281234567890")
        XCTAssertThrowsError(try normalizePhone(input: "0812")) { error in
            XCTAssertEqual((error as? PasarError)?.field, "phone")
        }
        XCTAssertFalse(Pasar.coreVersion.isEmpty)
    }
}
