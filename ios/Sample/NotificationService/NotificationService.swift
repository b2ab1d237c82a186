// The Notification Service Extension: the server's alert push carries a placeholder and
// the hint; PasarNotificationService pulls the order into the app's shared store and shows
// the core's own text. All it needs from us is how to open that store.
import PasarKit
import PasarKitApple

final class NotificationService: PasarNotificationService {
    /// One store per process: iOS may reuse the extension's process for the next push.
    private static var opened: SyncService?

    override func openSync() async throws -> SyncService {
        if let sync = Self.opened { return sync }
        let store = try await PasarStore.open(
            appGroup: SampleConfig.appGroup, keychainGroup: SampleConfig.keychainGroup, serverURL: SampleConfig.serverURL)
        Self.opened = store.sync
        return store.sync
    }
}
