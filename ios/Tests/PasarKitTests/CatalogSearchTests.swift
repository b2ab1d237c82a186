// Photos, search, import and export from Swift, against the real core: what the catalog
// issue calls done, the way an app would do it.
import Foundation
import XCTest
@testable import PasarKit

/// The phone photo of `tests/fixtures`: staged next to this file by `tests/run`
/// (`Fixtures/`), or in the repository's `tests/fixtures/` on a Mac checkout.
func fixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Data {
    let here = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent()
    let candidates = [
        here.appendingPathComponent("Fixtures").appendingPathComponent(name),
        here.appendingPathComponent("../../../tests/fixtures").appendingPathComponent(name).standardizedFileURL,
    ]
    for url in candidates where FileManager.default.fileExists(atPath: url.path) {
        return try Data(contentsOf: url)
    }
    XCTFail("no fixture \(name) in \(candidates.map(\.path))", file: file, line: line)
    throw CocoaError(.fileNoSuchFile)
}

/// What a phone writes into a photo and a listing must never carry.
private let secrets = ["GPS", "Exif", "xmpmeta", "rumah Ibu Sari", "Xiaomi"]

final class CatalogSearchTests: PasarTestCase {
    /// Donat Cokelat Lumer, Topping (Keju, Meses) × Isi (6, 12); Meses/12 costs 45rb.
    func donatLumer(_ seller: String, photos: [String] = []) -> NewProduct {
        NewProduct(
            sellerId: seller, name: "Donat Cokelat Lumer", description: "Donat empuk, cokelat lumer di dalam",
            price: "25rb", stock: .limited(count: 30), category: "Kue",
            options: [
                VariantOption(name: "Topping", values: ["Keju", "Meses"]),
                VariantOption(name: "Isi", values: ["6", "12"]),
            ],
            variants: [NewVariant(values: ["meses", "12"], price: "45rb")],
            photos: photos
        )
    }

