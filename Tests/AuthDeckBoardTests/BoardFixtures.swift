import AuthDeckTestSupport
import Foundation
import Testing

@testable import AuthDeckBoard
@testable import AuthDeckCore

// What every board test shares: one fixed morning, three providers like the real ones,
// sessions built directly, a way to press keys, and a whole-screen snapshot check.
// No real time anywhere: `now` is data, and time passes only through `.tick`.

// MARK: Time

let utcZone = TimeZone(identifier: "UTC")!

/// Monday 2026-11-23 14:00:00 UTC, 09:00 in New York: 18 hours before Lime's 03:00 ET cutoff.
let morning = utc(2026, 11, 23, 14)

// MARK: Providers

enum Providers {
  /// Like the lime preset: a daily cutoff at 03:00 New York time, redirect pasted by hand.
  static let lime = Provider(
    id: "lime", name: "Lime Trading", authorizeURL: URL(string: "https://auth.lime.co/connect/authorize")!,
    tokenURL: URL(string: "https://auth.lime.co/connect/token")!, clientID: "lime-client",
    secret: .environment("LIME_CLIENT_SECRET"), redirectURI: URL(string: "https://localhost/callback"),
    dailyExpiry: DailyCutoff(parsing: "03:00 America/New_York"))

  /// Like the limio preset: expires_in, refresh tokens, a loopback redirect caught by a listener.
  static let acme = Provider(
    id: "acme", name: "Limio acme",
    authorizeURL: URL(string: "https://acme.prod.limio.com/oauth2/authorize")!,
    tokenURL: URL(string: "https://acme.prod.limio.com/oauth2/token")!, clientID: "acme-client",
    secret: .command("pass show limio/acme"), clientAuth: .basic,
    redirectURI: URL(string: "http://127.0.0.1:8765/callback"), scope: "openid")

  /// A machine account: client credentials, no browser, no person.
  static let ops = Provider(
    id: "ops", name: "Ops API", authorizeURL: nil,
    tokenURL: URL(string: "https://ops.example.com/oauth/token")!,
    clientID: "ops-robot", secret: .environment("OPS_SECRET"), redirectURI: nil, grant: .clientCredentials)

  /// A television: the device authorization grant, a code entered on another device.
  static let tv = Provider(
    id: "tv", name: "Den TV", authorizeURL: nil, tokenURL: URL(string: "https://id.example/token")!,
    deviceAuthorizationURL: URL(string: "https://id.example/device_authorization")!, clientID: "tv-app",
    redirectURI: nil, grant: .deviceCode)

  static let all = [acme, lime, ops]
}

// MARK: Sessions

/// "lime/main" as a SessionID (the account may hold anything after the first slash).
func sid(_ text: String) -> SessionID {
  let slash = text.firstIndex(of: "/")!
  return SessionID(provider: String(text[..<slash]), account: String(text[text.index(after: slash)...]))
}

func grant(of id: SessionID) -> Grant {
  switch id.provider {
  case "ops": return .clientCredentials
  case "tv": return .deviceCode
  default: return .authorizationCode
  }
}

/// A session whose token has `seconds` left (negative: expired that long ago), issued an hour
/// before `now` unless said otherwise.
func loggedIn(
  _ id: String, expiresIn seconds: TimeInterval?, refresh: Bool = false, now: Date = morning,
  issuedAgo: TimeInterval = 3_600
)
  -> Session
{
  let id = sid(id)
  let tokens = TokenSet(
    accessToken: "at-\(id.account)", refreshToken: refresh ? "rt-\(id.account)" : nil,
    issuedAt: now.addingTimeInterval(-issuedAgo), expiresAt: seconds.map { now.addingTimeInterval($0) })
  return Session(id: id, grant: grant(of: id), tokens: tokens)
}

func expired(_ id: String, refresh: Bool = false) -> Session {
  loggedIn(id, expiresIn: -3_600, refresh: refresh)
}

/// Never logged in.
func empty(_ id: String) -> Session {
  let id = sid(id)
  return Session(id: id, grant: grant(of: id))
}

/// A session with a login under way, started `ago` seconds before `now` (deadline 5 minutes after the start).
func pending(_ id: String, startedAgo ago: TimeInterval = 0, now: Date = morning, tokens: TokenSet? = nil)
  -> Session
{
  let id = sid(id)
  let login = PendingLogin(
    state: "state-\(id.account)", codeVerifier: "verifier", redirectURI: "https://localhost/callback",
    authorizeURL: "https://auth.lime.co/connect/authorize?state=state-\(id.account)", issuer: nil,
    startedAt: now.addingTimeInterval(-ago))
  return Session(id: id, grant: grant(of: id), tokens: tokens, pending: login)
}

