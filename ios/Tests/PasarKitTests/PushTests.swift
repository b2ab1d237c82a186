// Push end to end from Swift: a real pasar-server process sends the order's move over
// HTTP/2 to an APNs stand-in (the push sink process checks the headers, the ES256
// provider token and the payload), and the phone's core turns the userInfo the app gets
// into exactly one notification. Binaries from PASAR_SERVER and PASAR_PUSH_SINK.
import Foundation
import XCTest
@testable import PasarKit

/// The push sink process: FCM, APNs and Web Push stand-ins on one loopback port.
final class PushSinkProcess {
    let process = Process()
    let dir: URL
    let url: URL
    /// The `PASAR_PUSH_*` settings that aim a server at this sink.
    let serverEnv: [String: String]

    init() throws {
        guard let binary = ProcessInfo.processInfo.environment["PASAR_PUSH_SINK"] else {
            throw ServerUnavailable(description: "PASAR_PUSH_SINK must name the pasar-push-sink binary (tests/run sets it)")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pasar-push-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [dir.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        url = try listeningURL(out, "the push sink")
        let env = try String(contentsOf: dir.appendingPathComponent("server.env"), encoding: .utf8)
        var pairs: [String: String] = [:]
        for line in env.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { pairs[parts[0]] = parts[1] }
        }
        serverEnv = pairs
    }

    /// The whole bodies the sink accepted for `gateway` (`apns`, ...), once there are
    /// `count` (10 s at most).
    func bodies(_ gateway: String, count: Int) throws -> [[String: Any]] {
        let received = dir.appendingPathComponent("received")
        let deadline = Date().addingTimeInterval(10)
        while true {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: received.path)) ?? [])
                .filter { $0.hasSuffix("-\(gateway).json") }
                .sorted()
            if names.count >= count || Date() > deadline {
                return try names.map { name in
                    let data = try Data(contentsOf: received.appendingPathComponent(name))
                    let record = try JSONSerialization.jsonObject(with: data) as? [String: Any]
                    return record?["body"] as? [String: Any] ?? [:]
                }
            }
            usleep(50_000)
        }
    }

    deinit {
        stop(process)
        try? FileManager.default.removeItem(at: dir)
    }
}

final class PushTests: PasarTestCase {
    func testTheSellerShipsAndTheBuyersIPhoneShowsDikirimOnce() async throws {
        let sink = try PushSinkProcess()
        let server = try ServerProcess(env: sink.serverEnv)
        let (sellerPasar, sellerSync, seller) = try await phone(server, "Dapur Bu Rina", "0813-5555-6666", "+6281355556666")
        let group = try await sellerPasar.groups().createGroup(name: "Pasar Warga Kenanga", adminId: seller)
        let contact = try await sellerPasar.accounts().saveAccount(
            account: NewAccount(name: "Ibu Sari", phone: "0812-7777-8888"))
        _ = try await sellerPasar.groups().addMember(groupId: group.id, accountId: contact.id, role: .member)
        try await sellerPasar.orders().setRate(sellerId: seller, rate: Rate(
            courier: .jne, service: "REG", destination: "*", firstKgIdr: 10_000, nextKgIdr: 8_000))
        let donat = try await sellerPasar.catalog().createProduct(product: NewProduct(
            sellerId: seller, name: "Donat kentang coklat", price: "25rb", unit: "box", weightGrams: 600,
            stock: .limited(count: 5), photos: [], groupIds: [group.id]))
        try await sellerSync.sync(budget: 30)

        let (pasar, sync, buyer) = try await phone(server, "Ibu Sari", "0812-7777-8888", "+6281277778888")
        let deviceToken = Data((0..<32).map { UInt8($0 * 7 & 0xff) })
        try await sync.registerPush(apnsToken: deviceToken, appVersion: "1.0.0", language: "id")
        try await sync.sync(budget: 30)
        try await pasar.cart().add(donat.id, quantityMilli: 2_000)
        let order = try await pasar.orders().checkout(request: CheckoutRequest(
            checkoutId: newCheckoutId(), buyerId: buyer, address: CheckoutTests.sidoarjo(),
            sellers: [SellerChoice(sellerId: seller, shipping: Shipping(courier: .jne, service: "REG"), payment: .cod)]))[0]
        try await sync.sync(budget: 30)
        try await sellerSync.sync(budget: 30)
        _ = try await sellerPasar.orders().act(
            orderId: order.id, actorId: seller, action: .ship(courier: "JNE", resi: "JNE0123456789"))
        try await sellerSync.sync(budget: 30)

        // What the app delegate (or the Notification Service Extension) gets as userInfo.
        let userInfo = try XCTUnwrap(try sink.bodies("apns", count: 1).first)
        let aps = try XCTUnwrap(userInfo["aps"] as? [String: Any])
        XCTAssertEqual(aps["mutable-content"] as? Int, 1, "the extension rewrites the generic alert")
        let hint = try XCTUnwrap(userInfo["pasar"] as? [String: String])
        XCTAssertEqual(Set(hint.keys), ["t", "o", "s", "v"], "hints, never data")
        XCTAssertEqual(hint["s"], "shipped")

        let notices = try await sync.handlePush(userInfo: userInfo)
        XCTAssertEqual(notices.count, 1)
        XCTAssertEqual(notices.first?.title, "Pesanan dikirim")
        XCTAssertEqual(notices.first?.body, "Pesanan #\(order.number) sedang dikirim — JNE JNE0123456789")
        XCTAssertEqual(notices.first?.deepLink, "pasar://order/\(order.id)")
        let shipped = try await pasar.orders().get(orderId: order.id)
        XCTAssertEqual(shipped.status, .shipped)
        // The same push again, and the sync after it: nothing more to tell.
        let again = try await sync.handlePush(userInfo: userInfo)
        XCTAssertTrue(again.isEmpty)
        let report = try await sync.sync(budget: 30)
        XCTAssertTrue(report.notices.isEmpty)

        do {
            _ = try await sync.handlePush(userInfo: ["pasar": ["t": "order", "o": "../x", "s": "shipped", "v": "1"]])
            XCTFail("a hostile payload must be refused")
        } catch PasarError.Validation {
        }
        XCTAssertEqual(notificationLanguage("in-ID"), "id")
        XCTAssertEqual(notificationLanguage("en-GB"), "en")
    }
}
