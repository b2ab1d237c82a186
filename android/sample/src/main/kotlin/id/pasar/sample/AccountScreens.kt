// Sign-in by phone number and one-time code, and the notifications the core wrote.
package id.pasar.sample

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import com.google.firebase.FirebaseApp
import id.pasar.android.PasarNotifications
import id.pasar.ui.NotificationsViewModel
import id.pasar.ui.SignInViewModel

@Composable
fun SignInScreen(screen: Held<SignInViewModel>) {
    val state = screen.model.collected()
    var phone by rememberSaveable { mutableStateOf("") }
    var code by rememberSaveable { mutableStateOf("") }
    var name by rememberSaveable { mutableStateOf("") }
    Screen(state.busy, state.error) {
        Column(Modifier.padding(24.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Text(stringResource(R.string.sign_in_title), style = MaterialTheme.typography.headlineSmall)
            OutlinedTextField(phone, { phone = it }, label = { Text(stringResource(R.string.sign_in_phone)) },
                isError = state.error?.field == "phone", keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Phone),
                modifier = Modifier.fillMaxWidth())
            if (!state.codeSent) {
                Button(onClick = { screen.act { requestCode(phone) } }, enabled = !state.busy) {
                    Text(stringResource(R.string.sign_in_send_code))
                }
            } else {
                OutlinedTextField(code, { code = it }, label = { Text(stringResource(R.string.sign_in_code)) },
                    isError = state.error?.field == "code", keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
                    modifier = Modifier.fillMaxWidth())
                OutlinedTextField(name, { name = it }, label = { Text(stringResource(R.string.sign_in_name)) }, modifier = Modifier.fillMaxWidth())
                Button(onClick = { screen.act { signIn(code, name.ifBlank { null }) } }, enabled = !state.busy) {
                    Text(stringResource(R.string.sign_in_go))
                }
                TextButton(onClick = { screen.act { requestCode(phone) } }) { Text(stringResource(R.string.sign_in_resend)) }
            }
        }
    }
}

@Composable
fun NotificationsScreen(session: Session, openOrder: (String) -> Unit) {
    // The process's one view model: pushes handled in the background land in it too.
    val model by produceState<NotificationsViewModel?>(null) { value = session.app.notifications() }
    val notices = model ?: return Loading()
    val state = notices.collected()
    val context = LocalContext.current
    Screen(state.busy, state.error) {
        if (FirebaseApp.getApps(context).isEmpty()) Text(stringResource(R.string.notifications_no_fcm), Modifier.padding(16.dp))
        if (!PasarNotifications.canPost(context)) Text(stringResource(R.string.notifications_off), Modifier.padding(16.dp))
        if (state.notices.isEmpty()) Text(stringResource(R.string.notifications_empty), Modifier.padding(16.dp))
        LazyColumn {
            items(state.notices, key = { it.collapseKey }) { notice ->
                ListItem(
                    headlineContent = { Text(notice.title) },
                    supportingContent = { Text(notice.body) },
                    trailingContent = { TextButton(onClick = { notices.dismiss(notice) }) { Text("✕") } },
                    modifier = Modifier.clickable { openOrder(notice.orderId) },
                )
            }
        }
    }
}
