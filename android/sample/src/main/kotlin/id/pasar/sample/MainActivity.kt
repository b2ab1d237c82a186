// One activity: sign-in until there is an account, then the screens in a NavHost with a
// bottom bar (shop, cart, orders, seller, admin) and the notifications behind the bell.
package id.pasar.sample

import android.Manifest
import android.content.Intent
import android.net.Uri
import android.os.Build
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Create
import androidx.compose.material.icons.filled.ExitToApp
import androidx.compose.material.icons.filled.Home
import androidx.compose.material.icons.filled.List
import androidx.compose.material.icons.filled.Notifications
import androidx.compose.material.icons.filled.Send
import androidx.compose.material.icons.filled.ShoppingCart
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.vector.ImageVector
import androidx.compose.ui.res.stringResource
import androidx.navigation.NavHostController
import androidx.navigation.NavType
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.currentBackStackEntryAsState
import androidx.navigation.compose.rememberNavController
import androidx.navigation.navArgument
import androidx.navigation.navDeepLink
import id.pasar.android.PasarMessagingService
import id.pasar.android.PasarNotifications
import id.pasar.android.PasarOnDevice
import id.pasar.android.SyncWorker
import id.pasar.ffi.MarketGroup
import id.pasar.ui.SignInViewModel
import kotlin.time.Duration.Companion.seconds

/** What every screen needs: the store, its sync, who is signed in, and the market shown. */
class Session(val app: SampleApp, val device: PasarOnDevice, val accountId: String, val market: MarketGroup?) {
    val pasar get() = device.pasar
    val sync get() = device.sync
}

class MainActivity : ComponentActivity() {
    // A WhatsApp chat export shared to the app, for the admin's screen.
    private val shared = mutableStateOf<Uri?>(null)
    private var nav: NavHostController? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        takeShare(intent)
        setContent {
            MaterialTheme {
                PasarApp(application as SampleApp, shared.value, onShareUsed = { shared.value = null }) { nav = it }
            }
        }
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        if (!takeShare(intent)) nav?.handleDeepLink(intent)
    }

    private fun takeShare(intent: Intent?): Boolean {
        if (intent?.action != Intent.ACTION_SEND) return false
        @Suppress("DEPRECATION")
        shared.value = intent.getParcelableExtra(Intent.EXTRA_STREAM) as? Uri
        return true
    }
}

object Routes {
    const val CATALOG = "catalog"
    const val PRODUCT = "product/{id}"
    const val CART = "cart"
    const val CHECKOUT = "checkout"
    const val ORDERS = "orders"
    const val ORDER = "order/{id}"
    const val SELLER = "seller"
    const val NEW_PRODUCT = "seller/new"
    const val ADMIN = "admin"
    const val NOTIFICATIONS = "notifications"

    fun product(id: String) = "product/$id"
    fun order(id: String) = "order/$id"
}

@Composable
fun PasarApp(app: SampleApp, shared: Uri?, onShareUsed: () -> Unit, onNav: (NavHostController) -> Unit) {
    var device by remember { mutableStateOf<PasarOnDevice?>(null) }
    LaunchedEffect(Unit) { device = app.device() }
    val opened = device ?: return Loading()

    val signIn = held("sign-in") { SignInViewModel(opened.sync) }
    val state = signIn.model.collected()
    LaunchedEffect(Unit) { signIn.model.restore() }
    val account = state.accountId ?: return SignInScreen(signIn)

    // Signed in: the screens show what the phone has at once (offline first); a round
    // then brings the account's markets, catalog and orders.
    var market by remember(account) { mutableStateOf<MarketGroup?>(null) }
    var ready by remember(account) { mutableStateOf(false) }
    val askNotifications = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) {}
    LaunchedEffect(account) {
        // The sample shows the first market this account belongs to; a real app lets her pick.
        suspend fun firstMarket() = runCatching { opened.pasar.groups.list().firstOrNull() }.getOrNull()
        market = firstMarket()
        ready = true
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU) {
            askNotifications.launch(Manifest.permission.POST_NOTIFICATIONS)
        }
        PasarMessagingService.registerCurrentToken(app)
        runCatching { opened.sync.sync(30.seconds) }.onSuccess { report ->
            app.notifications().onSynced(report)
            PasarNotifications.post(app, report.notices)
        }
        if (market == null) market = firstMarket()
    }
    if (!ready) return Loading()
    MainScreens(Session(app, opened, account, market), shared, onShareUsed, onNav) {
        signIn.act {
            signOut()
            SyncWorker.cancelAll(app)
        }
    }
}

