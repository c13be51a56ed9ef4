import AuthDeckCore
import AuthDeckNet
import Foundation

/// A browser login (the authorization-code grant with PKCE), from its start to the moment it
/// waits: the client secret read first (one that cannot be read is said before anyone logs in
/// for nothing), a free loopback port when the provider lets us choose, the pending login
/// stored, the listener that catches its redirect, then the browser. `authdeck login` and the
/// board's runner both start logins here; `RedirectCompletion` finishes them.
public enum BrowserLogin {
  /// A login that waits for its redirect.
  public struct Started: Sendable {
    /// The session as stored, with its pending login.
    public var session: Session
    public var pending: PendingLogin
    /// How the redirect will arrive.
    public var loopback: LoopbackStatus
  }

  /// What came of opening the browser.
  public enum Browser: Equatable, Sendable {
    case opened
    /// No browser was asked for (`--no-browser`).
    case notAsked
    /// Not opened: its redirect would reach the program that holds the loopback port.
    case withheld
    case failed(AuthDeckError)
  }

  /// Starts the login of `id`. `resume`: a login that already waits is reopened (its redirect
  /// may be on its way), not replaced: the board's ⏎ on a waiting session. The command line
  /// always starts anew, which ends any other login of the session (it is superseded).
  public static func start(
    _ id: SessionID, service: TokenService, loopback: LoopbackRegistry, resume: Bool, now: Date
  ) throws(AuthDeckError) -> Started {
    try service.checkClientSecret(for: id)
    let provider = try service.configuration.provider(for: id)
    // No redirect_uri: a free port now, so that the login's redirect can name it (RFC 8252 §7.3).
    let chosen = provider.redirectURI == nil ? try LoopbackHTTPServer.onFreePort() : nil
    let session = try service.beginLogin(id, now: now, resuming: resume, redirectURI: chosen?.redirect)
    guard let pending = session.pending else {
      throw .other("the login of \(id) could not be stored")  // beginLogin always stores one
    }
    let status = loopback.listen(for: pending, bound: chosen?.server, service: service)
    return Started(session: session, pending: pending, loopback: status)
  }

  /// Ends the login that waits for `id`, keeping its tokens, and lets go of its listener.
  public static func cancel(_ id: SessionID, service: TokenService, loopback: LoopbackRegistry)
    throws(AuthDeckError) -> Session?
  {
    let (session, state) = try service.cancelLogin(id)
    if let state { loopback.loginEnded(state: state) }
    return session
  }

  /// Opens `browser` (nil: none asked for) on the login's authorize URL, unless the loopback
  /// port is taken.
  public static func openBrowser(for started: Started, with browser: (any BrowserOpening)?) -> Browser {
    if case .portTaken = started.loopback { return .withheld }
    guard let browser else { return .notAsked }
    do throws(AuthDeckError) {
      try browser.open(started.pending.authorizeURL)
      return .opened
    } catch {
      return .failed(error)
    }
  }
}
