import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckCore

#if canImport(Glibc)
  import Glibc
#endif

// Issue 14, item 5: the store says what went wrong, never less.

@Suite("The store's own failures are said as they are")
struct StoreFailureTests {
  /// Runs in a child process (an exit test): with no descriptor left, the sessions folder cannot
  /// be opened for listing (EMFILE). That is an error, never an empty store.
  @Test("a sessions folder that cannot be listed is an error, not an empty store")
  func anUnlistableFolderIsAnError() async {
    await #expect(processExitsWith: .success) {
      let root = makeTemporaryDirectory() + "/store"
      let store = SessionStore(root: root)
      let id = SessionID(provider: "lime", account: "main")
      try? store.update(id) { (session: inout Session?) throws(AuthDeckError) in session = Session(id: id) }
      // Every descriptor up to the limit taken: opendir has none left.
      var limit = rlimit()
      getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
      limit.rlim_cur = 64
      setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
      while open("/dev/null", O_RDONLY) >= 0 {}
      let listing = thrownError { () throws(AuthDeckError) in try store.storedIDs() }
      let loading = thrownError { () throws(AuthDeckError) in try store.loadAll() }
      guard let listing, listing.kind == "store", listing.description.contains("cannot list"),
        listing.description.contains("Too many open files"), loading?.kind == "store"
      else { exit(2) }
    }
  }

  @Test("a file that cannot be moved aside says so and what to do, not that it was moved to itself")
  func aFailedMoveAsideIsSaid() {
    let files = StoreFiles(root: "/nonexistent")
    let said = files.moveAside("/nonexistent/sessions/lime%2Fmain.json")
    #expect(
      said
        == "it could not be moved aside (No such file or directory); move /nonexistent/sessions/lime%2Fmain.json away yourself"
    )
    #expect(!said.contains("moved aside to"))
  }
}

@Suite("What became of a login, read from the store")
struct LoginFateTests {
  let now = utc(2026, 11, 23, 14)
  let id = SessionID(provider: "lime", account: "main")

  func waiting(state: String = "s1", startedAt: Date) -> Session {
    Session(
      id: id,
      pending: PendingLogin(
        state: state, codeVerifier: nil, redirectURI: "https://localhost/cb", authorizeURL: "https://x/a",
        issuer: nil, startedAt: startedAt))
  }

  @Test("it waits while its own state waits, and ends when its window does")
  func waitsThenTimesOut() {
    let started = now.addingTimeInterval(-60)
    #expect(
      LoginFate.of(login: "s1", startedAt: started, in: waiting(startedAt: started), now: now) == .waiting)
    #expect(
      LoginFate.of(login: "s1", startedAt: started, in: waiting(startedAt: started), now: now + 300)
        == .ended(.timedOut(device: false)))
  }

  @Test("another login's state means it was replaced")
  func superseded() {
    let started = now.addingTimeInterval(-60)
    let other = waiting(state: "s2", startedAt: now)
    #expect(LoginFate.of(login: "s1", startedAt: started, in: other, now: now) == .ended(.superseded))
  }

  @Test("tokens newer than its start mean it was done, here or elsewhere; older ones do not")
  func loggedIn() {
    let started = now.addingTimeInterval(-60)
    var done = Session(id: id, tokens: TokenSet(accessToken: "a", issuedAt: now, expiresAt: now + 3600))
    #expect(LoginFate.of(login: "s1", startedAt: started, in: done, now: now) == .loggedIn(done))
    done.tokens?.issuedAt = started - 1
    #expect(LoginFate.of(login: "s1", startedAt: started, in: done, now: now) == .ended(.endedElsewhere))
  }

  @Test("a refusal since its start says why it ended; a forgotten session ended it too")
  func refusedOrForgotten() {
    let started = now.addingTimeInterval(-60)
    let denial = Refusal(.loginDenied, said: ProviderError(code: "access_denied"), at: now)
    let denied = Session(id: id, refusal: denial)
    #expect(LoginFate.of(login: "s1", startedAt: started, in: denied, now: now) == .ended(.denied(denial)))
    #expect(LoginFate.of(login: "s1", startedAt: started, in: nil, now: now) == .ended(.endedElsewhere))
  }

  @Test("a device login waits until tokens or a refusal come, the store holding no code")
  func deviceLogins() {
    let started = now.addingTimeInterval(-60)
    #expect(LoginFate.ofDeviceLogin(startedAt: started, in: Session(id: id), now: now) == .waiting)
    let done = Session(id: id, tokens: TokenSet(accessToken: "a", issuedAt: now, expiresAt: now + 60))
    #expect(LoginFate.ofDeviceLogin(startedAt: started, in: done, now: now) == .loggedIn(done))
  }
}

@Suite("Why a session needs a login")
struct LoginReasonTests {
  let now = utc(2026, 11, 23, 14)
  let id = SessionID(provider: "lime", account: "main")

  @Test("the provider's last refusal is the reason, else the expiry, else no token")
  func reasons() {
    let expired = TokenSet(accessToken: "a", issuedAt: now - 7200, expiresAt: now - 3600)
    #expect(Session(id: id, tokens: expired).loginReason(at: now) == .expired(at: now - 3600))
    #expect(Session(id: id).loginReason(at: now) == .noToken)
    #expect(Session.loginReason(nil, grant: .authorizationCode, at: now) == .neverLoggedIn)
    #expect(Session.loginReason(nil, grant: .clientCredentials, at: now) == nil)
    let refused = Refusal(.refreshRefused, said: ProviderError(code: "invalid_grant"), at: now)
    #expect(
      Session(id: id, tokens: expired, refusal: refused).loginReason(at: now) == .refreshRefused(refused))
    let valid = TokenSet(accessToken: "a", issuedAt: now, expiresAt: now + 60)
    #expect(
      Session(id: id, tokens: valid, refusal: refused).loginReason(at: now) == nil, "valid for a minute more")
  }

  @Test("the words say the fact, never the command to run or the key to press")
  func wordsHoldNoCommand() {
    let reasons: [LoginReason] = [
      .neverLoggedIn, .noToken, .expired(at: now), .notRenewable, .timedOut(device: true),
      .timedOut(device: false),
      .superseded, .endedElsewhere, .tooShort(validUntil: now + 60, asked: 3600, renewable: true), .noIDToken,
      .idTokenExpired(at: now),
      .refreshRefused(Refusal(.refreshRefused, said: ProviderError(code: "invalid_grant"), at: now)),
    ]
    for reason in reasons {
      let text = LoginRequired(id, reason, at: now).description
      #expect(
        text.hasPrefix("lime/main: ") && !text.contains("authdeck ") && !text.contains("press "), "\(text)")
    }
  }

  @Test("a refusal survives the store, and new tokens replace it")
  func refusalsAreStored() throws {
    let refused = Refusal(
      .loginDenied, said: ProviderError(code: "access_denied", description: "no"),
      at: Date(timeIntervalSince1970: 1_790_000_000))
    let session = Session(id: id, refusal: refused)
    let decoded = try SessionCoding.decode(Array(SessionCoding.encode(session).utf8))
    #expect(decoded.refusal == refused)
    var renewed = decoded
    renewed.receive(TokenSet(accessToken: "a", issuedAt: now, expiresAt: nil))
    #expect(renewed.refusal == nil)
  }
}
