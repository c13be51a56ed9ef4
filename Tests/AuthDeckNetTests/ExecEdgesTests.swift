import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckNet

#if canImport(Glibc)
  import Glibc
#endif

/// The OS edges of `exec` and `wait`: finding COMMAND as a shell does, and sleeping until a
/// folder changes.
@Suite("exec and wait at the OS edge")
struct ExecEdgesTests {
  @Test("a command is found on PATH; a file that cannot run is 126, nothing at all 127")
  func aCommandIsFoundOnPATH() throws {
    try withTemporaryDirectory { directory in
      try writeFile(directory + "/tool", "#!/bin/sh\n", mode: 0o700)
      try writeFile(directory + "/data", "x", mode: 0o600)
      mkdir(directory + "/folder", 0o700)
      let path = "/nonexistent:" + directory
      #expect(CommandLookup.find("tool", path: path) == .found(directory + "/tool"))
      #expect(CommandLookup.find("data", path: path) == .notExecutable(directory + "/data"))
      #expect(CommandLookup.find("folder", path: path) == .notExecutable(directory + "/folder"))
      #expect(CommandLookup.find("nothing", path: path) == .notFound)
      #expect(CommandLookup.find(directory + "/tool", path: "") == .found(directory + "/tool"))
      #expect(CommandLookup.find("", path: path) == .notFound)
      #expect(
        Exec.locate("nothing", path: path)
          == .failure(Exec.Failure(status: 127, message: "nothing: command not found")))
      #expect((try? Exec.locate("data", path: path).get()) == nil)
    }
  }

  @Test("a watcher wakes for a missing folder's creation, then for a file in it, and else sleeps its timeout")
  func aWatcherWakesForAMissingFoldersCreationThenForAFileInIt() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/store"
      let sessions = root + "/sessions"
      let watcher = FolderWatcher(folders: [root, sessions])
      watcher.arm()
      #expect(!watcher.wait(timeout: 0.05), "nothing changed")

      // Missing folders are watched through their nearest parent, and themselves once re-armed.
      mkdir(root, 0o700)
      #expect(watcher.wait(timeout: 20))
      watcher.arm()
      mkdir(sessions, 0o700)
      #expect(watcher.wait(timeout: 20))
      watcher.arm()
      #expect(!watcher.wait(timeout: 0.05), "the events were drained")
      try writeFile(sessions + "/lime%2Fmain.json", "{}")
      #expect(watcher.wait(timeout: 20), "a write in the watched folder wakes it")

      let started = Date()
      #expect(!watcher.wait(timeout: 0.2))
      #expect(Date().timeIntervalSince(started) >= 0.19, "it slept its timeout")
      #expect(FolderWatcher.nearestExisting(sessions + "/a/b") == sessions)
    }
  }
}
