// The bridge between the library's plain view models (id.pasar.ui) and Android: each
// screen's view model lives in an androidx ViewModel scoped to its navigation entry, its
// actions run in viewModelScope (they outlive a rotation), its state is collected with
// the lifecycle, and watch() runs only while the screen is started.
package id.pasar.sample

import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.platform.LocalConfiguration
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.ViewModel
import androidx.lifecycle.compose.LocalLifecycleOwner
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.repeatOnLifecycle
import androidx.lifecycle.viewModelScope
import androidx.lifecycle.viewmodel.compose.viewModel
import id.pasar.ui.ScreenModel
import kotlinx.coroutines.launch

/** An androidx ViewModel holding one screen's plain view model. */
class Held<M : ScreenModel<*>>(val model: M) : ViewModel() {
    /** Runs an action of the view model; it survives rotation, and ends with the screen. */
    fun act(action: suspend M.() -> Unit) {
        viewModelScope.launch { model.action() }
    }
}

/** The view model of the current navigation entry, made by [make] the first time. */
@Composable
inline fun <reified M : ScreenModel<*>> held(key: String? = null, noinline make: () -> M): Held<M> =
    viewModel(key = key) { Held(make()) }

/** [S] of a screen model, recomposing on change while the screen is started. */
@Composable
fun <S : Any> ScreenModel<S>.collected(): S {
    val value by this.state.collectAsStateWithLifecycle()
    return value
}

/** Runs [work] (a view model's watch()) while the screen is started, stopping it in the background. */
@Composable
fun WhileShown(key: Any, work: suspend () -> Unit) {
    val lifecycle = LocalLifecycleOwner.current.lifecycle
    LaunchedEffect(key) { lifecycle.repeatOnLifecycle(Lifecycle.State.STARTED) { work() } }
}

/** Whether to show the core's English texts: the device's language is English. */
@Composable
fun english(): Boolean = LocalConfiguration.current.locales[0].language == "en"
