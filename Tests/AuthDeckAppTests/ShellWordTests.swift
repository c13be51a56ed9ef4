import AuthDeckCore
import Testing

@testable import AuthDeckApp

@Suite("Words in the commands a message tells to run")
struct ShellWordTests {
  @Test(
    "a word a shell reads back the same is as it is; any other is single-quoted",
    arguments: [
      ("lime/main", "lime/main"), ("acme/ops@corp.example", "acme/ops@corp.example"),
      ("svc/café", "svc/café"),
      ("limio/has space", "'limio/has space'"), ("lime/it's", "'lime/it'\\''s'"),
      ("lime/$HOME", "'lime/$HOME'"),
      ("lime/a;b", "'lime/a;b'"), ("lime/*", "'lime/*'"), ("", "''"),
    ])
  func quoting(word: String, shown: String) {
    #expect(ShellWord.quoted(word) == shown)
  }

  @Test("the command line's login hint quotes the id")
  func loginHint() throws {
    let id = try SessionID(parsing: "limio/has space")
    let text = CommandLineText.loginNeeded(LoginRequired(id, .neverLoggedIn, at: .now))
    #expect(text.hasSuffix("; run: authdeck login 'limio/has space'"), "\(text)")
  }
}
