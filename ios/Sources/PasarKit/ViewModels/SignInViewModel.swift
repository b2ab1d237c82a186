// Sign-in by phone number and one-time code.
import Foundation

/// The sign-in screen's state.
public struct SignInState: ScreenState {
    /// The number as the user typed it ("0812-3456-7890").
    public var phone = ""
    /// Whether the server was asked to send the code: show the code field.
    public var codeSent = false
    /// The signed-in account, once the code was accepted.
    public var accountId: String?
    public var busy = false
    public var error: ScreenError?

    public init() {}
}

/// Sign-in by phone number and one-time code: ``requestCode(phone:)``, then
/// ``signIn(code:name:)`` with the code the user received. A number the core cannot
/// read, or a wrong or expired code, is the state's error with field `phone` or `code`.
@MainActor
public final class SignInViewModel: ScreenModel<SignInState> {
    private let sync: SyncService

    public init(sync: SyncService) {
        self.sync = sync
        super.init(SignInState())
    }

    /// Looks for an existing session on this phone (the app was restarted).
    @discardableResult
    public func restore() async -> String? {
        guard let id = await attempt({ try await sync.accountId() }) ?? nil else { return nil }
        state.accountId = id
        return id
    }

    /// Asks the server to send a one-time code to `phone`, as typed.
    @discardableResult
    public func requestCode(phone: String) async -> Bool {
        guard await attempt({ try await sync.requestCode(phone: phone) }) != nil else { return false }
        var s = state
        s.phone = phone
        s.codeSent = true
        state = s
        return true
    }

    /// Signs in with `code`; `name` is what others see. Returns the account id.
    @discardableResult
    public func signIn(code: String, name: String? = nil) async -> String? {
        let phone = state.phone
        guard let id = await attempt({ try await sync.signIn(phone: phone, code: code, name: name) }) else { return nil }
        state.accountId = id
        return id
    }

    /// Signs out on this phone; queued changes stay for the next sign-in.
    public func signOut() async {
        guard await attempt({ try await sync.signOut() }) != nil else { return }
        state = SignInState()
    }
}
