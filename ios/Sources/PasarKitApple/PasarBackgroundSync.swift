// Background refresh with BGTaskScheduler: one round of the core's sync each time iOS
// grants the app a moment, the round's notices posted.
#if os(iOS)
import BackgroundTasks
import Foundation
import PasarKit

/// Register once, before `application(_:didFinishLaunchingWithOptions:)` returns, and
/// ``schedule(identifier:after:)`` whenever the app goes to the background. The
/// identifier must be listed in the app's Info.plist under
/// `BGTaskSchedulerPermittedIdentifiers`, and `UIBackgroundModes` must contain `fetch`.
///
/// iOS decides when (and whether) a refresh runs, from how the user uses the app; pushes
/// bring order news at once, so this only catches up what no push announced. A refresh
/// gets about 30 seconds: the round's budget is 25, and a round cut short goes on where
/// it stopped next time (the core reports `complete = false`).
public enum PasarBackgroundSync {
    public static let defaultIdentifier = "id.pasar.sync"

    /// Registers the refresh task. `sync` gives the signed-in store's sync (`nil`: nobody
    /// signed in, nothing to do); `notices` receives the round's report (post its notices,
    /// feed the in-app list).
    public static func register(
        identifier: String = defaultIdentifier,
        every interval: TimeInterval = 60 * 60,
        sync: @escaping @Sendable () async -> SyncService?,
        report: @escaping @Sendable (SyncReport) async -> Void
    ) {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            // The next one first: a refresh that is killed must not end the schedule.
            schedule(identifier: identifier, after: interval)
            let round = Task {
                guard let service = await sync() else {
                    task.setTaskCompleted(success: true)
                    return
                }
                do {
                    let done = try await service.sync(budget: 25)
                    await report(done)
                    task.setTaskCompleted(success: true)
                } catch {
                    // Offline, cancelled by the expiration handler, or the session ended:
                    // the next refresh or the app's next start tries again.
                    task.setTaskCompleted(success: false)
                }
            }
            task.expirationHandler = { round.cancel() }
        }
    }

    /// Asks for a refresh no earlier than `after` seconds from now (replacing a pending one).
    public static func schedule(identifier: String = defaultIdentifier, after interval: TimeInterval = 60 * 60) {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: interval)
        do {
            try BGTaskScheduler.shared.submit(request)
        } catch {
            // The simulator, a missing Info.plist entry, or Background App Refresh off in
            // Settings: nothing to do but rely on pushes and the app's own rounds.
            print("PasarBackgroundSync: refresh not scheduled: \(error)")
        }
    }
}
#endif
