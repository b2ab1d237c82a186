// PasarKit: the idiomatic Swift face of Pasar's core. async/await and AsyncStream over
// the generated bindings; no rules live here, they are all in the Rust core.
//
// The generated types (Pasar, AccountService, CatalogService, GroupService, Product,
// PasarError...) are re-exported: `import PasarKit` is all an app needs. Their async
// methods are already Swift async functions; this file adds what Swift apps expect
// besides: async opening, AsyncStream, Identifiable, LocalizedError.
import Foundation
@_exported import PasarBindings

extension Pasar {
    /// Opens (or creates) the store in `directory`, upgrading its schema if the app was
    /// updated. Runs off the caller's actor: a migration may take a moment.
    public static func open(directory: URL) async throws -> Pasar {
        let path = directory.path
        return try await Task.detached(priority: .userInitiated) {
            try Pasar.open(dataDir: path)
        }.value
    }

    /// The core library's version, for "about" screens and bug reports.
    public static var coreVersion: String { PasarBindings.coreVersion() }
}

extension CatalogService {
    /// Every committed catalog change while the stream is iterated. Ending the iteration
    /// (a `break`, a cancelled task) unregisters the listener in the core.
    public func events() -> AsyncStream<CatalogEvent> {
        AsyncStream(bufferingPolicy: .unbounded) { continuation in
            let handle = self.observe(listener: StreamListener(continuation: continuation))
            continuation.onTermination = { _ in handle.cancel() }
        }
    }
}

extension GroupService {
    /// Adds a saved account to the group as a plain member.
    public func addMember(groupId: String, accountId: String) async throws -> MarketGroup {
        try await addMember(groupId: groupId, accountId: accountId, role: .member)
    }
}

// Records with an `id` are Identifiable, for SwiftUI lists and `ForEach`.
extension Product: Identifiable {}
extension Variant: Identifiable {}
extension Account: Identifiable {}
extension MarketGroup: Identifiable {}

/// Hands each event to the stream; called on a core thread, returns at once.
private final class StreamListener: CatalogListener, @unchecked Sendable {
    let continuation: AsyncStream<CatalogEvent>.Continuation

    init(continuation: AsyncStream<CatalogEvent>.Continuation) {
        self.continuation = continuation
    }

    func onEvent(event: CatalogEvent) {
        continuation.yield(event)
    }
}

extension PasarError: LocalizedError {
    /// The message to show: Indonesian unless the app runs in another language.
    public var errorDescription: String? {
        let english = !(Locale.preferredLanguages.first ?? "id").hasPrefix("id")
        return english ? self.english : indonesian
    }

    public var indonesian: String {
        switch self {
        case let .Validation(_, indonesian, _), let .NotFound(indonesian, _),
             let .Conflict(indonesian, _), let .OutOfStock(indonesian, _),
             let .Unauthorized(indonesian, _), let .Network(indonesian, _),
             let .Storage(indonesian, _), let .Internal(indonesian, _):
            return indonesian
        }
    }

    public var english: String {
        switch self {
        case let .Validation(_, _, english), let .NotFound(_, english),
             let .Conflict(_, english), let .OutOfStock(_, english),
             let .Unauthorized(_, english), let .Network(_, english),
             let .Storage(_, english), let .Internal(_, english):
            return english
        }
    }

    /// The form field at fault, for validation errors.
    public var field: String? {
        if case let .Validation(field, _, _) = self { return field }
        return nil
    }
}
