// Notifications: a push payload in, the notice to post out (the core writes the text).
import Foundation

/// The notices to post and list, newest first; one per order (`collapseKey`), a newer
/// notice of an order replacing the older, as the notification centre does with the same
/// thread and request identifier. Each has the core's `title` and `body` in the language
/// the phone registered ("Pesanan dikirim" / "Pesanan #A12 sedang dikirim — JNE …") and
/// the `deepLink` a tap opens.
public struct NotificationsState: ScreenState {
    public var notices: [Notice] = []
    public var busy = false
    public var error: ScreenError?

    public init() {}
}

/// Turns pushes into notices through the core: ``onPush(userInfo:)`` with the APNs
/// `userInfo` pulls the order and returns what to post, none when the change is already
/// known; ``onSynced(_:)`` takes the notices an ordinary sync brought. A payload that is
/// not ours is the state's error, never acted on. (In a Notification Service Extension,
/// call ``PasarBindings/SyncService/handlePush(userInfo:budget:)`` directly.)
@MainActor
public final class NotificationsViewModel: ScreenModel<NotificationsState> {
    private let sync: SyncService

    public init(sync: SyncService) {
        self.sync = sync
        super.init(NotificationsState())
    }

    /// A push arrived: its `userInfo`. Returns the notices to post.
    @discardableResult
    public func onPush(userInfo: [AnyHashable: Any]) async -> [Notice] {
        await onPush(payload: pushPayload(userInfo))
    }

    /// A push arrived as the JSON text of its payload.
    @discardableResult
    public func onPush(payload: String) async -> [Notice] {
        let sync = sync
        let notices = await attempt({ try await sync.handlePush(payload: payload, budgetMs: 20_000) }) ?? []
        show(notices)
        return notices
    }

    /// A sync round ended: the order moves it brought, to post.
    public func onSynced(_ report: SyncReport) {
        show(report.notices)
    }

    /// The user dismissed `notice`.
    public func dismiss(_ notice: Notice) {
        state.notices.removeAll { $0 == notice }
    }

    private func show(_ new: [Notice]) {
        guard !new.isEmpty else { return }
        let keys = Set(new.map(\.collapseKey))
        state.notices = new.reversed() + state.notices.filter { !keys.contains($0.collapseKey) }
    }
}