@OptIn(ExperimentalMaterial3Api::class)
@Composable
private fun MainScreens(
    session: Session,
    shared: Uri?,
    onShareUsed: () -> Unit,
    onNav: (NavHostController) -> Unit,
    signOut: () -> Unit,
) {
    val nav = rememberNavController()
    LaunchedEffect(nav) { onNav(nav) }
    LaunchedEffect(shared) { if (shared != null) nav.navigate(Routes.ADMIN) }
    val current by nav.currentBackStackEntryAsState()
    val route = current?.destination?.route
    Scaffold(
        topBar = {
            TopAppBar(
                title = { Text(session.market?.name ?: stringResource(R.string.app_name)) },
                actions = {
                    IconButton(onClick = { nav.navigate(Routes.NOTIFICATIONS) }) {
                        Icon(Icons.Default.Notifications, stringResource(R.string.notifications_title))
                    }
                    IconButton(onClick = signOut) { Icon(Icons.Default.ExitToApp, stringResource(R.string.sign_out)) }
                },
            )
        },
        bottomBar = {
            NavigationBar {
                Tab(nav, route, Routes.CATALOG, Icons.Default.Home, R.string.tab_shop)
                Tab(nav, route, Routes.CART, Icons.Default.ShoppingCart, R.string.tab_cart)
                Tab(nav, route, Routes.ORDERS, Icons.Default.List, R.string.tab_orders)
                Tab(nav, route, Routes.SELLER, Icons.Default.Create, R.string.tab_seller)
                Tab(nav, route, Routes.ADMIN, Icons.Default.Send, R.string.tab_admin)
            }
        },
    ) { padding ->
        NavHost(nav, startDestination = Routes.CATALOG, modifier = Modifier.padding(padding)) {
            composable(Routes.CATALOG) { CatalogScreen(session) { nav.navigate(Routes.product(it)) } }
            composable(Routes.PRODUCT, listOf(navArgument("id") { type = NavType.StringType })) {
                ProductScreen(session, it.arguments?.getString("id").orEmpty()) { nav.navigate(Routes.CART) }
            }
            composable(Routes.CART) { CartScreen(session) { nav.navigate(Routes.CHECKOUT) } }
            composable(Routes.CHECKOUT) {
                CheckoutScreen(session) { nav.navigate(Routes.ORDERS) { popUpTo(Routes.CATALOG) } }
            }
            composable(Routes.ORDERS) { OrdersScreen(session, openId = null) }
            composable(
                Routes.ORDER,
                listOf(navArgument("id") { type = NavType.StringType }),
                deepLinks = listOf(navDeepLink { uriPattern = "pasar://order/{id}" }),
            ) { OrdersScreen(session, openId = it.arguments?.getString("id")) }
            composable(Routes.SELLER) { SellerOrdersScreen(session) { nav.navigate(Routes.NEW_PRODUCT) } }
            composable(Routes.NEW_PRODUCT) { NewProductScreen(session) { nav.popBackStack() } }
            composable(Routes.ADMIN) {
                ChatOrdersScreen(session, shared, onShareUsed) { nav.navigate(Routes.CHECKOUT) }
            }
            composable(Routes.NOTIFICATIONS) { NotificationsScreen(session) { nav.navigate(Routes.order(it)) } }
        }
    }
}

@Composable
private fun androidx.compose.foundation.layout.RowScope.Tab(
    nav: NavHostController,
    current: String?,
    route: String,
    icon: ImageVector,
    label: Int,
) {
    NavigationBarItem(
        selected = current == route,
        onClick = {
            nav.navigate(route) {
                popUpTo(Routes.CATALOG) { saveState = true }
                launchSingleTop = true
                restoreState = true
            }
        },
        icon = { Icon(icon, null) },
        label = { Text(stringResource(label)) },
    )
}

@Composable
fun Loading() {
    Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) { CircularProgressIndicator() }
}
