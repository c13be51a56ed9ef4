import AuthDeckCore
import AuthDeckNet
import Foundation

/// `authdeck demo`: the built-in provider on 127.0.0.1 and a temporary store with a few
/// sessions in every state. Nothing touches the user's own store.
public struct DemoSetup: Sendable {
  public let provider: DemoProvider
  public let service: TokenService
  public let storeRoot: String

  public static func start(now: Date = Date()) throws(AuthDeckError) -> DemoSetup {
    let provider = try DemoProvider()
    provider.start()
    let loopbackPort = try LoopbackHTTPServer(port: 0).port  // a free port for the demo's redirect
    var template = Array((NSTemporaryDirectory() + "/authdeck-demo-XXXXXX").utf8CString)
    guard let root = mkdtemp(&template) else { throw .store("cannot create a temporary store for the demo") }
    let store = SessionStore(root: String(cString: root))
    let configuration = provider.configuration(loopbackPort: loopbackPort, now: now)
    try seed(store, provider: provider, now: now)
    let service = TokenService(
      configuration: configuration, store: store, transport: CurlTransport(),
      secrets: SecretResolver(environment: [:], withholding: []))
    return DemoSetup(provider: provider, service: service, storeRoot: store.root)
  }

  /// A valid session about to turn yellow (with a refresh token the demo server honours, so
  /// `r` works), an expired one, one never logged in, and a service whose token ends in 40 s:
  /// keep-alive renews it 10 s after the board opens, and every 2½ minutes after that.
  private static func seed(_ store: SessionStore, provider: DemoProvider, now: Date) throws(AuthDeckError) {
    func token(_ lifetime: TimeInterval, issuedAgo: TimeInterval = 60, refreshToken: String? = nil)
      -> TokenSet
    {
      TokenSet(
        accessToken: "demo-seeded-token", refreshToken: refreshToken,
        issuedAt: now.addingTimeInterval(-issuedAgo),
        expiresAt: now.addingTimeInterval(lifetime))
    }
    let seeds: [Session] = [
      Session(
        id: SessionID(provider: "demo", account: "alice"),
        tokens: token(150, refreshToken: provider.newRefreshToken())),
      Session(id: SessionID(provider: "demo", account: "bob"), tokens: token(-1200)),
      Session(id: SessionID(provider: "demo-paste", account: "carol")),
      Session(
        id: SessionID(provider: "demo-service", account: "batch"), grant: .clientCredentials,
        tokens: token(40, issuedAgo: 100)),
    ]
    for seed in seeds {
      try store.update(seed.id) { (session: inout Session?) throws(AuthDeckError) in session = seed }
    }
  }

  public func removeStore() {
    try? FileManager.default.removeItem(atPath: storeRoot)
  }
}
