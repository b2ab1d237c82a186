// The base of the screens' view models: a StateFlow of one immutable state, and the one
// way a core call's refusal reaches the screen. Plain Kotlin and coroutines, no Android
// classes: an app wraps a view model in an androidx ViewModel (or a Compose
// `remember`) and calls its suspend functions from `viewModelScope`; the JVM tests call
// them directly.
package id.pasar.ui

import id.pasar.ffi.PasarException
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

/**
 * What a screen shows when the core refuses something: the core's own sentence in
 * Indonesian and English, and for a validation error the form [field] at fault
 * (`"price"`, `"kode_pos"`, `"resi"`...), so the screen can mark that field.
 */
data class ScreenError(val field: String?, val indonesian: String, val english: String) {
    /** The sentence in the user's language: Indonesian unless [english]. */
    fun text(english: Boolean = false): String = if (english) this.english else indonesian
}

/** The core's refusal as a screen shows it. */
fun PasarException.toScreenError(): ScreenError = when (this) {
    is PasarException.Validation -> ScreenError(field, indonesian, english)
    is PasarException.NotFound -> ScreenError(null, indonesian, english)
    is PasarException.Conflict -> ScreenError(null, indonesian, english)
    is PasarException.OutOfStock -> ScreenError(null, indonesian, english)
    is PasarException.Unauthorized -> ScreenError(null, indonesian, english)
    is PasarException.Network -> ScreenError(null, indonesian, english)
    is PasarException.Storage -> ScreenError(null, indonesian, english)
    is PasarException.Internal -> ScreenError(null, indonesian, english)
}

/**
 * A screen's view model: [state] is what the screen draws, replaced as a whole on every
 * change. Every action is a suspend function that returns when the core has answered;
 * while it runs the state says `busy`, and a refusal from the core becomes the state's
 * `error` (the action then returns `null`), never an exception the screen must catch.
 * Cancellation passes through.
 */
abstract class ScreenModel<S : Any>(initial: S) {
    private val mutable = MutableStateFlow(initial)

    /** The screen's state; collect it (`collectAsState()` in Compose). */
    val state: StateFlow<S> = mutable.asStateFlow()

    /** Replaces the state with what [change] makes of the latest one (atomically). */
    protected fun update(change: (S) -> S) = mutable.update(change)

    /** [state] marked busy or not, with [error] (null clears it). */
    protected abstract fun progress(state: S, busy: Boolean, error: ScreenError?): S

    /**
     * Runs one core call for the screen: busy while it runs, its refusal recorded as the
     * state's error. Returns the call's result, or null when the core refused.
     */
    protected suspend fun <T> attempt(work: suspend () -> T): T? {
        update { progress(it, true, null) }
        return try {
            work().also { update { s -> progress(s, false, null) } }
        } catch (e: PasarException) {
            update { progress(it, false, e.toScreenError()) }
            null
        }
    }
}

/** [orders] with [order] in place of the one with its id, or first when it is new. */
internal fun <T> replacing(orders: List<T>, order: T, id: (T) -> String): List<T> {
    val at = orders.indexOfFirst { id(it) == id(order) }
    return if (at < 0) listOf(order) + orders else orders.toMutableList().also { it[at] = order }
}
