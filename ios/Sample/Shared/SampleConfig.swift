// What the app and its Notification Service Extension share: the server, the app group
// holding the store, the Keychain group holding the session token. Values come from
// Info.plist, filled from build settings in project.yml.
import Foundation

enum SampleConfig {
    private static func info(_ key: String) -> String {
        guard let value = Bundle.main.object(forInfoDictionaryKey: key) as? String, !value.isEmpty else {
            fatalError("Info.plist lacks \(key): see ios/Sample/project.yml")
        }
        return value
    }

    /// `PASAR_SERVER_URL` in project.yml (`http://localhost:8080` for the simulator).
    static var serverURL: URL { URL(string: info("PasarServerURL"))! }
    /// The app group both targets have in their entitlements.
    static var appGroup: String { info("PasarAppGroup") }
    /// `$(AppIdentifierPrefix)id.pasar.shared`: the Keychain group both targets share.
    static var keychainGroup: String { info("PasarKeychainGroup") }
}
