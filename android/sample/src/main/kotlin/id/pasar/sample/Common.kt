// Small pieces the screens share: the core's refusal, a busy bar, a product photo.
package id.pasar.sample

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.unit.Dp
import androidx.compose.ui.unit.dp
import coil.compose.AsyncImage
import id.pasar.ffi.Product
import id.pasar.ui.ScreenError
import java.io.File

/** The core's sentence for a refusal, in the device's language. */
@Composable
fun ErrorLine(error: ScreenError?) {
    if (error == null) return
    Text(
        error.text(english()),
        color = MaterialTheme.colorScheme.error,
        modifier = Modifier.padding(horizontal = 16.dp, vertical = 4.dp),
    )
}

/** A thin bar while a core call runs. */
@Composable
fun Busy(busy: Boolean) {
    if (busy) LinearProgressIndicator(Modifier.fillMaxWidth())
}

/** A screen's frame: busy bar, the refusal, then the content. */
@Composable
fun Screen(busy: Boolean, error: ScreenError?, content: @Composable () -> Unit) {
    Column {
        Busy(busy)
        ErrorLine(error)
        content()
    }
}

/**
 * A product's first photo: this phone's prepared file when the seller's phone made it,
 * otherwise the server's (content-addressed, cached by Coil).
 */
@Composable
fun ProductPhoto(session: Session, product: Product, size: Dp, thumbnail: Boolean = true) {
    val photo = product.photos.firstOrNull() ?: return
    val file: File = session.pasar.photoFile(photo, thumbnail)
    val model: Any = if (file.exists()) file else session.sync.photoUrl(photo, thumbnail)
    AsyncImage(model = model, contentDescription = product.name, contentScale = ContentScale.Crop, modifier = Modifier.size(size))
}
