// The application: opens the one store of this install on first use and hands it to the
// screens, the background worker and the push service (id.pasar.android.PasarApplication).
package id.pasar.sample

import android.app.Application
import id.pasar.Sync
import id.pasar.android.PasarApplication
import id.pasar.android.PasarNotifications
import id.pasar.android.PasarOnDevice
import id.pasar.android.SyncWorker
import id.pasar.ffi.PasarException
import id.pasar.ui.NotificationsViewModel
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

class SampleApp : Application(), PasarApplication {
    private val opening = Mutex()

    @Volatile private var opened: PasarOnDevice? = null

    @Volatile private var notices: NotificationsViewModel? = null

    override fun onCreate() {
        super.onCreate()
        PasarNotifications.createChannels(this)
        SyncWorker.schedulePeriodic(this)
    }

    /** The store and its sync, opened once per process (a migration may run the first time). */
    suspend fun device(): PasarOnDevice = opening.withLock {
        opened ?: PasarOnDevice.open(this, BuildConfig.PASAR_SERVER_URL).also {
            opened = it
            notices = NotificationsViewModel(it.sync)
        }
    }

    /** The process's notifications view model: the in-app list and the tray share it. */
    suspend fun notifications(): NotificationsViewModel {
        device()
        return notices!!
    }

    override suspend fun pasarSync(): Sync? {
        val sync = device().sync
        val signedIn = try {
            sync.accountId() != null
        } catch (e: PasarException) {
            false
        }
        return if (signedIn) sync else null
    }

    override suspend fun pasarNotifications(): NotificationsViewModel? = pasarSync()?.let { notifications() }

    override val pasarAppVersion: String get() = BuildConfig.VERSION_NAME
}
