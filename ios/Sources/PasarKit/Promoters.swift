// Promoters in Swift: a member's own code and share links, the links and codes a buyer
// came through, the seller's commission rule and the month's payouts. The generated
// PromoterService (`pasar.promoters()`) is used as it is; this file adds what Swift apps
// expect besides: URLs, Dates, Identifiable. No rules live here (who a code belongs to,
// how long a link counts, what a commission comes to): they are all in the Rust core.
import Foundation

extension PromoterService {
    /// The link to `productId` under the account's code, on the deployment at `baseURL`
    /// (`https://pasar.app`), with the message to send and a `https://wa.me/?text=…`
    /// link that opens WhatsApp with it (``ShareLink/whatsapp``).
    ///
    /// - Throws: ``PasarError/Validation(field:indonesian:english:)`` with field `code`
    ///   before the account has claimed one (``PasarBindings/PromoterService/claimCode(code:)``);
    ///   ``PasarError/NotFound(indonesian:english:)`` if the phone does not know the product.
    public func share(product productId: String, baseURL: URL) async throws -> ShareLink {
        try await shareProduct(productId: productId, baseUrl: baseURL.absoluteString)
    }

    /// The same for `sellerId`'s whole shop.
    public func share(shop sellerId: String, baseURL: URL) async throws -> ShareLink {
        try await shareShop(sellerId: sellerId, baseUrl: baseURL.absoluteString)
    }

    /// The app was opened with `url` (a universal link or `pasar://` URL, as
    /// `onOpenURL` or `application(_:continue:)` hands it over): the code is kept for
    /// checkouts from that seller for 30 days, and the ``Referral`` says which product or
    /// shop to show. `nil` when the link carries no referral.
    @discardableResult
    public func openLink(_ url: URL) async throws -> Referral? {
        try await openLink(link: url.absoluteString)
    }

    /// How a rule reads on screen: `"7,5% dari harga barang"`, `"Rp2.000 per barang"`.
    public func describe(_ rule: CommissionRule) -> String {
        describeCommission(rule: rule)
    }

    /// The payouts of the month (in WIB) `date` falls in: this month by default, or an
    /// order's (`Date(timeIntervalSince1970: Double(order.createdAtMs) / 1000)`). The
    /// promoter's own line, or the seller's line per promoter; earned is on completed
    /// orders, pending on those still on their way.
    public func payouts(monthOf date: Date = Date()) async throws -> [Payout] {
        var calendar = Calendar(identifier: .gregorian)
        // Western Indonesian Time, UTC+7 all year: payout months are counted in it.
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 60 * 60)!
        let parts = calendar.dateComponents([.year, .month], from: date)
        return try await payouts(year: Int64(parts.year!), month: UInt32(parts.month!))
    }
}

extension ShareLink {
    /// ``whatsappUrl`` as a URL, for `UIApplication.open` or SwiftUI's `openURL`.
    public var whatsapp: URL? { URL(string: whatsappUrl) }
}

/// A payout line is its promoter's.
extension Payout: Identifiable {
    public var id: String { promoterId }
}
