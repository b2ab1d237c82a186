// Sign-in and sync from Kotlin: suspend calls over the core's engine, a Flow of progress
// and refusals, and the platform pieces the core asks the app for (HTTP, token storage).
package id.pasar

import id.pasar.ffi.HttpClient
import id.pasar.ffi.HttpException
import id.pasar.ffi.HttpHeader
import id.pasar.ffi.HttpRequest
import id.pasar.ffi.HttpResponse
import id.pasar.ffi.Notice
import id.pasar.ffi.ProductPhoto
import id.pasar.ffi.PushPlatform
import id.pasar.ffi.RejectedChange
import id.pasar.ffi.SyncListener
import id.pasar.ffi.SyncProgress
import id.pasar.ffi.SyncReport
import id.pasar.ffi.SyncService
import id.pasar.ffi.TokenStore
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import java.io.IOException
import java.net.HttpURLConnection
import java.net.URL
import java.util.Locale
import kotlin.time.Duration
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** What a sync round tells the screens while it runs. */
sealed class SyncEvent {
    data class Progress(val progress: SyncProgress) : SyncEvent()

    /** The server refused a change for good: show [change] where it was made. */
    data class Rejected(val change: RejectedChange) : SyncEvent()
}

/**
 * Sign-in by phone number and one-time code, then sync with the server. Every change
 * the app makes is saved on the phone at once and queued; [sync] sends the queue and
 * fetches what changed. Run it from WorkManager with the time the worker has, after a
 * push notification, and when a screen opens.
 */
class Sync internal constructor(private val ffi: SyncService) : AutoCloseable {
    /**
     * Asks the server to send a one-time code to [phone] ("0812-3456-7890").
     *
     * @throws id.pasar.ffi.PasarException.Validation with field `phone`.
     * @throws id.pasar.ffi.PasarException.Network when the server cannot be reached.
     */
    suspend fun requestCode(phone: String) = ffi.requestCode(phone)

    /**
     * Signs in with the code; returns the account id. [name] is what others see.
     *
     * @throws id.pasar.ffi.PasarException.Validation with field `code` (wrong or expired).
     */
    suspend fun signIn(phone: String, code: String, name: String? = null): String =
        ffi.signIn(phone, code, name)

    /** Forgets the session on this phone; queued changes stay for the next sign-in. */
    suspend fun signOut() = ffi.signOut()

    /** The account signed in on this phone, or null. */
    suspend fun accountId(): String? = ffi.accountId()

    /**
     * One round: push what is queued, pull what is new, within [budget]. A round out of
     * time reports `complete = false` and the next one goes on where it stopped.
     *
     * @throws id.pasar.ffi.PasarException.Unauthorized when the session ended: sign in again.
     * @throws id.pasar.ffi.PasarException.Validation with field `app_version` when the app
     *   is too old for the server: ask the user to update.
     */
    suspend fun sync(budget: Duration = 1.minutes): SyncReport = ffi.sync(budget.inWholeMilliseconds.toULong())

    /**
     * Where an image loader (Coil, Glide) fetches [photo] from the server; [thumbnail]
     * for lists. No token is needed and the answer may be cached for ever: the address
     * is the photo's SHA-256. Photos made on this phone show from [Pasar.photoFile].
     */
    fun photoUrl(photo: ProductPhoto, thumbnail: Boolean = false): String = ffi.photoUrl(photo.hash, thumbnail)

    /**
     * Where this install gets pushes: [PushPlatform.FCM] with the token from
     * `FirebaseMessaging.getToken()` / `onNewToken`, or [PushPlatform.UNIFIED_PUSH] with
     * the distributor's endpoint and the subscription's Web Push keys ([p256dh], [auth],
     * base64url). Saved at once and sent with the next [sync]; call again whenever the
     * token changes. Notices come in [language] ("id" or "en").
     */
    suspend fun registerPush(
        platform: PushPlatform,
        token: String,
        appVersion: String,
        p256dh: String? = null,
        auth: String? = null,
        language: String = notificationLanguage(Locale.getDefault()),
    ) = ffi.registerPush(platform, token, p256dh, auth, appVersion, language)

    /**
     * A push arrived: [data] is `RemoteMessage.data` (FCM). The order is pulled within
     * [budget]; returns the notifications to post, each with its `collapseKey` as the tag
     * so a newer one replaces it — usually one, none when the change is already known
     * (a repeated or late push, or the user's own doing).
     *
     * @throws id.pasar.ffi.PasarException.Validation when the payload is not ours.
     */
    suspend fun handlePush(data: Map<String, String>, budget: Duration = 20.seconds): List<Notice> =
        handlePush(pushJson(data), budget)

