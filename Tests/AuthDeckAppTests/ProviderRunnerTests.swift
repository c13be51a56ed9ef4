import AuthDeckApp
import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import AuthDeckTestSupport
import Foundation
import Testing

/// The board's runner with providers as real servers behave: a refused code ends the login at
/// once, a provider by issuer logs in on a port of AuthDeck's choosing, and `d` revokes.
@Suite("The effect runner with refused codes, chosen ports and revocation", .serialized)
struct ProviderRunnerTests {
  let bob = SessionID(provider: "limio", account: "bob")
  let main = SessionID(provider: "lime", account: "main")
  let me = SessionID(provider: "idp", account: "me")

  func isLoginEnded(_ event: BoardEvent) -> Bool {
    if case .loginEnded = event { return true } else { return false }
  }

  @Test("a refused code caught on loopback ends the login at once: the pending login goes, the reason comes")
  func aRefusedCodeOnLoopbackEndsTheLogin() throws {
    try withRunner(browser: FakeBrowser(follow: true), server: .init(codeLifetime: 0)) { h throws in
      h.runner.perform(.startLogin(bob))
      let ended = h.sink.wait(for: isLoginEnded)
      guard case .loginEnded(let id, let reason)? = ended else { return }
      #expect(id == bob)
      guard case .codeRefused(let refusal)? = reason.loginReason else {
        Issue.record("expected a refused code, got \(reason)")
        return
      }
      #expect(refusal.said.code == "invalid_grant")
      let changed = h.sink.all.compactMap(\.changedSession).last
      #expect(changed?.id == bob && changed?.pending == nil, "the board gets the session without its login")
      #expect(try h.stored("limio/bob")?.pending == nil)
      // Nothing waits on the port any more: the listener lets go of it.
      #expect(waitUntil(timeout: 10) { (try? LoopbackHTTPServer(port: h.loopbackPort)) != nil })
    }
  }

  @Test("a refused code pasted on the board ends the login the same way")
  func aRefusedPastedCodeEndsTheLogin() throws {
    try withRunner(server: .init(codeLifetime: 0)) { h throws in
      h.runner.perform(.startLogin(main))
      let started = h.sink.wait { if case .loginStarted = $0 { return true } else { return false } }
      guard case .loginStarted(let session, _)? = started, let pending = session.pending else { return }
      h.runner.perform(.completeLogin(pasted: try h.server.approve(pending.authorizeURL)))
      h.sink.wait(for: isLoginEnded)
      #expect(try h.stored("lime/main")?.pending == nil)
      #expect(
        !h.sink.all.contains { if case .redirectHandled(_, .some) = $0 { return true } else { return false } }
      )
    }
  }

  @Test("a provider by issuer logs in on a loopback port chosen for the login")
  func anIssuerProviderLogsInOnAChosenPort() throws {
    try withRunner(browser: FakeBrowser(follow: true)) { h throws in
      h.runner.perform(.startLogin(me))
      let started = h.sink.wait { if case .loginStarted = $0 { return true } else { return false } }
      guard case .loginStarted(let session, let loopback)? = started, let pending = session.pending else {
        return
      }
      #expect(loopback == .listening)
      #expect(
        pending.redirectURI.hasPrefix("http://127.0.0.1:") && pending.redirectURI.hasSuffix("/callback"))
      h.sink.wait { $0 == .redirectHandled(me, error: nil) }
      let request = try #require(try h.server.tokenRequests().last)
      #expect(request.form["redirect_uri"] == pending.redirectURI, "the exchange names the same redirect")
    }
  }

  @Test("d revokes at the provider off the loop, then drops the tokens")
  func logOutRevokes() throws {
    try withRunner(browser: FakeBrowser(follow: true)) { h throws in
      h.runner.perform(.startLogin(me))
      h.sink.wait { $0 == .redirectHandled(me, error: nil) }
      let tokens = try #require(try h.stored("idp/me")?.tokens)
      h.runner.perform(.logout(me, forget: false))
      h.sink.wait { $0 == .loggedOut(me, forgotten: false, error: nil, revocation: .revoked) }
      #expect(
        try h.server.revoked().map(\.token) == [tokens.refreshToken, tokens.accessToken].compactMap { $0 })
      #expect(try h.stored("idp/me")?.tokens == nil)
    }
  }

  @Test("a revocation that fails still logs out, with a warning for the status line")
  func aFailedRevocationWarns() throws {
    try withRunner(browser: FakeBrowser(follow: true)) { h throws in
      h.runner.perform(.startLogin(me))
      h.sink.wait { $0 == .redirectHandled(me, error: nil) }
      try h.server.inject("503", endpoint: "revoke")
      h.runner.perform(.logout(me, forget: false))
      let done = h.sink.wait { if case .loggedOut = $0 { return true } else { return false } }
      guard case .loggedOut(_, _, nil, let revocation)? = done, let warning = revocation.warning else {
        Issue.record("expected a warning, got \(String(describing: done))")
        return
      }
      #expect(warning.contains("did not revoke") && warning.contains("503"), "\(warning)")
      #expect(try h.stored("idp/me")?.tokens == nil)
    }
  }
}
