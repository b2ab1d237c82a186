// Gradle build of the Android library (AAR) and the sample app. The JVM test build of the
// library's Kotlin sources is pom.xml beside this file (Maven); see README.md.
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
// The sample app (Compose) over the library: see sample/README.md.
include(":sample")
