// Gradle build of the Android library (AAR). The JVM test build of the same Kotlin
// sources is pom.xml beside this file (Maven); see README.md.
pluginManagement {
    repositories {
        google()
        mavenCentral()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "pasar-android"
include(":pasar")
