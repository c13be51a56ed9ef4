import AuthDeckCore
import Testing

@testable import AuthDeckApp

@Suite("What git-credential says when it answers git nothing")
struct GitCredentialTextTests {
  static func ids(_ count: Int) -> [SessionID] {
    (1...count).map { SessionID(provider: "forge", account: "a\($0)") }
  }

  @Test("no session names the login to run; several name the key to set; nothing for the rest")
  func eachNoteSaysWhatToDo() {
    #expect(
      GitCredentialText.note(.noSession(provider: "forge", host: "git.example.com"))
        == "no forge session to answer git for git.example.com; run: authdeck login forge/ACCOUNT")
    #expect(
      GitCredentialText.note(.severalSessions(provider: "forge", host: "git.example.com", Self.ids(2)))
        == "forge has 2 sessions (forge/a1, forge/a2) and git asks for git.example.com: "
        + "set git_account in [providers.forge] to the one git gets")
    #expect(
      GitCredentialText.note(.sharedHost(host: "git.example.com", providers: ["forge", "mirror"]))
        == "git.example.com is in git_hosts of forge and mirror: keep it in one provider's")
    #expect(GitCredentialText.note(.notOurs) == nil)
    #expect(GitCredentialText.note(.session(Self.ids(1)[0], username: "oauth2")) == nil)
  }

  @Test("many sessions are cut to three, so the note stays one line")
  func manySessionsAreCut() throws {
    let note = try #require(
      GitCredentialText.note(.severalSessions(provider: "forge", host: "h", Self.ids(40))))
    #expect(note.contains("forge has 40 sessions (forge/a1, forge/a2, forge/a3, …)"))
  }
}