    /** A push as JSON text: what a UnifiedPush distributor delivers, decrypted. */
    suspend fun handlePush(message: String, budget: Duration = 20.seconds): List<Notice> =
        ffi.handlePush(message, budget.inWholeMilliseconds.toULong())

    /** Changes saved here and not yet confirmed by the server. */
    suspend fun pending(): Long = ffi.pending().toLong()

    /** Refusals not yet dismissed, newest first. */
    suspend fun rejections(): List<RejectedChange> = ffi.rejections()

    suspend fun dismiss(change: RejectedChange) = ffi.dismissRejection(change.mutationId)

    /** Progress and refusals while collected; collection ending unregisters the listener. */
    fun events(): Flow<SyncEvent> = callbackFlow {
        val handle = ffi.observe(object : SyncListener {
            override fun onProgress(progress: SyncProgress) {
                trySend(SyncEvent.Progress(progress))
            }

            override fun onRejected(change: RejectedChange) {
                trySend(SyncEvent.Rejected(change))
            }
        })
        awaitClose { handle.cancel() }
    }.buffer(kotlinx.coroutines.channels.Channel.UNLIMITED)

    override fun close() = ffi.close()
}

/**
 * The core's HTTP over [HttpURLConnection], which exists on the JVM and on Android
 * (where OkHttp backs it): no dependency, the platform's TLS and proxy settings. The
 * core compresses and decompresses bodies itself, so nothing here touches them.
 */
class UrlConnectionHttpClient(
    private val connectTimeoutMs: Int = 10_000,
    private val readTimeoutMs: Int = 60_000,
) : HttpClient {
    override fun send(request: HttpRequest): HttpResponse {
        try {
            val conn = URL(request.url).openConnection() as HttpURLConnection
            try {
                conn.requestMethod = request.method
                conn.instanceFollowRedirects = false
                conn.connectTimeout = connectTimeoutMs
                conn.readTimeout = readTimeoutMs
                conn.useCaches = false
                for (h in request.headers) conn.setRequestProperty(h.name, h.value)
                if (request.method == "POST" || request.method == "PUT") {
                    conn.doOutput = true
                    conn.setFixedLengthStreamingMode(request.body.size)
                    conn.outputStream.use { it.write(request.body) }
                }
                val status = conn.responseCode
                val stream = if (status >= 400) conn.errorStream else conn.inputStream
                val body = stream?.use { it.readBytes() } ?: ByteArray(0)
                val headers = conn.headerFields
                    .filterKeys { it != null }
                    .flatMap { (name, values) -> values.map { HttpHeader(name, it) } }
                return HttpResponse(status.toUShort(), headers, body)
            } finally {
                conn.disconnect()
            }
        } catch (e: IOException) {
            throw HttpException.Network(e.message ?: e.javaClass.simpleName)
        }
    }
}

/**
 * A token kept in memory only, for tests and tools. Apps keep it in the Android
 * Keystore (for example EncryptedSharedPreferences) by implementing [TokenStore].
 */
class MemoryTokenStore : TokenStore {
    @Volatile private var token: String? = null
    override fun load(): String? = token
    override fun save(token: String?) {
        this.token = token
    }
}

/**
 * Sign-in and sync with the server at [serverUrl], keeping the session token in
 * [tokens] and talking through [http].
 */
fun Pasar.sync(
    serverUrl: String,
    tokens: TokenStore,
    http: HttpClient = UrlConnectionHttpClient(),
): Sync = Sync(syncService(serverUrl, http, tokens))

/** "id" for Indonesian (Java still says "in" for it), "en" for everything else. */
fun notificationLanguage(locale: Locale): String =
    if (locale.language == "in" || locale.language == "id") "id" else "en"

/** A push's data map as the JSON object the core reads. */
internal fun pushJson(data: Map<String, String>): String {
    val out = StringBuilder("{")
    for ((i, entry) in data.entries.withIndex()) {
        if (i > 0) out.append(',')
        jsonString(out, entry.key)
        out.append(':')
        jsonString(out, entry.value)
    }
    return out.append('}').toString()
}

private fun jsonString(out: StringBuilder, s: String) {
    out.append('"')
    for (c in s) {
        when {
            c == '"' -> out.append("\\\"")
            c == '\\' -> out.append("\\\\")
            c < ' ' -> out.append(String.format("\\u%04x", c.code))
            else -> out.append(c)
        }
    }
    out.append('"')
}
