// What the Android glue (workers, push service) needs from the app: the signed-in
// store's Sync, the process's notifications view model, and the app's version.
package id.pasar.android

import android.content.Context
import id.pasar.Pasar
import id.pasar.Sync
import id.pasar.sync
import id.pasar.ui.NotificationsViewModel
import java.io.File

/**
 * Implemented by the app's `Application` class. [SyncWorker] and [PasarMessagingService]
 * run without a screen (the process may have been started for them alone), so they ask
 * the application for the core instead of opening a second one: one `Pasar` per store
 * and process.
 */
interface PasarApplication {
    /** The signed-in store's sync, opening the store if needed; null while nobody is signed in. */
    suspend fun pasarSync(): Sync?

    /**
     * The process's one notifications view model: pushes and background rounds go through
     * it, so the in-app list and the system tray tell the same thing. Null while nobody is
     * signed in.
     */
    suspend fun pasarNotifications(): NotificationsViewModel?

    /** The app's version as the server checks it ("1.4.0"): `BuildConfig.VERSION_NAME`. */
    val pasarAppVersion: String
}

/** The application as [PasarApplication]; a clear error when the app forgot to implement it. */
internal val Context.pasarApplication: PasarApplication
    get() = applicationContext as? PasarApplication
        ?: error("${applicationContext.javaClass.name} must implement id.pasar.android.PasarApplication")

/** A store and its sync, opened together; closing closes both. */
class PasarOnDevice(val pasar: Pasar, val sync: Sync) : AutoCloseable {
    override fun close() {
        sync.close()
        pasar.close()
    }

    companion object {
        /**
         * Opens the store in the app's no-backup files ([folder]) and its sync with the
         * server at [serverUrl], the session token in the Keystore ([KeystoreTokenStore]).
         *
         * No-backup, because the store holds this install's device id and its queue of
         * changes: restored on another phone it would replay them under a device id the
         * server gives to one phone only. Everything in it comes back from the server
         * after signing in.
         */
        suspend fun open(context: Context, serverUrl: String, folder: String = "pasar"): PasarOnDevice {
            val app = context.applicationContext
            val pasar = Pasar.open(File(app.noBackupFilesDir, folder))
            return PasarOnDevice(pasar, pasar.sync(serverUrl, KeystoreTokenStore(app)))
        }
    }
}
