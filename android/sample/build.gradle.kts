// The sample app: Jetpack Compose screens over the library's view models (id.pasar.ui).
// Every rule is in the core; this module holds UI and platform wiring only.
//
//   gradle :sample:installDebug                          (emulator: server on the host at 10.0.2.2:8080)
//   gradle :sample:installDebug -Ppasar.serverUrl=https://pasar.example.id
//
// FCM is optional: put the Firebase project's google-services.json beside this file and
// the Google services plugin is applied; without it the app runs without pushes (and
// says so on the notifications screen).
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.plugin.compose")
}

if (file("google-services.json").exists()) {
    apply(plugin = "com.google.gms.google-services")
}

val serverUrl: String = providers.gradleProperty("pasar.serverUrl").getOrElse("http://10.0.2.2:8080")

android {
    namespace = "id.pasar.sample"
    compileSdk = 35

    defaultConfig {
        applicationId = "id.pasar.sample"
        minSdk = 24
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        buildConfigField("String", "PASAR_SERVER_URL", "\"$serverUrl\"")
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"))
            // A sample: signed with the debug key so `assembleRelease` shows R8 and the
            // library's consumer rules at work without a keystore.
            signingConfig = signingConfigs.getByName("debug")
        }
    }

    buildFeatures {
        compose = true
        buildConfig = true
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    // The library packages libpasar_ffi.so for arm64-v8a, armeabi-v7a and x86_64; an
    // emulator image must be one of those (x86_64 on a PC, arm64-v8a on Apple silicon).
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

dependencies {
    implementation(project(":pasar"))

    implementation(platform("androidx.compose:compose-bom:2024.12.01"))
    implementation("androidx.compose.material3:material3")
    implementation("androidx.compose.material:material-icons-core")
    implementation("androidx.compose.ui:ui")
    implementation("androidx.compose.ui:ui-tooling-preview")
    debugImplementation("androidx.compose.ui:ui-tooling")

    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("androidx.lifecycle:lifecycle-viewmodel-compose:2.8.7")
    implementation("androidx.lifecycle:lifecycle-runtime-compose:2.8.7")
    implementation("androidx.navigation:navigation-compose:2.8.5")
    // Product photos from this phone's files and from the server (content-addressed, cacheable).
    implementation("io.coil-kt:coil-compose:2.7.0")
    // FCM: PasarMessagingService in the library is compiled against it, the app brings it.
    implementation("com.google.firebase:firebase-messaging:24.1.0")
}
