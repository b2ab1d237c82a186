// Where the app and its Notification Service Extension keep the store: the app group's
// container, so the extension can pull the order a push announces into the same store.
#if os(iOS)
import Foundation
import PasarKit

public enum PasarStore {
    /// The store's folder in the app group `appGroup` ("group.id.pasar.sample"), made if
    /// missing and excluded from backups: it holds this install's device id and queue of
    /// changes, which must not be replayed by a restored copy on another phone. Everything
    /// in it comes back from the server after signing in. `nil` when the app group is not
    /// in the target's entitlements.
    public static func folder(appGroup: String, name: String = "pasar") -> URL? {
        guard let container = FileManager.default.containerURL(forSecurityApplicationGroupIdentifier: appGroup) else {
            return nil
        }
        var url = container.appendingPathComponent(name, isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try? url.setResourceValues(values)
        return url
    }

    /// Opens the store in the app group and its sync with `serverURL`, the token in the
    /// Keychain group `keychainGroup` (shared with the extension).
    public static func open(
        appGroup: String, keychainGroup: String?, serverURL: URL
    ) async throws -> (pasar: Pasar, sync: SyncService) {
        guard let folder = folder(appGroup: appGroup) else {
            throw PasarError.Storage(
                indonesian: "Folder bersama aplikasi tidak tersedia (\(appGroup))",
                english: "The app group container is missing (\(appGroup))")
        }
        let pasar = try await Pasar.open(directory: folder)
        let sync = pasar.sync(serverURL: serverURL, tokens: KeychainTokenStore(accessGroup: keychainGroup))
        return (pasar, sync)
    }
}
#endif
