// Posting the core's notices in the system tray: one notification per order (the
// notice's collapse key is the tag, so a newer one replaces it), a tap opens its deep link.
package id.pasar.android

import android.Manifest
import android.annotation.SuppressLint
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import id.pasar.R
import id.pasar.ffi.Notice

/** The notification channels Pasar posts on, and the posting of notices. */
object PasarNotifications {
    /** Order news: new orders for sellers, moves for buyers. High importance (heads-up). */
    const val ORDERS_CHANNEL = "pasar_orders"

    /** The quiet notification an expedited sync shows on Android 11 and older while it runs. */
    const val SYNC_CHANNEL = "pasar_sync"

    private const val GROUP = "id.pasar.orders"

    // One id for every order notification: the tag (the collapse key) tells them apart.
    private const val NOTICE_ID = 1

    /** Creates the channels (safe to call on every start); names come from the library's strings. */
    fun createChannels(context: Context) {
        if (Build.VERSION.SDK_INT < Build.VERSION_CODES.O) return
        val manager = context.getSystemService(NotificationManager::class.java)
        manager.createNotificationChannel(
            NotificationChannel(
                ORDERS_CHANNEL,
                context.getString(R.string.pasar_channel_orders),
                NotificationManager.IMPORTANCE_HIGH,
            ).apply { description = context.getString(R.string.pasar_channel_orders_description) },
        )
        manager.createNotificationChannel(
            NotificationChannel(
                SYNC_CHANNEL,
                context.getString(R.string.pasar_channel_sync),
                NotificationManager.IMPORTANCE_MIN,
            ),
        )
    }

    /** Whether posting would show anything (Android 13+ asks the user for POST_NOTIFICATIONS). */
    fun canPost(context: Context): Boolean {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU &&
            ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) !=
            PackageManager.PERMISSION_GRANTED
        ) {
            return false
        }
        return NotificationManagerCompat.from(context).areNotificationsEnabled()
    }

    /**
     * Posts each notice: the core's title and body (in the language registered with the
     * push token), tagged with its collapse key so a newer notice of the same order
     * replaces the shown one, opening `pasar://order/<id>` in this app when tapped.
     * Nothing happens without the permission; the in-app list still has them.
     */
    // canPost checks POST_NOTIFICATIONS; a revocation in between is caught below.
    @SuppressLint("MissingPermission")
    fun post(context: Context, notices: List<Notice>) {
        if (notices.isEmpty() || !canPost(context)) return
        val manager = NotificationManagerCompat.from(context)
        for (notice in notices) {
            val open = Intent(Intent.ACTION_VIEW, Uri.parse(notice.deepLink)).setPackage(context.packageName)
            val tap = PendingIntent.getActivity(
                context,
                notice.collapseKey.hashCode(),
                open,
                PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
            )
            val notification = NotificationCompat.Builder(context, ORDERS_CHANNEL)
                .setSmallIcon(R.drawable.pasar_ic_notification)
                .setContentTitle(notice.title)
                .setContentText(notice.body)
                .setStyle(NotificationCompat.BigTextStyle().bigText(notice.body))
                .setCategory(NotificationCompat.CATEGORY_STATUS)
                .setPriority(NotificationCompat.PRIORITY_HIGH)
                .setGroup(GROUP)
                .setContentIntent(tap)
                .setAutoCancel(true)
                .build()
            try {
                manager.notify(notice.collapseKey, NOTICE_ID, notification)
            } catch (e: SecurityException) {
                // The permission was revoked between canPost and here.
                return
            }
        }
    }
}
