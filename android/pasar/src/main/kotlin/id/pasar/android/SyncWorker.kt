// Background sync with WorkManager: one round of the core's sync per run, periodic on
// any network, and an expedited one-shot when a push arrives (the push's order is
// pulled and its notice posted).
package id.pasar.android

import android.content.Context
import androidx.core.app.NotificationCompat
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.Data
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.ExistingWorkPolicy
import androidx.work.ForegroundInfo
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.OutOfQuotaPolicy
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import id.pasar.R
import id.pasar.ffi.PasarException
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.minutes

/**
 * One sync round, or one push handled, in the background.
 *
 * - Without input: `Sync.sync(budget)` (push the queue, pull what is new) within the
 *   minutes WorkManager gives a worker; the round's notices are posted.
 * - With a push's data map as input ([enqueuePush]): `handlePush` through the process's
 *   [id.pasar.ui.NotificationsViewModel], which pulls that order and returns the notice
 *   to post (none when the change is already known: FCM may deliver twice).
 *
 * A round that cannot reach the server is retried by WorkManager with backoff; the core
 * has already retried inside the round. A signed-out phone, or a session the server
 * ended, ends the work: there is nothing to do until the user signs in again.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val app = applicationContext.pasarApplication
        val sync = app.pasarSync() ?: return Result.success()
        val notifications = app.pasarNotifications() ?: return Result.success()
        val push = inputData.keyValueMap
            .filterKeys { it.startsWith(PUSH_PREFIX) }
            .map { (k, v) -> k.removePrefix(PUSH_PREFIX) to v.toString() }
            .toMap()
        return try {
            if (push.isNotEmpty()) {
                // The view model records a foreign payload as its error: nothing to post.
                PasarNotifications.post(applicationContext, notifications.onPush(push))
            } else {
                val report = sync.sync(ROUND_BUDGET)
                notifications.onSynced(report)
                PasarNotifications.post(applicationContext, report.notices)
                if (!report.complete) enqueueNow(applicationContext)
            }
            Result.success()
        } catch (e: PasarException.Network) {
            if (runAttemptCount < MAX_ATTEMPTS) Result.retry() else Result.failure()
        } catch (e: PasarException.Unauthorized) {
            Result.success()
        } catch (e: PasarException) {
            // Storage, or an app too old for the server (Validation `app_version`): the
            // screens show it on their next round; retrying here would not help.
            Result.failure()
        }
    }

    /** Android 11 and older run expedited work as a foreground service: this is its quiet notification. */
    override suspend fun getForegroundInfo(): ForegroundInfo {
        PasarNotifications.createChannels(applicationContext)
        val notification = NotificationCompat.Builder(applicationContext, PasarNotifications.SYNC_CHANNEL)
            .setSmallIcon(R.drawable.pasar_ic_notification)
            .setContentTitle(applicationContext.getString(R.string.pasar_syncing))
            .setPriority(NotificationCompat.PRIORITY_MIN)
            .setOngoing(true)
            .build()
        // No service type: only Android 11 and older take this path, where none is needed.
        return ForegroundInfo(FOREGROUND_ID, notification)
    }

    companion object {
        private const val PERIODIC = "pasar-sync-periodic"
        private const val NOW = "pasar-sync-now"
        private const val PUSH = "pasar-push:"
        private const val PUSH_PREFIX = "push."
        private const val FOREGROUND_ID = 0x5A5A
        private const val MAX_ATTEMPTS = 5

        // WorkManager stops a worker after 10 minutes; the core stops the round earlier
        // and reports complete = false, and the next run goes on where it stopped.
        private val ROUND_BUDGET = 8.minutes

        private val online = Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build()

        /**
         * A round every [hours] (WorkManager's floor is 15 minutes) while the phone has a
         * network; call at every start: an existing schedule is kept, a changed interval
         * replaces it. Pushes bring order news at once, so this only catches up what no
         * push announced (other sellers' new products), cheaply.
         */
        fun schedulePeriodic(context: Context, hours: Long = 1) {
            val request = PeriodicWorkRequestBuilder<SyncWorker>(hours, TimeUnit.HOURS)
                .setConstraints(online)
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
                .build()
            WorkManager.getInstance(context)
                .enqueueUniquePeriodicWork(PERIODIC, ExistingPeriodicWorkPolicy.UPDATE, request)
        }

        /** A round as soon as there is a network (after sign-in, a new push token, a change on a screen). */
        fun enqueueNow(context: Context) {
            val request = OneTimeWorkRequestBuilder<SyncWorker>()
                .setConstraints(online)
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 10, TimeUnit.SECONDS)
                .build()
            WorkManager.getInstance(context).enqueueUniqueWork(NOW, ExistingWorkPolicy.KEEP, request)
        }

        /**
         * A push arrived ([data]: `RemoteMessage.data`): handle it as expedited work, which
         * a high-priority FCM message is allowed to start from the background. No network
         * constraint: offline, the core still makes the notice from the hint alone. One
         * pending job per order (the hint's `o`): a second push of the same order while the
         * first waits is dropped, since handling the first pulls the order's newest state.
         */
        fun enqueuePush(context: Context, data: Map<String, String>) {
            val input = Data.Builder()
            for ((k, v) in data) input.putString(PUSH_PREFIX + k, v)
            val request = OneTimeWorkRequestBuilder<SyncWorker>()
                .setExpedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
                .setInputData(input.build())
                .build()
            WorkManager.getInstance(context)
                .enqueueUniqueWork(PUSH + (data["o"] ?: "other"), ExistingWorkPolicy.KEEP, request)
        }

        /** Stops the background work (sign-out). */
        fun cancelAll(context: Context) {
            WorkManager.getInstance(context).run {
                cancelUniqueWork(PERIODIC)
                cancelUniqueWork(NOW)
            }
        }
    }
}
