// Sellers: a new product from the camera (the system camera app, or the photo picker).
// The core prepares the photo (upright, small, GPS stripped) and reads the price as typed.
package id.pasar.sample

import android.content.Context
import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.core.content.FileProvider
import coil.compose.AsyncImage
import id.pasar.ffi.Stock
import id.pasar.ui.NewProductViewModel
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.io.File

@Composable
fun NewProductScreen(session: Session, done: () -> Unit) {
    val groups = listOfNotNull(session.market?.id)
    val screen = held { NewProductViewModel(session.pasar.catalog, session.accountId, groups) }
    val state = screen.model.collected()
    val context = LocalContext.current
    var shot by rememberSaveable { mutableStateOf<String?>(null) }

    // The photo's bytes, as the camera or the picker left them, go to the core.
    fun use(uri: Uri) = screen.act {
        val bytes = withContext(Dispatchers.IO) { context.contentResolver.openInputStream(uri)?.use { it.readBytes() } }
        if (bytes != null) addPhoto(bytes)
    }
    val camera = rememberLauncherForActivityResult(ActivityResultContracts.TakePicture()) { taken ->
        val uri = shot?.let(Uri::parse)
        if (taken && uri != null) use(uri)
    }
    val picker = rememberLauncherForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri -> uri?.let(::use) }
    LaunchedEffect(state.saved) { if (state.saved != null) done() }

    val form = state.form
    val field = state.error?.field
    Screen(state.busy, state.error) {
        Column(Modifier.verticalScroll(rememberScrollState()).padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(onClick = {
                    val uri = cameraFile(context)
                    shot = uri.toString()
                    camera.launch(uri)
                }) { Text(stringResource(R.string.new_camera)) }
                OutlinedButton(onClick = {
                    picker.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageOnly))
                }) { Text(stringResource(R.string.new_gallery)) }
            }
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                for (photo in state.photos) {
                    AsyncImage(session.pasar.photoFile(photo, thumbnail = true), null, Modifier.size(72.dp))
                }
            }
            OutlinedTextField(form.name, { screen.model.edit(form.copy(name = it)) },
                label = { Text(stringResource(R.string.new_name)) }, isError = field == "name", modifier = Modifier.fillMaxWidth())
            // The price as she types it ("25rb", "Rp 1,5 jt"); the core's reading shows below.
            OutlinedTextField(form.price, { screen.model.edit(form.copy(price = it)) },
                label = { Text(stringResource(R.string.new_price)) }, isError = state.priceError != null || field == "price",
                supportingText = { Text(state.priceLabel ?: state.priceError?.text(english()) ?: "") },
                modifier = Modifier.fillMaxWidth())
            OutlinedTextField(form.unit, { screen.model.edit(form.copy(unit = it)) },
                label = { Text(stringResource(R.string.new_unit)) }, isError = field == "unit", modifier = Modifier.fillMaxWidth())
            val stockText = (form.stock as? Stock.Limited)?.count?.toString() ?: ""
            OutlinedTextField(stockText, {
                screen.model.edit(form.copy(stock = it.toLongOrNull()?.let(Stock::Limited) ?: Stock.Unlimited))
            }, label = { Text(stringResource(R.string.new_stock)) }, isError = field == "stock",
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number), modifier = Modifier.fillMaxWidth())
            OutlinedTextField(if (form.weightGrams == 0u) "" else form.weightGrams.toString(), {
                screen.model.edit(form.copy(weightGrams = it.toUIntOrNull() ?: 0u))
            }, label = { Text(stringResource(R.string.new_weight)) }, isError = field == "weight_grams",
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number), modifier = Modifier.fillMaxWidth())
            OutlinedTextField(form.description, { screen.model.edit(form.copy(description = it)) },
                label = { Text(stringResource(R.string.new_description)) }, modifier = Modifier.fillMaxWidth())
            session.market?.let { Text(stringResource(R.string.new_listed_in, it.name)) }
            Button(onClick = { screen.act { save() } }, enabled = !state.busy) { Text(stringResource(R.string.new_save)) }
        }
    }
}

/** A fresh file in cache/camera/ for the camera app to write, shared through the FileProvider. */
private fun cameraFile(context: Context): Uri {
    val dir = File(context.cacheDir, "camera").apply { mkdirs() }
    val file = File.createTempFile("photo-", ".jpg", dir)
    return FileProvider.getUriForFile(context, "${context.packageName}.photos", file)
}
