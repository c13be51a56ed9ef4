import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore
@testable import AuthDeckNet

#if canImport(Glibc)
  import Glibc
#endif

/// The browser and the desktop notifications at the OS edge: child processes started without a
/// shell, watched or recorded through scripts on a PATH of the test's own.
@Suite("The browser and notify-send at the OS edge")
struct DesktopEdgesTests {
  /// A PATH holding `scripts` (name: body) and nothing else (no real xdg-open or notify-send is
  /// reached), and a log folder they may write to.
  func withScripts<T>(_ scripts: [String: String], _ body: (_ path: String, _ log: String) throws -> T) throws
    -> T
  {
    try withTemporaryDirectory { directory in
      for (name, text) in scripts {
        // O_CLOEXEC: a child another test starts meanwhile must not keep the script open for
        // writing, or running it fails with "text file busy".
        let fd = open(directory + "/" + name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o700)
        try #require(fd >= 0)
        let bytes = Array(("#!/bin/sh\nlog='\(directory)'\n" + text + "\n").utf8)
        #expect(write(fd, bytes, bytes.count) == bytes.count)
        close(fd)
      }
      return try body(directory, directory)
    }
  }

  @Test("a $BROWSER that fails at once is no browser: the next is tried, and the error says why")
  func failingBrowser() throws {
    try withScripts(["broken": "exit 3"]) { path, _ in
      let error = try #require(
        thrownError { () throws(AuthDeckError) in
          try Browser.open(
            "https://example.com/a",
            environment: ChildEnvironment(inherited: ["PATH": path, "BROWSER": "broken"], withholding: []))
        })
      #expect(
        error.description
          == "no browser could be started (broken exited with status 3); open the URL yourself")
    }
  }

  @Test("a browser that keeps running, or ends at once with success, has the URL")
  func workingBrowsers() throws {
    try withScripts([
      "slow": "/bin/sleep 2; : > \"$log/slow-done\"", "quick": "printf '%s' \"$1\" > \"$log/quick\"",
    ]) {
      path, log in
      try Browser.open(
        "https://example.com/b",
        environment: ChildEnvironment(inherited: ["PATH": path, "BROWSER": "broken:slow"], withholding: []))
      try Browser.open(
        "https://example.com/c",
        environment: ChildEnvironment(inherited: ["PATH": path, "BROWSER": "quick"], withholding: []))
      #expect(
        waitUntil(timeout: 10) {
          (try? String(contentsOfFile: log + "/quick", encoding: .utf8)) == "https://example.com/c"
        })
      #expect(waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: log + "/slow-done") })
    }
  }

  @Test("notify-send gets the title and body as arguments after --, inert, and no secret variable")
  func notifySend() throws {
    let script =
      "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$log/args.tmp\"; /usr/bin/env > \"$log/env\"; /bin/mv \"$log/args.tmp\" \"$log/args\""
    try withScripts(["notify-send": script]) { path, log in
      let terminal = Lines()
      let notifier = SystemNotifier(
        environment: ChildEnvironment(
          inherited: ["PATH": path, "SECRET_VAR": "s3cret", "HOME": "/home/x"], withholding: ["SECRET_VAR"]),
        terminal: { title, body in terminal.append(title + " | " + body) })
      notifier.notify(title: "lime/main expires in 15m", body: "--help \u{1B}[2J;\nnow")
      #expect(waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: log + "/args") })
      let arguments = try String(contentsOfFile: log + "/args", encoding: .utf8).split(separator: "\n")
      #expect(
        arguments == [
          "--app-name=AuthDeck", "--", "AuthDeck: lime/main expires in 15m", "--help \u{FFFD}[2J; now",
        ])
      let environment = try String(contentsOfFile: log + "/env", encoding: .utf8)
      #expect(!environment.contains("s3cret") && environment.contains("HOME=/home/x"))
      #expect(terminal.all == ["lime/main expires in 15m | --help \u{FFFD}[2J; now"])
    }
  }

  @Test("without notify-send on PATH only the terminal is told")
  func noNotifySend() throws {
    try withScripts([:]) { path, _ in
      let terminal = Lines()
      SystemNotifier(
        environment: ChildEnvironment(inherited: ["PATH": path], withholding: []),
        terminal: { terminal.append($0 + $1) }
      )
      .notify(title: "t", body: "b")
      #expect(terminal.all == ["tb"])
    }
  }
  @Test("a clipboard tool that fails is said, not counted as a way the text was copied")
  func failingClipboardTool() throws {
    try withScripts(["xclip": "cat > /dev/null; exit 1", "xsel": "cat > \"$log/xsel\""]) { path, _ in
      let clipboard = SystemClipboard(
        environment: ChildEnvironment(inherited: ["PATH": path, "DISPLAY": ":0"], withholding: []),
        terminal: { _ in })
      let result = clipboard.copy("the-token")
      #expect(result == CopyResult(ways: ["OSC 52"], failures: ["xclip exited with status 1"]))
      #expect(result.summary == "OSC 52; xclip exited with status 1")
      let none = SystemClipboard(
        environment: ChildEnvironment(inherited: ["PATH": path, "DISPLAY": ":0"], withholding: []),
        terminal: nil
      ).copy("the-token")
      #expect(!none.copied && none.summary == "xclip exited with status 1")
    }
  }

  @Test("a child that ends without reading its stdin does not end this process by SIGPIPE")
  func childThatReadsNothing() async {
    await #expect(processExitsWith: .success) {
      signal(SIGPIPE, SIG_DFL)  // as a library user or a test runner has it
      let result = Spawn.run(
        ["/bin/true"], input: Data(repeating: 0x41, count: 1 << 20), environment: .empty)
      guard case .success(0) = result else { exit(2) }
      // The signal the write raised was taken, not left pending to strike later.
      var pending = sigset_t()
      sigpending(&pending)
      guard sigismember(&pending, SIGPIPE) == 0 else { exit(3) }
    }
  }

  @Test("with no descriptor left, a wake-up pipe is an error, not descriptors 0 closed later")
  func noPipeIsAnError() async {
    await #expect(processExitsWith: .success) {
      var limit = rlimit()
      getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
      limit.rlim_cur = 64
      setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
      while open("/dev/null", O_RDONLY) >= 0 {}
      let error = thrownError { () throws(AuthDeckError) in _ = try WakePipe() }
      guard error?.description.contains("cannot create a pipe") == true else { exit(2) }
      // stdin is still open: nothing closed descriptor 0.
      guard fcntl(0, F_GETFD) >= 0 else { exit(3) }
    }
  }

}

/// Lines written from any thread.
final class Lines: @unchecked Sendable {
  private let lock = NSLock()
  private var lines: [String] = []

  func append(_ line: String) { lock.withLock { lines.append(line) } }
  var all: [String] { lock.withLock { lines } }

}
