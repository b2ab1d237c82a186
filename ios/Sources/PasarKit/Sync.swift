// Sign-in and sync from Swift: the platform pieces the core asks the app for (HTTP over
// URLSession, token storage) and an AsyncStream of progress and refusals. The engine —
// outbox, batching, retries, merging, compression — is the core's.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@_exported import PasarBindings

/// The core's HTTP over `URLSession`: the platform's TLS, proxies and App Transport
/// Security. The core compresses request bodies itself and reads gzip answers either
/// way (URLSession may unpack them on its own). Called on a background thread.
public final class URLSessionHttpClient: HttpClient, @unchecked Sendable {
    private let session: URLSession

    public init(timeout: TimeInterval = 60) {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: config, delegate: NoRedirects(), delegateQueue: nil)
    }

    public func send(request: HttpRequest) throws -> HttpResponse {
        guard let url = URL(string: request.url) else {
            throw HttpError.Network(reason: "not a URL: \(request.url)")
        }
        var r = URLRequest(url: url)
        r.httpMethod = request.method
        // URLSession negotiates compression and unpacks answers itself (Apple's always,
        // Linux's through curl), keeping the Content-Encoding header: the core knows to
        // read such a body as it is. Our own Accept-Encoding would only be redundant.
        for h in request.headers where h.name.lowercased() != "accept-encoding" {
            r.setValue(h.value, forHTTPHeaderField: h.name)
        }
        if request.method == "POST" || request.method == "PUT" { r.httpBody = Data(request.body) }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<HttpResponse, HttpError> = .failure(.Network(reason: "no answer"))
        session.dataTask(with: r) { data, response, error in
            defer { done.signal() }
            if let error {
                result = .failure(.Network(reason: error.localizedDescription))
                return
            }
            guard let http = response as? HTTPURLResponse else {
                result = .failure(.Network(reason: "not an HTTP answer"))
                return
            }
            let headers = http.allHeaderFields.compactMap { key, value -> HttpHeader? in
                guard let name = key as? String else { return nil }
                return HttpHeader(name: name, value: "\(value)")
            }
            result = .success(HttpResponse(
                status: UInt16(clamping: http.statusCode), headers: headers, body: data ?? Data()))
        }.resume()
        done.wait()
        return try result.get()
    }
}

/// Redirects are answered as they are: the core decides, never the HTTP stack.
private final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}

/// A token kept in memory only, for tests and tools. Apps keep it in the Keychain by
/// implementing ``TokenStore``.
public final class MemoryTokenStore: TokenStore, @unchecked Sendable {
    private let lock = NSLock()
    private var token: String?

    public init() {}

    // lock()/unlock(), not `withLock`: that needs iOS 16, the package supports iOS 15.
    public func load() -> String? {
        lock.lock()
        defer { lock.unlock() }
        return token
    }

    public func save(token: String?) {
        lock.lock()
        defer { lock.unlock() }
        self.token = token
    }
}

/// What a sync round tells the screens while it runs.
public enum SyncEvent: Sendable {
    case progress(SyncProgress)
    /// The server refused a change for good: show it where it was made.
    case rejected(RejectedChange)
}

extension Pasar {
    /// Sign-in and sync with the server at `serverURL`, the token kept in `tokens`.
    public func sync(serverURL: URL, tokens: TokenStore, http: HttpClient = URLSessionHttpClient()) -> SyncService {
        sync(serverUrl: serverURL.absoluteString, http: http, tokens: tokens)
    }
}

extension SyncService {
    /// One round within `budget` seconds: push what is queued, pull what is new. Call it
    /// from a `BGAppRefreshTask` with the time it has, after a push, when a screen opens.
    ///
    /// - Throws: ``PasarError/Unauthorized(indonesian:english:)`` when the session ended;
    ///   ``PasarError/Validation(field:indonesian:english:)`` with field `app_version`
    ///   when the app is too old for the server.
    @discardableResult
    public func sync(budget: TimeInterval = 60) async throws -> SyncReport {
        try await sync(budgetMs: UInt64(max(budget, 0.001) * 1000))
    }

    /// Where an image loader fetches `photo` from the server (`thumbnail` for lists). No
    /// token is needed and the answer may be cached for ever: the address is the photo's
    /// SHA-256. Photos made on this phone show from ``Pasar/photoURL(_:thumbnail:)``.
    public func photoURL(_ photo: ProductPhoto, thumbnail: Bool = false) -> URL? {
        URL(string: photoUrl(hash: photo.hash, thumbnail: thumbnail))
    }

    /// Where this install gets pushes: the APNs device token as
    /// `didRegisterForRemoteNotificationsWithDeviceToken` hands it over. Saved at once and
    /// sent with the next sync; call again whenever the token changes. Notices come in
    /// `language` ("id" or "en").
    public func registerPush(
        apnsToken: Data,
        appVersion: String,
        language: String = notificationLanguage(Locale.preferredLanguages.first ?? "id")
    ) async throws {
        let hex = apnsToken.map { String(format: "%02x", $0) }.joined()
        try await registerPush(
            platform: .apns, token: hex, p256dh: nil, auth: nil, appVersion: appVersion, lang: language)
    }

    /// A push arrived: `userInfo` as the app delegate or the Notification Service
    /// Extension gets it. The order is pulled within `budget` seconds; returns the
    /// notices to show (use `collapseKey` as the thread and request identifier, so a newer
    /// one replaces it) — usually one, none when the change is already known.
    ///
    /// - Throws: ``PasarError/Validation(field:indonesian:english:)`` when the payload is
    ///   not ours.
    public func handlePush(userInfo: [AnyHashable: Any], budget: TimeInterval = 20) async throws -> [Notice] {
        try await handlePush(payload: pushPayload(userInfo), budgetMs: UInt64(max(budget, 0.001) * 1000))
    }

    /// Progress and refusals while iterated; ending the iteration unregisters.
    public func events() -> AsyncStream<SyncEvent> {
        AsyncStream(bufferingPolicy: .unbounded) { continuation in
            let handle = self.observe(listener: SyncStreamListener(continuation: continuation))
            continuation.onTermination = { _ in handle.cancel() }
        }
    }
}

private final class SyncStreamListener: SyncListener, @unchecked Sendable {
    let continuation: AsyncStream<SyncEvent>.Continuation

    init(continuation: AsyncStream<SyncEvent>.Continuation) {
        self.continuation = continuation
    }

    func onProgress(progress: SyncProgress) { continuation.yield(.progress(progress)) }
    func onRejected(change: RejectedChange) { continuation.yield(.rejected(change)) }
}

/// A push's `userInfo` as the JSON text the core reads (empty when it is not JSON).
func pushPayload(_ userInfo: [AnyHashable: Any]) -> String {
    var object: [String: Any] = [:]
    for (key, value) in userInfo {
        if let key = key as? String { object[key] = value }
    }
    let data = JSONSerialization.isValidJSONObject(object)
        ? (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        : Data()
    return String(decoding: data, as: UTF8.self)
}

/// "id" for Indonesian ("id", "id-ID", the old "in"), "en" for everything else.
public func notificationLanguage(_ identifier: String) -> String {
    let code = identifier.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? ""
    return code == "id" || code == "in" ? "id" : "en"
}
