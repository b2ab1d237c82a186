// Notifications: a push payload in, the notice to post out (the core writes the text).
package id.pasar.ui

import id.pasar.Sync
import id.pasar.ffi.Notice
import id.pasar.ffi.SyncReport

/**
 * The notices to post and list, newest first; one per order (`collapseKey`), a newer
 * notice of an order replacing the older, as the system tray does with the same tag.
 * Each has the core's `title` and `body` in the language the phone registered
 * ("Pesanan dikirim" / "Pesanan #A12 sedang dikirim — JNE …") and the `deepLink` a tap
 * opens.
 */
data class NotificationsState(
    val notices: List<Notice> = listOf(),
    val busy: Boolean = false,
    val error: ScreenError? = null,
)

/**
 * Turns pushes into notices through the core: [onPush] with FCM's `RemoteMessage.data`
 * (or a UnifiedPush message) pulls the order and returns what to post, none when the
 * change is already known; [onSynced] takes the notices an ordinary sync brought. A
 * payload that is not ours is the state's error, never acted on.
 */
class NotificationsViewModel(private val sync: Sync) : ScreenModel<NotificationsState>(NotificationsState()) {
    override fun progress(state: NotificationsState, busy: Boolean, error: ScreenError?) =
        state.copy(busy = busy, error = error)

    /** An FCM push arrived: its data map. Returns the notices to post. */
    suspend fun onPush(data: Map<String, String>): List<Notice> =
        attempt { sync.handlePush(data) }.orEmpty().also(::show)

    /** A UnifiedPush message arrived (decrypted by the connector). */
    suspend fun onPush(message: String): List<Notice> =
        attempt { sync.handlePush(message) }.orEmpty().also(::show)

    /** A sync round ended: the order moves it brought, to post. */
    fun onSynced(report: SyncReport) = show(report.notices)

    private fun show(new: List<Notice>) {
        if (new.isEmpty()) return
        update { s ->
            val keys = new.map { it.collapseKey }.toSet()
            s.copy(notices = new.reversed() + s.notices.filter { it.collapseKey !in keys })
        }
    }

    /** The user swiped [notice] away. */
    fun dismiss(notice: Notice) = update { s -> s.copy(notices = s.notices - notice) }
}
