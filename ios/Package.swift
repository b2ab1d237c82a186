// swift-tools-version:5.9
// Pasar's Swift package: the generated bindings (PasarBindings) over the Rust core,
// PasarKit, the idiomatic layer (async/await, AsyncStream) and the screens' view models
// apps import, and PasarKitApple, the iOS glue (Keychain, BGTaskScheduler, APNs, the
// Notification Service Extension). PasarKitApple's files are wrapped in
// `#if os(iOS)` / `#if canImport(Security)`, so on Linux (our tests) it builds empty.
//
// The native core comes in one of two ways:
// - on a Mac, as PasarFFI.xcframework built by ./build-xcframework.sh (binary target);
// - on Linux (our tests), as libpasar_ffi.so with its header and module map in
//   Sources/PasarFFI (system library target), placed there by the test script.
import PackageDescription
import Foundation

let packageDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
let xcframework = "build/PasarFFI.xcframework"
let useXCFramework = FileManager.default.fileExists(atPath: "\(packageDir)/\(xcframework)")

let ffiTarget: Target = useXCFramework
    ? .binaryTarget(name: "PasarFFI", path: xcframework)
    : .systemLibrary(name: "PasarFFI", path: "Sources/PasarFFI")

let package = Package(
    name: "Pasar",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "PasarKit", targets: ["PasarKit"]),
        .library(name: "PasarKitApple", targets: ["PasarKitApple"]),
    ],
    targets: [
        ffiTarget,
        .target(name: "PasarBindings", dependencies: ["PasarFFI"], path: "Sources/PasarBindings"),
        .target(name: "PasarKit", dependencies: ["PasarBindings"], path: "Sources/PasarKit"),
        .target(name: "PasarKitApple", dependencies: ["PasarKit"], path: "Sources/PasarKitApple"),
        .testTarget(name: "PasarKitTests", dependencies: ["PasarKit"], path: "Tests/PasarKitTests"),
    ],
    swiftLanguageVersions: [.v5]
)
