// bench/run ffi: what a page of 50 products costs from Kotlin through the FFI, against
// fetching the same 50 products with one call each. Prints one JSON object per figure.
package id.pasar.bench

import id.pasar.ffi.NewAccount
import id.pasar.ffi.NewProduct
import id.pasar.ffi.Pasar
import id.pasar.ffi.Stock
import id.pasar.ffi.coreVersion
import kotlinx.coroutines.runBlocking
import java.nio.file.Files

private fun median(xs: DoubleArray): Double = xs.sorted().let { it[it.size / 2] }

/** Median microseconds per run of [block], over [rounds] rounds after [warmup] runs. */
private inline fun measure(warmup: Int, rounds: Int, block: () -> Unit): Double {
    repeat(warmup) { block() }
    val samples = DoubleArray(rounds) {
        val t0 = System.nanoTime()
        block()
        (System.nanoTime() - t0) / 1_000.0
    }
    return median(samples)
}

private fun line(metric: String, unit: String, pasar: Double, baseline: Double?, baselineName: String?) {
    val b = baseline?.let { "%.3f".format(it) } ?: "null"
    val name = baselineName?.let { "\"$it\"" } ?: "null"
    val ratio = baseline?.let { "%.2f".format(it / pasar) } ?: "null"
    println(
        """{"bench": "ffi", "metric": "$metric", "unit": "$unit", "pasar": ${"%.3f".format(pasar)}, """ +
            """"baseline": $b, "baseline_name": $name, "ratio": $ratio}""",
    )
}

fun main() = runBlocking {
    val dir = Files.createTempDirectory("pasar-bench-ffi").toFile()
    try {
        Pasar.open(dir.absolutePath).use { pasar ->
            val catalog = pasar.catalog()
            val seller = pasar.accounts().saveAccount(NewAccount(name = "Dapur Bu Rina", phone = "0812-3456-7890")).id
            val ids = (1..50).map { i ->
                catalog.createProduct(
                    NewProduct(
                        sellerId = seller,
                        name = "Produk nomor $i donat coklat keju",
                        description = "Deskripsi produk yang cukup panjang untuk terasa nyata, isi 6 pcs.",
                        price = "${i}rb",
                        stock = Stock.Limited(10),
                    ),
                ).id
            }
            val page = measure(warmup = 300, rounds = 600) {
                runBlocking { check(catalog.listProducts(null, 50u).items.size == 50) }
            }
            val singles = measure(warmup = 30, rounds = 120) {
                runBlocking { for (id in ids) catalog.getProduct(id) }
            }
            val bare = measure(warmup = 5_000, rounds = 1_000) {
                repeat(100) { coreVersion() }
            } / 100.0
            line("page_of_50", "us", page, singles, "50_single_calls")
            line("bare_call", "us", bare, null, null)
        }
    } finally {
        dir.deleteRecursively()
    }
}
