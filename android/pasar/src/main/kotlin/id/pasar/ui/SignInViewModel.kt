// Sign-in by phone number and one-time code.
package id.pasar.ui

import id.pasar.Sync

/**
 * The sign-in screen's state.
 *
 * @property phone the number as the user typed it ("0812-3456-7890").
 * @property codeSent whether the server was asked to send the code: show the code field.
 * @property accountId the signed-in account, once the code was accepted.
 */
data class SignInState(
    val phone: String = "",
    val codeSent: Boolean = false,
    val accountId: String? = null,
    val busy: Boolean = false,
    val error: ScreenError? = null,
)

/**
 * Sign-in by phone number and one-time code: [requestCode], then [signIn] with the code
 * the user received. A number the core cannot read, or a wrong or expired code, is the
 * state's error with field `phone` or `code`.
 */
class SignInViewModel(private val sync: Sync) : ScreenModel<SignInState>(SignInState()) {
    override fun progress(state: SignInState, busy: Boolean, error: ScreenError?) =
        state.copy(busy = busy, error = error)

    /** Looks for an existing session on this phone (the app was restarted). */
    suspend fun restore(): String? = attempt { sync.accountId() }?.also { id ->
        update { it.copy(accountId = id) }
    }

    /** Asks the server to send a one-time code to [phone], as typed. */
    suspend fun requestCode(phone: String): Boolean = attempt { sync.requestCode(phone) }
        ?.let { update { it.copy(phone = phone, codeSent = true) }; true } ?: false

    /** Signs in with [code]; [name] is what others see. Returns the account id. */
    suspend fun signIn(code: String, name: String? = null): String? =
        attempt { sync.signIn(state.value.phone, code, name) }?.also { id ->
            update { it.copy(accountId = id) }
        }

    /** Signs out on this phone; queued changes stay for the next sign-in. */
    suspend fun signOut() {
        attempt { sync.signOut() } ?: return
        update { SignInState() }
    }
}
