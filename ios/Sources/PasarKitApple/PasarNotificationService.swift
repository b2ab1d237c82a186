// The Notification Service Extension's logic: the server's alert push carries only a
// placeholder text and the hint (no order detail passes through Apple); the extension
// pulls the order into the shared store and shows the core's own text.
#if os(iOS)
import Foundation
import PasarKit
import UserNotifications

/// Subclass it as the extension's principal class and override ``openSync()`` to open the
/// app's store from the app group with the shared Keychain group (``PasarStore/open(appGroup:keychainGroup:serverURL:)``).
/// See `ios/Sample/NotificationService/` for the ten lines that takes.
///
/// - Within ``budget`` seconds the core pulls the order and returns its notice; the
///   notification shows the core's title and body, threaded by order, with the deep link.
///   Further notices the round brought (other orders' moves) are posted beside it.
/// - Out of time (iOS gives the extension about 30 seconds) or failing, the server's
///   placeholder shows ("Kabar pesanan" from the app's `Localizable.strings`), and the
///   app turns it into the real text when it next syncs.
/// - A change already told (a repeated push, the user's own move): iOS will not let an
///   extension drop a notification without the `com.apple.developer.usernotifications.filtering`
///   entitlement, which Apple grants on request. With it, set ``dropsKnownChanges`` and
///   such pushes show nothing; without it the placeholder shows.
open class PasarNotificationService: UNNotificationServiceExtension, @unchecked Sendable {
    private let lock = NSLock()
    private var contentHandler: ((UNNotificationContent) -> Void)?
    private var placeholder: UNNotificationContent?
    private var work: Task<Void, Never>?

    /// The seconds the core may take to pull the order.
    open var budget: TimeInterval { 20 }

    /// Whether a push that brings no new notice shows nothing (needs the filtering entitlement).
    open var dropsKnownChanges: Bool { false }

    /// The shared store's sync. Called on each push; cache what it opens (one `Pasar`
    /// per store and process).
    open func openSync() async throws -> SyncService {
        fatalError("PasarNotificationService: override openSync() in the extension's principal class")
    }

    override open func didReceive(
        _ request: UNNotificationRequest, withContentHandler contentHandler: @escaping (UNNotificationContent) -> Void
    ) {
        let placeholder = request.content
        lock.lock()
        self.contentHandler = contentHandler
        self.placeholder = placeholder
        lock.unlock()
        let userInfo = request.content.userInfo
        let work = Task {
            var shown: UNNotificationContent = placeholder
            do {
                let sync = try await openSync()
                let notices = try await sync.handlePush(userInfo: userInfo, budget: budget)
                if let first = notices.first {
                    shown = PasarNotices.content(for: first)
                    await PasarNotices.post(Array(notices.dropFirst()))
                } else if dropsKnownChanges {
                    shown = UNNotificationContent()
                }
            } catch {
                // Not ours, offline past the budget, or the store cannot open: the placeholder.
            }
            deliver(shown)
        }
        lock.lock()
        self.work = work
        lock.unlock()
    }

    override open func serviceExtensionTimeWillExpire() {
        lock.lock()
        let (work, placeholder) = (work, placeholder)
        lock.unlock()
        work?.cancel()
        if let placeholder { deliver(placeholder) }
    }

    /// Hands `content` to iOS once; a second call (the work finishing after the deadline) does nothing.
    private func deliver(_ content: UNNotificationContent) {
        lock.lock()
        let handler = contentHandler
        contentHandler = nil
        lock.unlock()
        handler?(content)
    }
}
#endif
