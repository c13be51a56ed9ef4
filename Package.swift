// swift-tools-version: 6.0
import PackageDescription

// AuthDeck is built, tested and run on Linux (Debian): it calls Glibc, inotify (AuthDeckNet's
// FolderWatcher), prctl (CProcess) and ncursesw and libcurl through dlopen. Those Linux-only calls
// stay at the edges (AuthDeckNet, CProcess, CCurses, CCurl, AuthDeckTerminal); the core uses POSIX
// file calls only. No other platform is claimed.
#if !os(Linux)
  #error("AuthDeck builds on Linux only: see the comment above")
#endif

let package = Package(
  name: "AuthDeck",
  products: [
    .executable(name: "authdeck", targets: ["authdeck"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
  ],
  targets: [
    // ncursesw behind a small C surface, loaded with dlopen when the board starts;
    // only AuthDeckTerminal imports it.
    .target(name: "CCurses", path: "Sources/CCurses", linkerSettings: [.linkedLibrary("dl")]),
    // libcurl behind a small C surface, loaded with dlopen on first use so that
    // `authdeck token` does not pay libcurl's 3.7 ms load cost.
    .target(name: "CCurl", path: "Sources/CCurl", linkerSettings: [.linkedLibrary("dl")]),
    // prctl(PR_SET_DUMPABLE) and the core-file limit (prctl is variadic, which Swift cannot
    // call), and the GNU socket calls the agent needs (accept4, SO_PEERCRED's struct ucred).
    .target(name: "CProcess", path: "Sources/CProcess"),
    .target(
      name: "AuthDeckCore",
      dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]
    ),
    .target(name: "AuthDeckNet", dependencies: ["AuthDeckCore", "CCurl", "CProcess"]),
    .target(name: "AuthDeckBoard", dependencies: ["AuthDeckCore"]),
    .target(name: "AuthDeckApp", dependencies: ["AuthDeckCore", "AuthDeckBoard", "AuthDeckNet"]),
    .target(
      name: "AuthDeckTerminal",
      dependencies: ["AuthDeckCore", "AuthDeckBoard", "AuthDeckApp", "AuthDeckNet", "CCurses"]),
    .executableTarget(
      name: "authdeck",
      dependencies: [
        "AuthDeckCore", "AuthDeckNet", "AuthDeckBoard", "AuthDeckApp", "AuthDeckTerminal", "CProcess",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      // Start-up is most of `authdeck token`'s 3 ms budget (docs/performance.md): a position-
      // dependent executable has no relative relocations to apply, and not exporting its ~3,000
      // symbols keeps every library's symbol lookups short. lld, because it does both.
      linkerSettings: [
        .unsafeFlags([
          "-use-ld=lld", "-Xclang-linker", "-no-pie", "-Xlinker", "--no-export-dynamic",
        ])
      ]
    ),
    // Helpers the test targets share (temp dirs, file modes, error kinds, instants, child
    // processes, the OAuth test server).
    .target(name: "AuthDeckTestSupport", dependencies: ["AuthDeckCore"], path: "Tests/AuthDeckTestSupport"),
    .testTarget(name: "AuthDeckCoreTests", dependencies: ["AuthDeckCore", "AuthDeckTestSupport"]),
    .testTarget(
      name: "AuthDeckNetTests", dependencies: ["AuthDeckNet", "AuthDeckCore", "AuthDeckTestSupport"]),
    .testTarget(
      name: "AuthDeckBoardTests", dependencies: ["AuthDeckBoard", "AuthDeckCore", "AuthDeckTestSupport"]),
    .testTarget(
      name: "AuthDeckAppTests",
      dependencies: ["AuthDeckApp", "AuthDeckBoard", "AuthDeckCore", "AuthDeckNet", "AuthDeckTestSupport"]),
    .testTarget(name: "AuthDeckTerminalTests", dependencies: ["AuthDeckTerminal", "AuthDeckBoard"]),
    // The real binary, driven as scripts drive it.
    .testTarget(name: "AuthDeckCLITests", dependencies: ["AuthDeckCore", "AuthDeckTestSupport"]),
  ]
)
