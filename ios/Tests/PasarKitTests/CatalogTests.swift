// The foundation slice from Swift, against the real core (Linux Swift in our tests).
import Foundation
import XCTest
@testable import PasarKit

final class CatalogTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("pasar-swift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func donat(_ name: String = "Donat coklat", price: Int64 = 25_000) -> NewProduct {
        NewProduct(name: name, description: "isi 6", priceIdr: price, stock: .limited(count: 12))
    }

    func testAProductSurvivesClosingAndReopeningTheStore() async throws {
        var pasar: Pasar? = try await Pasar.open(directory: dir)
        let created = try await pasar!.catalog().createProduct(product: donat())
        XCTAssertEqual(created.priceIdr, 25_000)
        XCTAssertEqual(created.priceLabel, "Rp25.000")
        pasar = nil // closes the store

        let reopened = try await Pasar.open(directory: dir)
        let read = try await reopened.catalog().getProduct(id: created.id)
        XCTAssertEqual(read, created)
    }

    func testBadInputIsATypedValidationErrorAndNothingSavedIsLost() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let catalog = pasar.catalog()
        let kept = try await catalog.createProduct(product: donat("Bantal", price: 45_000))

        do {
            _ = try await catalog.createProduct(product: donat(price: -5))
            XCTFail("a negative price must be refused")
        } catch let error as PasarError {
            guard case let .Validation(field, indonesian, english) = error else {
                return XCTFail("expected a validation error, got \(error)")
            }
            XCTAssertEqual(field, "price_idr")
            XCTAssertEqual(indonesian, "Harga minimal 1")
            XCTAssertEqual(english, "Price must be at least 1")
            XCTAssertEqual(error.field, "price_idr")
        }

        do {
            _ = try await catalog.updateProduct(id: kept.id, patch: ProductPatch(name: "   "))
            XCTFail("a blank name must be refused")
        } catch let error as PasarError {
            XCTAssertEqual(error.field, "name")
            XCTAssertEqual(error.indonesian, "Nama produk wajib diisi")
        }

        do {
            _ = try await catalog.getProduct(id: "' OR 1=1 --")
            XCTFail("a hostile id must be refused")
        } catch let error as PasarError {
            XCTAssertEqual(error.field, "id")
        }

        let page = try await catalog.listProducts(after: nil, limit: 0)
        XCTAssertEqual(page.items, [kept])
    }

    func testAsyncCallsRunConcurrentlyAndPagesComeNewestFirst() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let catalog = pasar.catalog()
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 1...25 {
                group.addTask { try await catalog.createProduct(product: self.donat("Produk \(i)", price: Int64(1_000 * i))).id }
            }
            var ids: [String] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        XCTAssertEqual(Set(ids).count, 25)

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
        let stream = catalog.events() // registered before it returns
        let p = try await catalog.createProduct(product: donat())
        _ = try await catalog.updateProduct(id: p.id, patch: ProductPatch(priceIdr: 27_000))

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
        let recorder = Recorder()
        var handle: ListenerHandle? = catalog.observe(listener: recorder)
        _ = try await catalog.createProduct(product: donat("Satu"))
        _ = try await catalog.createProduct(product: donat("Dua"))
        XCTAssertNotNil(handle)
        handle = nil // dropping the handle stops the listener
        _ = try await catalog.createProduct(product: donat("Tiga"))
        XCTAssertEqual(recorder.heard, ["Satu", "Dua"])
    }

    func testMoneyAndPhoneHelpersSpeakIndonesian() throws {
        XCTAssertEqual(formatRupiah(idr: 1_500_000), "Rp1.500.000")
        XCTAssertEqual(try normalizePhone(input: "0812-3456-7890"), "+6281234567890")
        XCTAssertThrowsError(try normalizePhone(input: "0812")) { error in
            XCTAssertEqual((error as? PasarError)?.field, "phone")
        }
        XCTAssertFalse(Pasar.coreVersion.isEmpty)
    }
}
