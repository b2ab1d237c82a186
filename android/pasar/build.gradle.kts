// The Android library (AAR) `id.pasar`: the idiomatic Kotlin layer and the screens' view
// models (src/main/kotlin/id/pasar, shared with the Maven JVM build), the Android glue
// (src/main/kotlin/id/pasar/android: Keystore token store, WorkManager sync, FCM, notices;
// Gradle only), the uniffi-generated bindings, and libpasar_ffi.so for three ABIs.
//
// Needs, besides the Android SDK and the NDK below (SDK Manager):
//   cargo install cargo-ndk
//   rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
//
// preBuild runs, from the workspace root (rootDir.parentFile):
//   1. cargoBuildAndroid     cargo ndk ... build --release -p pasar-ffi -> build/rustJniLibs/<abi>/
//   2. buildUniffiBindgen    cargo build -p uniffi-bindgen (host tool)
//   3. generateUniffiKotlin  Kotlin bindings from the unstripped arm64 .so -> build/generated/uniffi/kotlin
// Both variants package the release (size-optimised) library: a debug Rust build would be
// slow and several times larger on a phone.
import java.util.zip.ZipFile
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library")
}

val workspaceDir: File = rootDir.parentFile
val cargoTargetDir: File = providers.environmentVariable("CARGO_TARGET_DIR")
    .map { workspaceDir.resolve(it) }
    .getOrElse(workspaceDir.resolve("target"))
// Gradle started from Android Studio often lacks ~/.cargo/bin on its PATH.
val cargo: String = File(System.getProperty("user.home"), ".cargo/bin/cargo")
    .takeIf { it.canExecute() }?.path ?: "cargo"
// Android ABI -> Rust target triple. cargo-ndk takes the ABI names.
val rustTargets = mapOf(
    "arm64-v8a" to "aarch64-linux-android",
    "armeabi-v7a" to "armv7-linux-androideabi",
    "x86_64" to "x86_64-linux-android",
)
val androidMinSdk = 24
val jniLibsDir: File = layout.buildDirectory.dir("rustJniLibs").get().asFile
val generatedKotlinDir: File = layout.buildDirectory.dir("generated/uniffi/kotlin").get().asFile

