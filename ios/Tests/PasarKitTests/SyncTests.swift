// Two phones and a real pasar-server process, from Swift: the seller lists a product
// offline and syncs, the buyer signs in, pulls it, orders, the seller ships, the buyer
// sees "Dikirim". HTTP goes through URLSessionHttpClient, the app's own. The server
// binary comes from PASAR_SERVER (tests/run sets it).
import Foundation
import XCTest
@testable import PasarKit

/// Why the test could not get a server to talk to: a failure, never a skip.
struct ServerUnavailable: Error, CustomStringConvertible {
    let description: String
}

/// Reads a child's first stdout line: `listening on ADDR` → `http://ADDR`.
func listeningURL(_ out: Pipe, _ what: String) throws -> URL {
    var line = Data()
    while true {
        let byte = out.fileHandleForReading.readData(ofLength: 1)
        if byte.isEmpty || byte == Data("\n".utf8) { break }
        line.append(byte)
    }
    let first = String(decoding: line, as: UTF8.self)
    guard first.hasPrefix("listening on "),
          let url = URL(string: "http://" + first.dropFirst("listening on ".count)) else {
        throw ServerUnavailable(description: "\(what) did not start: \(first)")
    }
    return url
}

/// Stops a child: SIGTERM, then SIGKILL after three seconds. (No waitUntilExit: it
/// waits on a run loop this thread may not be running.)
func stop(_ process: Process) {
    process.terminate()
    for _ in 0..<30 where process.isRunning {
        usleep(100_000)
    }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
    }
}

/// A pasar-server process on a free loopback port, codes written to files; `env` adds
/// settings (the push gateways of ``PushSinkProcess``).
final class ServerProcess {
    let process = Process()
    let codes: URL
    let url: URL

    init(env: [String: String] = [:]) throws {
        guard let binary = ProcessInfo.processInfo.environment["PASAR_SERVER"] else {
            throw ServerUnavailable(description: "PASAR_SERVER must name the pasar-server binary (tests/run sets it)")
        }
        codes = FileManager.default.temporaryDirectory.appendingPathComponent("pasar-codes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: codes, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: binary)
        process.environment = [
            "PASAR_ADDR": "127.0.0.1:0",
            "PASAR_DATABASE_URL": "sqlite::memory:",
            "PASAR_DEV_CODES_DIR": codes.path,
        ].merging(env) { _, given in given }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        url = try listeningURL(out, "the server")
    }

    func code(_ e164: String) throws -> String {
        try String(contentsOf: codes.appendingPathComponent("\(e164).code"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        // SIGTERM lets the server finish gracefully; it may wait for the keep-alive
        // connections URLSession holds, so after a moment it is killed.
        stop(process)
        try? FileManager.default.removeItem(at: codes)
    }
}

extension PasarTestCase {
    func phone(_ server: ServerProcess, _ name: String, _ number: String, _ e164: String) async throws
        -> (Pasar, SyncService, String)
    {
        let pasar = try await Pasar.open(directory: dir.appendingPathComponent(name))
        let sync = pasar.sync(serverURL: server.url, tokens: MemoryTokenStore())
        try await sync.requestCode(phone: number)
        let account = try await sync.signIn(phone: number, code: try server.code(e164), name: name)
        return (pasar, sync, account)
    }
}

final class SyncTests: PasarTestCase {
    func testAProductListedOfflineReachesTheBuyerAndTheShippedOrderComesBack() async throws {
        let server = try ServerProcess()
        let (sellerPasar, sellerSync, seller) = try await phone(server, "Dapur Bu Rina", "0813-1111-2222", "+6281311112222")
        let group = try await sellerPasar.groups().createGroup(name: "Pasar Warga Melati", adminId: seller)
        let contact = try await sellerPasar.accounts().saveAccount(
            account: NewAccount(name: "Ibu Sari", phone: "0812-3333-4444"))
        _ = try await sellerPasar.groups().addMember(groupId: group.id, accountId: contact.id, role: .member)
        // Her ongkir table travels with her listings: buyers quote it offline.
        try await sellerPasar.orders().setRate(sellerId: seller, rate: Rate(
            courier: .jne, service: "REG", destination: "*", firstKgIdr: 10_000, nextKgIdr: 8_000))
        let photo = try await sellerPasar.catalog().addPhoto(try fixture("phone-gps.jpg"))
        let donat = try await sellerPasar.catalog().createProduct(product: NewProduct(
            sellerId: seller, name: "Donat kentang coklat", price: "25rb", unit: "box", weightGrams: 600,
            stock: .limited(count: 5), photos: [photo.hash], groupIds: [group.id]))
        let queued = try await sellerSync.pending()
        XCTAssertGreaterThanOrEqual(queued, 4, "everything waits in the outbox while offline")
        let first = try await sellerSync.sync(budget: 30)
        XCTAssertTrue(first.complete)
        XCTAssertEqual(first.rejected, 0)
        XCTAssertEqual(first.photosUploaded, 1, "the photo went up before its product")

        let (buyerPasar, buyerSync, buyer) = try await phone(server, "Ibu Sari", "0812-3333-4444", "+6281233334444")
        let pulled = try await buyerSync.sync(budget: 30)
        XCTAssertGreaterThanOrEqual(pulled.pulled, 2)
        let found = try await buyerPasar.catalog().search("donut coklat")
        XCTAssertEqual(found.items.first?.id, donat.id)
        // The buyer's image loader fetches the photo the seller's phone made, byte for byte.
        let listed = try await buyerPasar.catalog().getProduct(id: donat.id).photos
        XCTAssertEqual(listed.map(\.hash), [photo.hash])
        let url = try XCTUnwrap(buyerSync.photoURL(listed[0]))
        let served = try URLSessionHttpClient().send(
            request: HttpRequest(method: "GET", url: url.absoluteString, headers: [], body: Data()))
        XCTAssertEqual(served.status, 200)
        XCTAssertEqual(served.body, try Data(contentsOf: sellerPasar.photoURL(photo)))

        try await buyerPasar.cart().add(donat.id, quantityMilli: 2_000)
        let order = try await buyerPasar.orders().checkout(request: CheckoutRequest(
            checkoutId: newCheckoutId(), buyerId: buyer, address: CheckoutTests.sidoarjo(),
            sellers: [SellerChoice(sellerId: seller, shipping: Shipping(courier: .jne, service: "REG"), payment: .cod)]))[0]
        let placed = try await buyerSync.sync(budget: 30)
        XCTAssertEqual(placed.pushed, 1)
        XCTAssertEqual(placed.rejected, 0)
        let left = try await buyerPasar.catalog().getProduct(id: donat.id).stock
        XCTAssertEqual(left, .limited(count: 3), "the server took 2 of 5")

        try await sellerSync.sync(budget: 30)
        let incoming = try await sellerPasar.orders().get(orderId: order.id)
        XCTAssertEqual(incoming.status, .processing)
        _ = try await sellerPasar.orders().act(
            orderId: order.id, actorId: seller, action: .ship(courier: "JNE", resi: "JNE0123456789"))
        try await sellerSync.sync(budget: 30)

        try await buyerSync.sync(budget: 30)
        let shipped = try await buyerPasar.orders().get(orderId: order.id)
        XCTAssertEqual(shipped.status, .shipped)
        XCTAssertEqual(shipped.resi, "JNE0123456789")

        try await buyerSync.signOut()
        do {
            try await buyerSync.sync(budget: 5)
            XCTFail("a signed-out phone must not sync")
        } catch PasarError.Unauthorized {
        }
    }
}
