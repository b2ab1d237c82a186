// The base of the screens' view models: one immutable state per screen, an AsyncStream
// of its changes, and the one way a core call's refusal reaches the screen. Plain Swift
// concurrency: no SwiftUI, Combine or Observation, so it builds and is tested on Linux.
// A SwiftUI app wraps a view model in an `ObservableObject` (or `@Observable`) that
// iterates ``ScreenModel/states()`` and republishes.
import Foundation

/// What a screen shows when the core refuses something: the core's own sentence in
/// Indonesian and English, and for a validation error the form `field` at fault
/// (`"price"`, `"kode_pos"`, `"resi"`...), so the screen can mark that field.
public struct ScreenError: Error, Sendable, Equatable {
    public let field: String?
    public let indonesian: String
    public let english: String

    public init(field: String?, indonesian: String, english: String) {
        self.field = field
        self.indonesian = indonesian
        self.english = english
    }

    /// The core's refusal as a screen shows it.
    public init(_ error: PasarError) {
        self.init(field: error.field, indonesian: error.indonesian, english: error.english)
    }

    /// The sentence in the user's language: Indonesian unless `english`.
    public func text(english: Bool = false) -> String { english ? self.english : indonesian }
}

/// A screen state: what the screen draws, with whether a core call is running and the
/// last refusal.
public protocol ScreenState: Sendable, Equatable {
    var busy: Bool { get set }
    var error: ScreenError? { get set }
}

/// A screen's view model. ``state`` is what the screen draws, replaced as a whole on
/// every change, on the main actor. Every action is an `async` method that returns when
/// the core has answered; while it runs the state says `busy`, and a refusal from the
/// core becomes the state's `error` (the action then returns `nil`), never an error the
/// screen must catch.
@MainActor
public class ScreenModel<State: ScreenState> {
    /// The screen's state now.
    public internal(set) var state: State {
        didSet {
            guard state != oldValue else { return }
            for continuation in continuations.values { continuation.yield(state) }
        }
    }

    private var continuations: [UUID: AsyncStream<State>.Continuation] = [:]

    init(_ initial: State) {
        state = initial
    }

    /// The state now and after every change, while iterated; a slow reader gets the
    /// newest. Ending the iteration stops it.
    public func states() -> AsyncStream<State> {
        let (stream, continuation) = AsyncStream.makeStream(of: State.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        continuations[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { @MainActor in self?.continuations[id] = nil }
        }
        continuation.yield(state)
        return stream
    }

    /// Runs one core call for the screen: busy while it runs, its refusal recorded as
    /// the state's error. Returns the call's result, or `nil` when the core refused.
    func attempt<T>(_ work: () async throws -> T) async -> T? {
        state.busy = true
        state.error = nil
        do {
            let value = try await work()
            state.busy = false
            return value
        } catch let error as PasarError {
            state.busy = false
            state.error = ScreenError(error)
            return nil
        } catch is CancellationError {
            state.busy = false
            return nil
        } catch {
            // Only uniffi's own failures (a library that does not match the bindings) land
            // here: the core reports everything else as PasarError.
            state.busy = false
            state.error = ScreenError(
                field: nil, indonesian: "Terjadi kesalahan: \(error)", english: "Something went wrong: \(error)")
            return nil
        }
    }
}

/// `items` with `item` in place of the one with its id, or first when it is new.
func replacing<T: Identifiable>(_ items: [T], with item: T) -> [T] {
    var items = items
    if let at = items.firstIndex(where: { $0.id == item.id }) {
        items[at] = item
    } else {
        items.insert(item, at: 0)
    }
    return items
}