android {
    namespace = "id.pasar"
    compileSdk = 35
    // AGP strips the packaged .so files (debug info and symbols) with this NDK's llvm-strip
    // when the NDK is installed (without it, it warns and packages them as they are).
    // cargo-ndk is pointed at the same NDK below, so one toolchain links and strips.
    // r28+ also links 16 KB-page-aligned by default, as Android 15+ devices need.
    ndkVersion = "28.2.13676358"

    defaultConfig {
        minSdk = androidMinSdk
        consumerProguardFiles("consumer-rules.pro")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets {
        getByName("main") {
            kotlin.srcDirs("src/main/kotlin", generatedKotlinDir)
            jniLibs.srcDir(jniLibsDir)
        }
        // src/test holds the JUnit 5 tests of the Maven JVM build (pom.xml), which run against
        // the host library; they are not Android unit tests.
        getByName("test") {
            kotlin.setSrcDirs(emptyList<Any>())
            java.setSrcDirs(emptyList<Any>())
        }
    }

    // packaging.jniLibs.keepDebugSymbols stays at its default (empty), so AGP strips
    // libpasar_ffi.so. The release profile itself is not stripped, because uniffi-bindgen
    // reads its metadata from the unstripped library: the bindings are generated from
    // cargo's own copy under target/<triple>/release, which stays unstripped (archive it
    // with each release for ndk-stack symbolication).
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

dependencies {
    // api: the generated bindings expose JNA types (RustBuffer extends Structure) and the
    // Kotlin layer exposes Flow and suspend functions.
    api("net.java.dev.jna:jna:5.19.1@aar")
    api("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.11.0")

    // The Android glue (src/main/kotlin/id/pasar/android, left out of the Maven JVM build):
    // notifications (NotificationCompat), background sync (SyncWorker is a CoroutineWorker;
    // apps schedule it, so WorkManager is part of the API).
    implementation("androidx.core:core-ktx:1.15.0")
    api("androidx.work:work-runtime-ktx:2.10.0")
    // FCM (PasarMessagingService): compileOnly, so an app without Google services (a
    // UnifiedPush build) does not get Firebase. Apps using FCM add firebase-messaging
    // themselves and declare the service (see android/README.md).
    compileOnly("com.google.firebase:firebase-messaging:24.1.0")
}

// The Exec tasks declare no outputs, so Gradle runs them on every build: cargo and
// uniffi-bindgen decide themselves what is up to date, and do nothing quickly.

val cargoBuildAndroid = tasks.register<Exec>("cargoBuildAndroid") {
    group = "rust"
    description = "Builds libpasar_ffi.so (release) for ${rustTargets.keys.joinToString()} with cargo-ndk."
    val ndkDir = androidComponents.sdkComponents.ndkDirectory
    workingDir(workspaceDir)
    commandLine(
        listOf(cargo, "ndk") +
            rustTargets.keys.flatMap { listOf("-t", it) } +
            listOf("--platform", "$androidMinSdk", "-o", jniLibsDir.path) +
            listOf("build", "--release", "-p", "pasar-ffi"),
    )
    doFirst {
        (this as Exec).environment("ANDROID_NDK_HOME", ndkDir.get().asFile.path)
    }
}

val buildUniffiBindgen = tasks.register<Exec>("buildUniffiBindgen") {
    group = "rust"
    description = "Builds the host uniffi-bindgen tool."
    workingDir(workspaceDir)
    // A cargo invocation of its own: built together with pasar-ffi, cargo would unify
    // uniffi's `cli` feature into the app library.
    commandLine(cargo, "build", "-p", "uniffi-bindgen")
}

val generateUniffiKotlin = tasks.register<Exec>("generateUniffiKotlin") {
    group = "rust"
    description = "Generates the Kotlin bindings (package id.pasar.ffi) from the arm64 library."
    dependsOn(cargoBuildAndroid, buildUniffiBindgen)
    val outDir = generatedKotlinDir
    workingDir(workspaceDir)
    // Library mode reads the metadata from the unstripped library; any ABI gives the same
    // bindings, so one is enough.
    commandLine(
        cargoTargetDir.resolve("debug/uniffi-bindgen").path, "generate",
        "--library", cargoTargetDir.resolve("${rustTargets.getValue("arm64-v8a")}/release/libpasar_ffi.so").path,
        "--language", "kotlin",
        "--no-format",
        "--config", "bindings/uniffi.toml",
        "--out-dir", outDir.path,
    )
    doFirst { outDir.deleteRecursively() }
}

tasks.named("preBuild") {
    dependsOn(cargoBuildAndroid, generateUniffiKotlin)
}

// Size gate (as application-services does): every megabyte of app costs installs.
// ./gradlew :pasar:checkAarSize [-Ppasar.maxLibBytes=N]; also runs after every assembleRelease.
val checkAarSize = tasks.register("checkAarSize") {
    group = "verification"
    description = "Fails if a packaged libpasar_ffi.so in the release AAR exceeds pasar.maxLibBytes."
    dependsOn("assembleRelease")
    val aar = layout.buildDirectory.file("outputs/aar/pasar-release.aar")
    val abis = rustTargets.keys.toSet()
    val maxBytes = providers.gradleProperty("pasar.maxLibBytes")
        .map { it.replace("_", "").trim().toLong() }
        .orElse(4_500_000L)
    inputs.file(aar)
    doLast {
        val limit = maxBytes.get()
        val aarFile = aar.get().asFile
        val libs = ZipFile(aarFile).use { zip ->
            zip.entries().asSequence()
                .filter { !it.isDirectory && it.name.startsWith("jni/") && it.name.endsWith("/libpasar_ffi.so") }
                .map { it.name to it.size }
                .toList()
        }
        val missing = abis - libs.map { (name, _) -> name.split('/')[1] }.toSet()
        if (missing.isNotEmpty()) throw GradleException("No libpasar_ffi.so for $missing in $aarFile")
        libs.forEach { (name, size) -> logger.lifecycle("$name: $size bytes (limit $limit)") }
        val tooBig = libs.filter { (_, size) -> size > limit }
        if (tooBig.isNotEmpty()) {
            throw GradleException(
                "libpasar_ffi.so over the size limit of $limit bytes: " +
                    tooBig.joinToString { (name, size) -> "$name = $size" } +
                    " (raise pasar.maxLibBytes only on purpose)",
            )
        }
    }
}

tasks.matching { it.name == "assembleRelease" }.configureEach {
    finalizedBy(checkAarSize)
}
