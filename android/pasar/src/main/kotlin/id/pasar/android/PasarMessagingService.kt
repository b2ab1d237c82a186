// FCM glue: a new token is registered with the core (it reaches the server with the next
// round); a push is handed to expedited work that pulls the order and posts the core's
// notice. firebase-messaging is compileOnly in the library: an app that uses FCM adds it
// (and declares this service in its manifest); an app without Google services never
// loads this class.
package id.pasar.android

import android.content.Context
import android.util.Log
import com.google.firebase.FirebaseApp
import com.google.firebase.messaging.FirebaseMessaging
import com.google.firebase.messaging.FirebaseMessagingService
import com.google.firebase.messaging.RemoteMessage
import id.pasar.ffi.PasarException
import id.pasar.ffi.PushPlatform
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlin.coroutines.resume

/**
 * Declare it in the app's manifest (the library does not, so apps without FCM are not
 * made to carry it):
 *
 * ```xml
 * <service android:name="id.pasar.android.PasarMessagingService" android:exported="false">
 *     <intent-filter><action android:name="com.google.firebase.MESSAGING_EVENT" /></intent-filter>
 * </service>
 * ```
 *
 * The server sends data messages only (`{"t":"order","o":…,"s":…,"v":…}`, high priority,
 * with a collapse key per order), so [onMessageReceived] runs for every push, in the
 * foreground and the background alike. It returns at once: the work is expedited
 * [SyncWorker] work, which a high-priority message may start from the background, rather
 * than a network round inside FCM's ten-second window.
 */
open class PasarMessagingService : FirebaseMessagingService() {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.IO)

    override fun onNewToken(token: String) {
        scope.launch { register(applicationContext, token) }
    }

    override fun onMessageReceived(message: RemoteMessage) {
        if (message.data.isEmpty()) return
        SyncWorker.enqueuePush(applicationContext, message.data)
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }

    companion object {
        private const val TAG = "PasarPush"

        /**
         * Registers this install's current FCM token with the core: call after sign-in
         * (the token may have come before anyone was signed in, when [onNewToken] had no
         * store to save it in). Does nothing when Firebase is not set up in this build.
         */
        suspend fun registerCurrentToken(context: Context) {
            if (FirebaseApp.getApps(context).isEmpty()) {
                Log.i(TAG, "Firebase is not configured in this build: no FCM pushes")
                return
            }
            val token = suspendCancellableCoroutine { cont ->
                FirebaseMessaging.getInstance().token.addOnCompleteListener { task ->
                    cont.resume(if (task.isSuccessful) task.result else null)
                }
            } ?: return
            register(context, token)
        }

        private suspend fun register(context: Context, token: String) {
            val app = context.pasarApplication
            val sync = app.pasarSync() ?: return // signed out: registerCurrentToken after sign-in
            try {
                sync.registerPush(PushPlatform.FCM, token, app.pasarAppVersion)
                SyncWorker.enqueueNow(context)
            } catch (e: PasarException) {
                Log.w(TAG, "push registration not saved: ${e.javaClass.simpleName}")
            }
        }
    }
}
