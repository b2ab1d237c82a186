// APNs glue for the app delegate and the notification centre: register the device token
// with the core, hand background pushes to it, open deep links from taps.
#if os(iOS)
import Foundation
import PasarKit
import UIKit
import UserNotifications

/// Helpers for the `UIApplicationDelegate` callbacks that carry APNs tokens and pushes.
public enum PasarPush {
    /// Asks the user for alerts (once; later calls return the answer given) and registers
    /// with APNs. Registering goes ahead when alerts are declined: background pushes still
    /// keep orders current. The token arrives in
    /// `application(_:didRegisterForRemoteNotificationsWithDeviceToken:)`.
    @MainActor
    @discardableResult
    public static func requestAuthorizationAndRegister() async -> Bool {
        let granted = (try? await UNUserNotificationCenter.current()
            .requestAuthorization(options: [.alert, .sound, .badge])) ?? false
        UIApplication.shared.registerForRemoteNotifications()
        return granted
    }

    /// `application(_:didRegisterForRemoteNotificationsWithDeviceToken:)`: saves the token
    /// in the core (notices in the phone's language) and runs a short round so the server
    /// has it now; offline, the next round sends it.
    public static func didRegister(deviceToken: Data, sync: SyncService, appVersion: String) async throws {
        try await sync.registerPush(apnsToken: deviceToken, appVersion: appVersion)
        _ = try? await sync.sync(budget: 15)
    }

    /// `application(_:didReceiveRemoteNotification:fetchCompletionHandler:)`: a background
    /// push (`content-available`) or an alert push while the app runs. The core pulls the
    /// order (through the app's ``NotificationsViewModel``, so the in-app list has it) and
    /// the notices are posted. Answer the system with the result.
    @MainActor
    public static func didReceive(
        userInfo: [AnyHashable: Any], notifications: NotificationsViewModel
    ) async -> UIBackgroundFetchResult {
        guard PasarNotices.isPasarPush(userInfo) else { return .noData }
        let notices = await notifications.onPush(userInfo: userInfo)
        if notifications.state.error != nil { return .failed }
        await PasarNotices.post(notices)
        return notices.isEmpty ? .noData : .newData
    }
}

/// The notification centre's delegate: set it as `UNUserNotificationCenter.current().delegate`
/// before the app finishes launching (a tap that launched the app is delivered then).
///
/// - A Pasar push arriving while the app is open goes to the core first (through the
///   app's ``NotificationsViewModel``): when the core has a notice the Notification Service
///   Extension did not already give (the extension failed or ran out of time), it is posted
///   in place of the server's placeholder text; otherwise the rewritten one shows.
/// - A tap calls `open` with the core's deep link (`nil`: open the orders list).
public final class PasarNotificationCenterDelegate: NSObject, UNUserNotificationCenterDelegate, @unchecked Sendable {
    private let notifications: @MainActor () -> NotificationsViewModel?
    private let open: @MainActor (URL?) -> Void

    public init(
        notifications: @escaping @MainActor () -> NotificationsViewModel?,
        open: @escaping @MainActor (URL?) -> Void
    ) {
        self.notifications = notifications
        self.open = open
    }

    public func userNotificationCenter(
        _ center: UNUserNotificationCenter, willPresent notification: UNNotification
    ) async -> UNNotificationPresentationOptions {
        let userInfo = notification.request.content.userInfo
        guard PasarNotices.isPasarPush(userInfo) else { return [.banner, .list, .sound] }
        let fresh = await Task { @MainActor [notifications] () -> [Notice] in
            guard let model = notifications() else { return [] }
            return await model.onPush(userInfo: userInfo)
        }.value
        if fresh.isEmpty { return [.banner, .list, .sound] }
        await PasarNotices.post(fresh)
        return []
    }

    public func userNotificationCenter(
        _ center: UNUserNotificationCenter, didReceive response: UNNotificationResponse
    ) async {
        let link = PasarNotices.deepLink(from: response.notification.request.content.userInfo)
        await MainActor.run { open(link) }
    }
}
#endif
