// The session token on Apple platforms: one generic-password item in the Keychain. The
// core asks for it through its TokenStore callback (bindings/src/sync.rs), so it never
// sits in the core's database. Compiled wherever the Security framework exists (iOS and
// macOS); on Linux this file is empty.
#if canImport(Security)
import Foundation
import PasarKit
import Security

/// The core's ``TokenStore`` over the Keychain.
///
/// - Readable after the first unlock since boot, on this device only
///   (`kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`): background refresh and the
///   Notification Service Extension sync while the phone is locked, and the item is in
///   neither backups nor a new phone's restore (that phone signs in again).
/// - `accessGroup`: a Keychain access group the app and its Notification Service
///   Extension share (`$(AppIdentifierPrefix)id.pasar.shared`), so the extension can pull
///   the order a push announces. `nil`: the app's own default group.
/// - A read that fails for another reason than "no item" (the phone is still locked
///   after a reboot) is answered `nil` for that call only, and not remembered: the next
///   call reads again. A found or missing item is remembered until ``save(token:)``.
public final class KeychainTokenStore: TokenStore, @unchecked Sendable {
    private let service: String
    private let account: String
    private let accessGroup: String?
    private let lock = NSLock()
    private var known = false
    private var cached: String?

    public init(service: String = "id.pasar.session", account: String = "token", accessGroup: String? = nil) {
        self.service = service
        self.account = account
        self.accessGroup = accessGroup
    }

    public func load() -> String? {
        lock.lock()
        defer { lock.unlock() }
        if known { return cached }
        var query = baseQuery()
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            cached = (item as? Data).flatMap { String(data: $0, encoding: .utf8) }
            known = true
        case errSecItemNotFound:
            cached = nil
            known = true
        default:
            // errSecInteractionNotAllowed (locked since boot) and the like: not now.
            return nil
        }
        return cached
    }

    public func save(token: String?) {
        lock.lock()
        defer { lock.unlock() }
        cached = token
        known = true
        guard let token else {
            SecItemDelete(baseQuery() as CFDictionary)
            return
        }
        let attributes: [String: Any] = [
            kSecValueData as String: Data(token.utf8),
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        var status = SecItemUpdate(baseQuery() as CFDictionary, attributes as CFDictionary)
        if status == errSecItemNotFound {
            status = SecItemAdd(baseQuery().merging(attributes) { _, new in new } as CFDictionary, nil)
        }
        if status != errSecSuccess {
            // Kept in memory for this process: the user signs in again after a restart.
            known = true
        }
    }

    private func baseQuery() -> [String: Any] {
        var query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
        ]
        if let accessGroup { query[kSecAttrAccessGroup as String] = accessGroup }
        #if os(macOS)
        // The iOS-style keychain on the Mac (no login-keychain prompts).
        query[kSecUseDataProtectionKeychain as String] = true
        #endif
        return query
    }
}
#endif
