// Root project: plugin versions only. The library module is :pasar (pasar/build.gradle.kts),
// the sample app :sample (sample/build.gradle.kts).
plugins {
    id("com.android.library") version "9.2.1" apply false
    id("com.android.application") version "9.2.1" apply false
    // AGP 9 compiles Kotlin itself ("built-in Kotlin"), with the Kotlin Gradle plugin it
    // depends on at run time (2.2.10 for AGP 9.0). Putting KGP on the build classpath here
    // raises it to the Kotlin of the JVM build (pom.xml). Never applied: applying
    // org.jetbrains.kotlin.android on top of AGP 9 is an error.
    id("org.jetbrains.kotlin.android") version "2.4.21" apply false
    // The Compose compiler ships with Kotlin: the same version as the Kotlin above.
    id("org.jetbrains.kotlin.plugin.compose") version "2.4.21" apply false
    // Applied by the sample only when its google-services.json is present (FCM).
    id("com.google.gms.google-services") version "4.4.2" apply false
}