/// The store after a login finished at `now`: same id, a token issued then.
func afterLogin(_ session: Session, expiresIn seconds: TimeInterval = 8 * 3_600, now: Date = morning)
  -> Session
{
  loggedIn(
    session.id.description, expiresIn: seconds, refresh: session.id.provider == "acme", now: now, issuedAgo: 0
  )
}

/// The everyday board: one of each kind of session at each provider.
let everydaySessions: [Session] = [
  loggedIn("acme/alice", expiresIn: 45 * 60, refresh: true),
  expired("acme/bob", refresh: true),
  loggedIn("lime/main", expiresIn: 18 * 3_600),
  loggedIn("lime/paper", expiresIn: 10 * 60),
  empty("lime/scalper"),
  loggedIn("ops/robot", expiresIn: 50 * 60),
]

// MARK: The board

/// A board in UTC at `now`, sized for a terminal of `height` rows (the run loop sends `.resized` first).
func makeBoard(
  _ sessions: [Session] = everydaySessions, providers: [Provider] = Providers.all, now: Date = morning,
  height: Int = 24
) -> BoardState {
  var state = BoardState(providers: providers, sessions: sessions, now: now, timeZone: utcZone)
  let effects = state.handle(.resized(pageSize: BoardState.listHeight(forTerminalHeight: height)))
  #expect(effects == [])
  return state
}

extension BoardState {
  /// Presses the keys in order and returns every effect they asked for.
  @discardableResult
  mutating func press(_ keys: Key...) -> [BoardEffect] { press(keys) }

  @discardableResult
  mutating func press(_ keys: [Key]) -> [BoardEffect] { keys.flatMap { handle(.key($0)) } }

  /// Types text one character at a time, as a person does.
  @discardableResult
  mutating func type(_ text: String) -> [BoardEffect] {
    text.flatMap { handle(.key(.character($0))) }
  }

  /// Moves the selection to `id` with j, as a person does (fails the test if it never gets there).
  mutating func select(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) {
    press(.character("g"))
    // Past every session and every empty provider's row.
    for _ in 0...(visibleSessions.count + providers.count) where selected != sid(id) {
      press(.character("j"))
    }
    #expect(selected == sid(id), "could not reach \(id)", sourceLocation: sourceLocation)
  }

  /// Time passes.
  @discardableResult
  mutating func wait(_ seconds: TimeInterval) -> [BoardEffect] {
    handle(.tick(now.addingTimeInterval(seconds)))
  }

  var messageText: String? { message?.whole }
  var isError: Bool { message?.kind == .error }

  /// The screen as a person reads it.
  func screen(_ width: Int = 80, _ height: Int = 24) -> String {
    render(width: width, height: height).text
  }

  /// The line with the selection marker, as a person reads it (nil when no row is marked).
  func selectedLine(_ width: Int = 80, _ height: Int = 24) -> String? {
    screen(width, height).split(separator: "\n").first { $0.hasPrefix("▸") }.map(String.init)
  }
}

extension BoardEffect {
  var isNotification: Bool {
    if case .notify = self { return true }
    return false
  }
}

extension Key {
  static func c(_ character: Character) -> Key { .character(character) }
}

// MARK: Snapshots

/// Compares a whole screen with the expected one, written inline. On a mismatch it says which
/// lines differ, with both versions under each other, so a broken screen reads at a glance.
func expectScreen(
  _ actual: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  guard actual != expected else { return }
  let got = actual.components(separatedBy: "\n")
  let want = expected.components(separatedBy: "\n")
  var report = ["screen differs (- expected, + actual):"]
  for index in 0..<max(got.count, want.count) {
    let a = index < got.count ? got[index] : "<no line>"
    let e = index < want.count ? want[index] : "<no line>"
    if a == e {
      report.append(String(format: "%3d   ", index) + a)
    } else {
      report.append(String(format: "%3d - ", index) + e)
      report.append(String(format: "%3d + ", index) + a)
    }
  }
  Issue.record(Comment(rawValue: report.joined(separator: "\n")), sourceLocation: sourceLocation)
}
