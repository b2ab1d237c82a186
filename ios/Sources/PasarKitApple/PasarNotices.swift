// The core's notices as iOS notifications: the core writes the title and body; the
// collapse key is the request and thread identifier, so a newer notice of an order
// replaces the shown one (APNs uses the same key as `apns-collapse-id`).
#if os(iOS)
import Foundation
import PasarKit
import UserNotifications

public enum PasarNotices {
    /// The `userInfo` key of the deep link (`pasar://order/<id>`) in a posted notice.
    public static let deepLinkKey = "pasarDeepLink"

    /// A notification's content for `notice`.
    public static func content(for notice: Notice) -> UNMutableNotificationContent {
        let content = UNMutableNotificationContent()
        content.title = notice.title
        content.body = notice.body
        content.sound = .default
        content.threadIdentifier = notice.collapseKey
        content.userInfo = [deepLinkKey: notice.deepLink]
        return content
    }

    /// Posts each notice now, replacing a shown notification of the same order. Nothing
    /// shows when the user declined notifications; the in-app list still has them.
    public static func post(_ notices: [Notice]) async {
        let center = UNUserNotificationCenter.current()
        for notice in notices {
            let request = UNNotificationRequest(identifier: notice.collapseKey, content: content(for: notice), trigger: nil)
            try? await center.add(request)
        }
    }

    /// The deep link a tapped notification carries, when the core wrote it (a notice this
    /// library posted, or one the Notification Service Extension rewrote). `nil` for the
    /// server's placeholder text: open the orders list.
    public static func deepLink(from userInfo: [AnyHashable: Any]) -> URL? {
        (userInfo[deepLinkKey] as? String).flatMap(URL.init(string:))
    }

    /// Whether `userInfo` is a Pasar push (it carries the hint under `pasar`).
    public static func isPasarPush(_ userInfo: [AnyHashable: Any]) -> Bool {
        userInfo["pasar"] != nil
    }
}
#endif
