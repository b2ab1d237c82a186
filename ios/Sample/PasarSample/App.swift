// The app: opens the shared store, signs in, and shows the screens in tabs. The app
// delegate wires APNs, the notification centre and background refresh to the core.
import PasarKit
import PasarKitApple
import SwiftUI
import UIKit

@main
struct PasarSampleApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate
    @StateObject private var app = AppModel.shared
    @Environment(\.scenePhase) private var phase

    var body: some Scene {
        WindowGroup {
            RootView().environmentObject(app).task { await app.start() }
        }
        .onChange(of: phase) { phase in
            if phase == .background { PasarBackgroundSync.schedule() }
            if phase == .active { Task { await app.syncNow() } }
        }
    }
}

final class AppDelegate: NSObject, UIApplicationDelegate {
    private var center: PasarNotificationCenterDelegate?

    func application(
        _ application: UIApplication, didFinishLaunchingWithOptions options: [UIApplication.LaunchOptionsKey: Any]? = nil
    ) -> Bool {
        // Before returning: a tap that launched the app is delivered to this delegate.
        let center = PasarNotificationCenterDelegate(
            notifications: { AppModel.shared.notifications },
            open: { link in AppModel.shared.open(link) })
        self.center = center
        UNUserNotificationCenter.current().delegate = center
        PasarBackgroundSync.register(
            sync: { await AppModel.shared.signedInSync() },
            report: { report in
                await AppModel.shared.notifications?.onSynced(report)
                await PasarNotices.post(report.notices)
            })
        return true
    }

    func application(_ application: UIApplication, didRegisterForRemoteNotificationsWithDeviceToken token: Data) {
        Task {
            guard let sync = await AppModel.shared.signedInSync() else { return }
            try? await PasarPush.didRegister(deviceToken: token, sync: sync, appVersion: AppModel.version)
        }
    }

    func application(_ application: UIApplication, didFailToRegisterForRemoteNotificationsWithError error: Error) {
        print("APNs registration failed (the simulator before Xcode 14, or no aps-environment): \(error)")
    }

    func application(
        _ application: UIApplication, didReceiveRemoteNotification userInfo: [AnyHashable: Any]
    ) async -> UIBackgroundFetchResult {
        guard let notifications = await AppModel.shared.notificationsOpening() else { return .noData }
        return await PasarPush.didReceive(userInfo: userInfo, notifications: notifications)
    }
}

/// The store, who is signed in, the market shown, and where a tapped notification leads.
@MainActor
final class AppModel: ObservableObject {
    static let shared = AppModel()
    static var version: String { Bundle.main.object(forInfoDictionaryKey: "CFBundleShortVersionString") as? String ?? "0" }

    @Published private(set) var pasar: Pasar?
    @Published private(set) var sync: SyncService?
    @Published private(set) var accountId: String?
    @Published private(set) var market: MarketGroup?
    @Published var failure: String?
    /// An order a tapped notification opens; `""`: the orders list.
    @Published var openOrder: String?
    private(set) var notifications: NotificationsViewModel?
    private(set) var signIn: SignInViewModel?

    /// Opens the store (once) and restores a session.
    func start() async {
        guard pasar == nil else { return }
        do {
            let store = try await PasarStore.open(
                appGroup: SampleConfig.appGroup, keychainGroup: SampleConfig.keychainGroup, serverURL: SampleConfig.serverURL)
            pasar = store.pasar
            sync = store.sync
            notifications = NotificationsViewModel(sync: store.sync)
            signIn = SignInViewModel(sync: store.sync)
            if let id = await signIn?.restore() { await signedIn(id) }
        } catch {
            failure = "\(error)"
        }
    }

    /// The sign-in screen got an account: markets, pushes, a first round.
    func signedIn(_ id: String) async {
        accountId = id
        market = try? await pasar?.groups().listGroups().first
        await PasarPush.requestAuthorizationAndRegister()
        await syncNow()
        if market == nil { market = try? await pasar?.groups().listGroups().first }
    }

    func signOut() async {
        await signIn?.signOut()
        accountId = nil
        market = nil
    }

    /// A round now (the app came to the front); its notices are posted and listed.
    func syncNow() async {
        guard let sync = signedInSyncNow() else { return }
        guard let report = try? await sync.sync(budget: 30) else { return }
        notifications?.onSynced(report)
        await PasarNotices.post(report.notices)
    }

    func signedInSync() async -> SyncService? { signedInSyncNow() }

    func notificationsOpening() async -> NotificationsViewModel? {
        await start()
        return accountId == nil ? nil : notifications
    }

    private func signedInSyncNow() -> SyncService? { accountId == nil ? nil : sync }

    /// A tapped notification: the order its deep link names, or the orders list.
    func open(_ link: URL?) {
        openOrder = link.flatMap { $0.host == "order" ? $0.lastPathComponent : nil } ?? ""
    }
}

/// A plain view model (PasarKit) as an ObservableObject: `follow()` republishes its states
/// while the view shows (run it in `.task`), and actions are called on `model`.
@MainActor
final class Screen<State: ScreenState, Model: ScreenModel<State>>: ObservableObject {
    let model: Model
    @Published private(set) var state: State

    init(_ model: Model) {
        self.model = model
        state = model.state
    }

    func follow() async {
        for await next in model.states() { state = next }
    }
}

/// A localized text with arguments (`Localizable.strings`, Indonesian first).
func L(_ key: String, _ args: CVarArg...) -> String {
    String(format: NSLocalizedString(key, comment: ""), arguments: args)
}

/// Whether the core's English texts are the ones to show.
var english: Bool { notificationLanguage(Locale.preferredLanguages.first ?? "id") == "en" }

/// The core's refusal, in the user's language.
struct ErrorLine: View {
    let error: ScreenError?
    var body: some View {
        if let error { Text(error.text(english: english)).foregroundStyle(.red).font(.footnote) }
    }
}

struct RootView: View {
    @EnvironmentObject private var app: AppModel
    @State private var tab = 0

    var body: some View {
        if let failure = app.failure {
            Text(failure).padding()
        } else if app.pasar == nil {
            ProgressView()
        } else if app.accountId == nil, let signIn = app.signIn {
            SignInView(model: signIn)
        } else {
            TabView(selection: $tab) {
                NavigationStack { CatalogView(app: app) }.tabItem { Label("tab.shop", systemImage: "bag") }.tag(0)
                NavigationStack { CartView(app: app) }.tabItem { Label("tab.cart", systemImage: "cart") }.tag(1)
                NavigationStack { OrdersView(app: app) }.tabItem { Label("tab.orders", systemImage: "list.bullet") }.tag(2)
                NavigationStack { SellerOrdersView(app: app) }.tabItem { Label("tab.seller", systemImage: "storefront") }.tag(3)
                NavigationStack { ChatOrdersView(app: app) }.tabItem { Label("tab.admin", systemImage: "bubble.left.and.bubble.right") }.tag(4)
                NavigationStack { NotificationsView(app: app) }.tabItem { Label("tab.notifications", systemImage: "bell") }.tag(5)
            }
            .onChange(of: app.openOrder) { order in if order != nil { tab = 2 } }
        }
    }
}
