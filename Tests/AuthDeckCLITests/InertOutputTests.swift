import AuthDeckTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Text from outside the program (the configuration, file names, servers) reaches the terminal
/// inert from every command, because every command writes through one place (`Console`).
@Suite("Everything a command prints is inert")
struct InertOutputTests {
  /// ESC, BEL, CSI as one byte, and a bidi override: what could move the cursor, retitle the
  /// window or reorder text.
  static func isInert(_ text: String) -> Bool {
    !text.unicodeScalars.contains { [0x1B, 0x07, 0x9B, 0x202E, 0x0D].contains($0.value) }
  }

  @Test("a provider name full of escape sequences is shown inert by providers, list and status")
  func aHostileProviderNameIsInert() throws {
    let config = """
      [providers.svc]
      name = "Evil\\u001b]0;pwned\\u0007 \\u001b[2J\\u202e"
      token_url = "http://127.0.0.1:9/token"
      client_id = "c"
      client_secret_env = "SVC_SECRET"
      grant = "client_credentials"
      """
    try withSandbox(config: config) { box in
      let providers = try box.run(["providers"])
      #expect(providers.status == 0, "\(providers)")
      #expect(providers.stdout.contains("Evil"), "\(providers)")
      #expect(
        Self.isInert(providers.stdout) && Self.isInert(providers.stderr),
        "\(providers.stdout.debugDescription)")
    }
  }

  @Test("a configuration error naming a hostile key is inert")
  func aHostileKeyIsInert() throws {
    let config = """
      [providers.svc]
      "\\u001b[31mred\\u001b[0m" = 1
      """
    try withSandbox(config: config) { box in
      let result = try box.run(["providers"])
      #expect(result.status == 78, "\(result)")
      #expect(result.stderr.contains("red"), "\(result)")
      #expect(Self.isInert(result.stderr), "\(result.stderr.debugDescription)")
    }
  }

  @Test("a file with a hostile name in the store is reported inert")
  func aHostileFileNameIsInert() throws {
    try withSandbox(config: "") { box in
      #expect(mkdir(box.storeRoot, 0o700) == 0 && mkdir(box.sessions, 0o700) == 0)
      let name = box.sessions + "/lime%2F\u{1B}]0;pwned\u{07}.json"
      #expect(
        FileManager.default.createFile(
          atPath: name, contents: Data("{}".utf8), attributes: [.posixPermissions: 0o600]))
      for arguments in [["list"], ["list", "--json"], ["status"]] {
        let result = try box.run(arguments)
        #expect(Self.isInert(result.stdout) && Self.isInert(result.stderr), "\(arguments): \(result)")
      }
    }
  }

  @Test("a hostile value typed as an argument is echoed inert by the parser's errors")
  func aHostileArgumentIsInert() throws {
    try withSandbox(config: "") { box in
      let result = try box.run(["token", "lime/main", "--min-valid", "\u{1B}[2J5x"])
      #expect(result.status == 64, "\(result)")
      #expect(Self.isInert(result.stderr), "\(result.stderr.debugDescription)")
    }
  }

  @Test("the executable writes to stdout and stderr only through Console")
  func onlyConsoleWrites() throws {
    let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../Sources/authdeck").standardized
    let files = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter {
      $0.hasSuffix(".swift")
    }
    #expect(!files.isEmpty)
    for file in files {
      let text = try String(contentsOfFile: sources.path + "/" + file, encoding: .utf8)
      for forbidden in ["Swift.print(", "FileHandle.standard", "fputs(", "putchar(", "exit(withError"] {
        #expect(!text.contains(forbidden), "\(file) writes with \(forbidden); use Console")
      }
      let barePrint = text.split(separator: "\n").filter {
        $0.contains(" print(") && !$0.contains("func print(") && !$0.contains("//")
      }
      #expect(barePrint.isEmpty, "\(file): \(barePrint)")
    }
  }
}
