import Foundation
import Testing

@testable import AuthDeckApp

@Suite("Console", .serialized)
struct ConsoleTests {
  /// Runs `body` with Console writing into a list, and returns what went where.
  func captured(_ body: () -> Void) -> [(Int32, String)] {
    nonisolated(unsafe) var writes: [(Int32, String)] = []
    let original = Console.sink.withLock { $0 }
    Console.sink.withLock {
      $0 = { fd, bytes in writes.append((fd, String(decoding: bytes, as: UTF8.self))) }
    }
    defer { Console.sink.withLock { $0 = original } }
    body()
    return writes
  }

  @Test("escape sequences, controls and bidi overrides become U+FFFD; lines and tabs stay")
  func controlsBecomeInert() {
    let writes = captured {
      Console.out("name\u{1B}]0;x\u{07}\tok\nnext \u{202E}line\r")
      Console.error("key \u{9B}31m red")
    }
    #expect(writes.map(\.0) == [1, 2])
    #expect(writes[0].1 == "name\u{FFFD}]0;x\u{FFFD}\tok\nnext \u{FFFD}line\u{FFFD}\n")
    #expect(writes[1].1 == "authdeck: key \u{FFFD}31m red\n")
  }

  @Test("plain text passes unchanged, with its terminator")
  func plainTextIsUnchanged() {
    let writes = captured {
      Console.out("lime/main valid 7:50 · ✓", terminator: "")
      Console.note("Paste the URL:")
    }
    #expect(writes.map(\.1) == ["lime/main valid 7:50 · ✓", "Paste the URL:\n"])
  }
}