    func testASellerListsAPhonePhotoWithoutItsMetadataAndBuyersFindTheProductAsTheyType() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let catalog = pasar.catalog()
        let seller = try await seller(pasar)
        let photo = try await catalog.addPhoto(try fixture("phone-gps.jpg"))
        XCTAssertTrue(photo.width == 240 && photo.height == 320, "upright: \(photo.width)x\(photo.height)")
        XCTAssertEqual(photo.mime, "image/jpeg")
        XCTAssertFalse(photo.blurhash.isEmpty)
        XCTAssertEqual(photo.id, photo.hash)
        let url = pasar.photoURL(photo)
        XCTAssertTrue(FileManager.default.fileExists(atPath: url.path), url.path)
        XCTAssertEqual(url.path, URL(fileURLWithPath: pasar.dataDir()).appendingPathComponent(photo.file).path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: pasar.photoURL(photo, thumbnail: true).path))
        let stored = try Data(contentsOf: url)
        for secret in secrets {
            XCTAssertNil(stored.range(of: Data(secret.utf8)), "\(secret) leaked")
        }
        let queued = try await catalog.pendingPhotoUploads()
        XCTAssertEqual(queued, [photo])
        let again = try await catalog.addPhoto(contentsOf: try fixtureURL())
        XCTAssertEqual(again, photo, "the same photo is stored once")
        let queuedOnce = try await catalog.pendingPhotoUploads()
        XCTAssertEqual(queuedOnce, [photo], "and queued once")

        let donat = try await catalog.createProduct(product: donatLumer(seller, photos: [photo.hash]))
        XCTAssertEqual(donat.photos, [photo])
        XCTAssertEqual(donat.priceIdr, 25_000)
        XCTAssertEqual(donat.priceRangeLabel, "Rp25.000 – Rp45.000")
        XCTAssertEqual(donat.variants.map(\.values), [["Keju", "6"], ["Keju", "12"], ["Meses", "6"], ["Meses", "12"]])
        XCTAssertEqual(donat.variants.map(\.priceIdr), [25_000, 25_000, 25_000, 45_000])
        // Other products that share words, so "first" means something.
        for name in ["Donat Keju", "Kue Cokelat Kukus", "Brownies Coklat", "Roti Sobek Cokelat"] {
            _ = try await catalog.createProduct(product: self.donat(seller, name))
        }

        let exact = try await catalog.search("donat cokelat")
        XCTAssertEqual(exact.items.first?.id, donat.id, "\(exact.items.map(\.name))")
        XCTAssertEqual(exact.items.first, donat, "results are whole products, photos included")
        let typed = try await catalog.search(query: SearchQuery(text: "dnt coklat"))
        XCTAssertEqual(typed.items.first?.id, donat.id, "\(typed.items.map(\.name))")
        XCTAssertEqual(typed.understood, "donat coklat")
        XCTAssertNotNil(typed.total)
    }

    private func fixtureURL() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("phone-\(UUID().uuidString).jpg")
        try fixture("phone-gps.jpg").write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testFilteredSearchResultsPageToTheEndWithoutRepeats() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let catalog = pasar.catalog()
        let rina = try await seller(pasar)
        let sari = try await pasar.accounts().saveAccount(account: NewAccount(name: "Bu Sari")).id
        let group = try await pasar.groups().createGroup(name: "Pasar Ibu-ibu Sidoarjo", adminId: rina).id
        _ = try await pasar.groups().addMember(groupId: group, accountId: sari)
        let flavours = ["Keju", "Coklat", "Meses", "Gula"]
        var made: [Product] = []
        for i in 0..<25 {
            made.append(try await catalog.createProduct(product: NewProduct(
                sellerId: i % 2 == 0 ? rina : sari,
                name: i % 5 == 4 ? "Kue Lapis \(i)" : "Donat \(flavours[i % 4]) \(i)",
                price: "\(10 + (i * 7) % 20)rb", // repeats: ties on price
                stock: .unlimited,
                category: i % 3 == 0 ? "Kue" : "Jajanan",
                groupIds: i % 2 == 0 || i % 3 == 0 ? [group] : []
            )))
        }
        let expected = made.filter { $0.name.hasPrefix("Donat") && $0.groupIds.contains(group) && $0.priceIdr <= 25_000 }
        XCTAssertEqual(expected.count, 12, "three pages of 5, 5 and 2")

        let query = SearchQuery(text: "donat", groupId: group, maxPriceIdr: 25_000, sort: .priceLowHigh, limit: 5)
        var pages: [SearchResults] = []
        var cursor: String? = nil
        repeat {
            var next = query
            next.after = cursor
            let page = try await catalog.search(query: next)
            pages.append(page)
            cursor = page.nextCursor
        } while cursor != nil && pages.count < 100
        XCTAssertNil(cursor, "paging ends")
        checkPages(pages, limit: 5, expected: expected) { $0.priceIdr <= 25_000 && $0.groupIds.contains(group) }
        XCTAssertTrue(pages.allSatisfy { $0.total == UInt32(expected.count) })

        // The sequence follows the cursors the same way (each search is a fresh result
        // list, so the cursors themselves differ), and stops when the loop does.
        var streamed: [SearchResults] = []
        for try await page in catalog.searchPages(query) { streamed.append(page) }
        XCTAssertEqual(streamed.map { $0.items.map(\.id) }, pages.map { $0.items.map(\.id) })
        var asked = 0
        for try await _ in catalog.searchPages(query) {
            asked += 1
            if asked == 2 { break }
        }
        XCTAssertEqual(asked, 2)

        // Browsing (no words) pages by keyset: category and seller, dearest first.
        var browsed: [SearchResults] = []
        let browse = SearchQuery(sellerId: rina, category: "kue", sort: .priceHighLow, limit: 3)
        for try await page in catalog.searchPages(browse) { browsed.append(page) }
        let kue = made.filter { $0.category == "Kue" && $0.sellerId == rina }
        checkPages(browsed, limit: 3, expected: kue, ascending: false) { $0.category == "Kue" }
        XCTAssertTrue(browsed.allSatisfy { $0.total == nil && $0.understood.isEmpty })
    }

    private func checkPages(
        _ pages: [SearchResults], limit: Int, expected: [Product], ascending: Bool = true,
        file: StaticString = #filePath, line: UInt = #line, _ filter: (Product) -> Bool
    ) {
        XCTAssertTrue(pages.allSatisfy { $0.items.count <= limit }, "\(pages.map(\.items.count))", file: file, line: line)
        let items = pages.flatMap(\.items)
        XCTAssertEqual(Set(items.map(\.id)).count, items.count, "no product twice", file: file, line: line)
        XCTAssertTrue(items.allSatisfy(filter), "\(items.filter { !filter($0) }.map(\.name))", file: file, line: line)
        let prices = items.map(\.priceIdr)
        XCTAssertEqual(prices, ascending ? prices.sorted() : prices.sorted(by: >), file: file, line: line)
        XCTAssertEqual(Set(items.map(\.id)), Set(expected.map(\.id)), file: file, line: line)
        XCTAssertEqual(items.count, expected.count, file: file, line: line)
    }

    func testACorruptPhotoIsRefusedNamingThePhotoAndNothingSavedIsLost() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let catalog = pasar.catalog()
        let seller = try await seller(pasar)
        let bytes = try fixture("phone-gps.jpg")
        let photo = try await catalog.addPhoto(bytes)
        let product = try await catalog.createProduct(product: donatLumer(seller, photos: [photo.hash]))
        let stored = try Data(contentsOf: pasar.photoURL(photo))
        let folder = pasar.photoURL(photo).deletingLastPathComponent().path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()

        let truncated = bytes.prefix(bytes.count / 3)
        var state: UInt64 = 7 // a fixed noise, the same every run
        let noise = Data((0..<4096).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        })
        for bad in [Data(truncated), noise, Data()] {
            let refused = await refusal { try await catalog.addPhoto(bad) }
            guard case let .Validation(field, indonesian, english)? = refused else {
                return XCTFail("expected a validation error, got \(String(describing: refused))")
            }
            XCTAssertEqual(field, "photo")
            XCTAssertTrue(indonesian.lowercased().contains("foto"), indonesian)
            XCTAssertFalse(english.isEmpty)
        }

        let read = try await catalog.getProduct(id: product.id)
        XCTAssertEqual(read, product)
        let queued = try await catalog.pendingPhotoUploads()
        XCTAssertEqual(queued, [photo])
        XCTAssertEqual(try Data(contentsOf: pasar.photoURL(photo)), stored)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), files, "no half-written files")
        let found = try await catalog.search("donat")
        XCTAssertEqual(found.items, [product])
    }

    func testHostileSearchStringsAreOnlyWords() async throws {
        let pasar = try await Pasar.open(directory: dir)
        let catalog = pasar.catalog()
        let donat = try await catalog.createProduct(product: donatLumer(try await seller(pasar)))
        for hostile in [
            "\" OR 1=1 --", "NEAR(a b)*", "'; DROP TABLE products; --", "donat\" OR \"1\"=\"1",
            "*", "\"", "name:donat", "^donat", "()", "\u{0}", "🍩🍩", String(repeating: "donat ", count: 500),
        ] {
            let r = try await catalog.search(hostile)
            XCTAssertTrue(r.items.allSatisfy { $0.id == donat.id }, hostile)
            _ = try await catalog.search(hostile, sort: .priceLowHigh, limit: 5)
        }
        let found = try await catalog.search("donat")
        XCTAssertEqual(found.items, [donat])
        let all = try await catalog.listProducts(after: nil, limit: 0)
        XCTAssertEqual(all.items, [donat], "the products are all still there")

        let badCursor = await refusal { try await catalog.search("donat", after: "' OR 1=1 --") }
        XCTAssertEqual(badCursor?.field, "cursor")
    }

    func testACatalogFileIsImportedRowByRowAndExportedAgain() async throws {
        let json = Data("""
            [
              {"id": "KUE-01", "name": "Kue Lumpur Pandan", "price_idr": "35rb", "unit": "loyang",
               "category": "Kue", "variants": {"ukuran": ["kecil", "besar"]}},
              {"id": "KUE-02", "name": "Kue Rusak", "price_idr": "murah", "unit": "pcs"},
              {"id": "KUE-03", "name": "Onde-onde Wijen", "price_idr": 15000, "unit": "pcs", "stock": 20}
            ]
            """.utf8)
        let pasar = try await Pasar.open(directory: dir)
        let catalog = pasar.catalog()
        let seller = try await seller(pasar)
        let report = try await catalog.importCatalog(json, format: .json, defaultSellerId: seller)
        XCTAssertEqual(report.created, 2)
        XCTAssertEqual(report.updated, 0)
        XCTAssertEqual(report.errors.count, 1, "\(report.errors)")
        let bad = try XCTUnwrap(report.errors.first)
        XCTAssertEqual(bad.row, 2)
        XCTAssertEqual(bad.id, "KUE-02")
        XCTAssertEqual(bad.field, "price_idr", "named as the JSON file names it")
        XCTAssertTrue(bad.indonesian.hasPrefix("Baris 2"), bad.indonesian)
        XCTAssertTrue(bad.english.hasPrefix("Row 2"), bad.english)

        let lumpurs = try await catalog.search("kue lumpur")
        let lumpur = try XCTUnwrap(lumpurs.items.first)
        XCTAssertEqual(lumpur.name, "Kue Lumpur Pandan")
        XCTAssertEqual(lumpur.sellerId, seller)
        XCTAssertEqual(lumpur.priceIdr, 35_000)
        XCTAssertEqual(lumpur.options.map(\.values), [["kecil", "besar"]])
        let wijen = try await catalog.search("wijen")
        XCTAssertEqual(wijen.items.first?.name, "Onde-onde Wijen")
        let rusak = try await catalog.search("rusak")
        XCTAssertTrue(rusak.items.isEmpty, "the bad row was not saved")

        let again = try await catalog.importCatalog(json, format: .json, defaultSellerId: seller)
        XCTAssertEqual([again.created, again.updated], [0, 2], "file ids update, not duplicate")
        let unreadable = await refusal {
            try await catalog.importCatalog(Data("{not json".utf8), format: .json, defaultSellerId: seller)
        }
        XCTAssertEqual(unreadable?.field, "file")

        let exported = try await catalog.exportCatalog()
        XCTAssertTrue(exported.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("["), exported)
        for name in ["Kue Lumpur Pandan", "Onde-onde Wijen", "KUE-01", "Dapur Bu Rina"] {
            XCTAssertTrue(exported.contains(name), "\(name) in \(exported)")
        }
        XCTAssertFalse(exported.contains("Kue Rusak"))
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(exported.utf8)) as? [[String: Any]])
        XCTAssertEqual(Set(rows.compactMap { $0["name"] as? String }), ["Kue Lumpur Pandan", "Onde-onde Wijen"])
        let data = try await catalog.exportCatalogData()
        XCTAssertEqual(data, Data(exported.utf8))

        // The export is a catalog file: another phone imports it (sellers by name).
        let otherDir = dir.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: otherDir, withIntermediateDirectories: true)
        let other = try await Pasar.open(directory: otherDir)
        let imported = try await other.catalog().importCatalog(data, format: .json)
        XCTAssertEqual(imported.created, 2, "\(imported.errors)")
        XCTAssertTrue(imported.errors.isEmpty)
        let found = try await other.catalog().search("lumpur pandan")
        XCTAssertEqual(found.items.first?.name, "Kue Lumpur Pandan")
    }
}
