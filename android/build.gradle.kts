// Root project: plugin versions only. The library module is :pasar (pasar/build.gradle.kts).
plugins {
    id("com.android.library") version "9.2.1" apply false
    // AGP 9 compiles Kotlin itself ("built-in Kotlin"), with the Kotlin Gradle plugin it
    // depends on at run time (2.2.10 for AGP 9.0). Putting KGP on the build classpath here
    // raises it to the Kotlin of the JVM build (pom.xml). Never applied: applying
    // org.jetbrains.kotlin.android on top of AGP 9 is an error.
    id("org.jetbrains.kotlin.android") version "2.4.21" apply false
}
