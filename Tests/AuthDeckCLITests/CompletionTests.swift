import AuthDeckTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Tab on a session id: the binary asked the way the completion scripts swift-argument-parser
/// generates ask it (`authdeck ---completion SUBCOMMAND -- positional@0 WORD-INDEX CURSOR WORDS…`,
/// with `SAP_SHELL` naming the shell), answering one candidate a line.
@Suite("Shell completion of session ids")
struct CompletionTests {
  /// lime and acme configured, acme with a secret command that would leave a mark.
  static func config(marker: String) -> String {
    """
    [providers.lime]
    preset = "lime"
    client_id = "lime-client"

    [providers.acme]
    issuer = "https://id.acme.example"
    client_id = "acme-client"
    client_secret_command = "touch '\(marker)'; echo s3cret"

    """
  }

  /// The store: two lime sessions, and one of a provider the configuration no longer has.
  static func storeSessions(_ box: CLISandbox) throws {
    for id in ["lime/main", "lime/paper", "old/x"] { try CLITests.storeExpired(box, id) }
  }

  /// `authdeck WORDS…<Tab>` with the cursor at the end of the last word, as bash asks it.
  static func complete(_ box: CLISandbox, _ words: [String], shell: String = "bash") throws -> ProcessResult {
    let line = ["authdeck"] + words
    return try box.run(
      ["---completion", words[0], "--", "positional@0", String(line.count - 1), String(line.last!.count)]
        + line,
      environment: ["SAP_SHELL": shell])
  }

  static func candidates(_ result: ProcessResult) -> [String] {
    result.stdout.split(separator: "\n").map(String.init)
  }

  @Test(
    "a session id completes to the stored sessions and every provider/, for each command that takes one",
    arguments: ["token", "login", "exec", "wait", "logout", "kube-credential"])
  func aSessionIDCompletesToStoredSessionsAndProviders(command: String) throws {
    try withTemporaryDirectory { directory in
      try withSandbox(config: Self.config(marker: directory + "/secret-read")) { box in
        try Self.storeSessions(box)
        let all = try Self.complete(box, [command, ""])
        #expect(all.status == 0 && all.stderr.isEmpty, "\(all)")
        #expect(
          Self.candidates(all) == ["acme/", "lime/", "lime/main", "lime/paper", "old/", "old/x"], "\(all)")

        let lime = try Self.complete(box, [command, "li"])
        #expect(Self.candidates(lime) == ["lime/", "lime/main", "lime/paper"], "\(lime)")
        #expect(!fileExists(directory + "/secret-read"), "no secret was read")
      }
    }
  }

  @Test("a session already named is not offered again, and nothing is offered after exec's --")
  func aSessionAlreadyNamedIsNotOfferedAgain() throws {
    try withSandbox(config: Self.config(marker: "/nonexistent/mark")) { box in
      try Self.storeSessions(box)
      let second = try Self.complete(box, ["wait", "lime/main", "lime/"])
      #expect(Self.candidates(second) == ["lime/", "lime/paper"], "\(second)")

      let command = try Self.complete(box, ["exec", "lime/main", "--", ""])
      #expect(command.status == 0 && command.stdout.isEmpty && command.stderr.isEmpty, "\(command)")
    }
  }

  @Test("--config on the command line names the providers offered")
  func configOnTheCommandLineNamesTheProviders() throws {
    try withSandbox(config: Self.config(marker: "/nonexistent/mark")) { box in
      let other = box.directory + "/other.toml"
      try writeFile(other, "[providers.work]\nissuer = \"https://login.example.com\"\nclient_id = \"x\"\n")
      for words in [["login", "--config", other, ""], ["login", "--config=\(other)", ""]] {
        #expect(Self.candidates(try Self.complete(box, words)) == ["work/"])
      }
    }
  }

  @Test("only file names are read: a session file that would block a reader is offered at once")
  func onlyFileNamesAreRead() throws {
    try withSandbox(config: Self.config(marker: "/nonexistent/mark")) { box in
      try Self.storeSessions(box)
      try #require(mkfifo(box.sessionPath("lime/fifo"), 0o600) == 0)
      let started = Date()
      let result = try Self.complete(box, ["token", "lime/f"])
      #expect(Self.candidates(result) == ["lime/fifo"], "\(result)")
      #expect(Date().timeIntervalSince(started) < 10)
    }
  }

  @Test("what cannot be read offers less, and never a message")
  func whatCannotBeReadOffersLessAndNeverAMessage() throws {
    try withSandbox(config: "[providers.lime]\nclient_id = \"unterminated\n") { box in
      try Self.storeSessions(box)
      let brokenConfig = try Self.complete(box, ["token", ""])
      #expect(brokenConfig.status == 0 && brokenConfig.stderr.isEmpty, "\(brokenConfig)")
      #expect(Self.candidates(brokenConfig) == ["lime/", "lime/main", "lime/paper", "old/", "old/x"])

      // A store that is no directory, and a configuration that is a FIFO (reading it would block).
      try box.replaceConfig("")
      unlink(box.configPath)
      try #require(mkfifo(box.configPath, 0o600) == 0)
      let file = box.directory + "/not-a-store"
      try writeFile(file, "")
      let nothing = try box.run(
        ["---completion", "token", "--", "positional@0", "2", "0", "authdeck", "token", ""],
        environment: ["SAP_SHELL": "bash", "AUTHDECK_STORE": file])
      #expect(nothing.status == 0 && nothing.stdout.isEmpty && nothing.stderr.isEmpty, "\(nothing)")
    }
  }

  @Test("zsh is answered in its own form, with the blank its script removes")
  func zshIsAnsweredInItsOwnForm() throws {
    try withSandbox(config: Self.config(marker: "/nonexistent/mark")) { box in
      try Self.storeSessions(box)
      let result = try Self.complete(box, ["logout", "lime/m"], shell: "zsh")
      #expect(result.stdout == "lime/main\n \n", "\(result)")
    }
  }
}
