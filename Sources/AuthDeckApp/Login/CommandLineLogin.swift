import AuthDeckCore
import AuthDeckNet
import Foundation

/// `authdeck login ID` for the authorization-code grant: checks that the client secret can be
/// read, binds the loopback listener (a busy port is said before the browser is sent anywhere),
/// stores the pending login, shows the URL, opens the browser unless told not to, and waits for
/// the redirect or a paste.
public struct CommandLineLogin {
  let service: TokenService
  let browser: (any BrowserOpening)?
  let report: LoginWaiter.Report

  /// `browser` nil: only print the URL (`--no-browser`, for SSH sessions).
  public init(service: TokenService, browser: (any BrowserOpening)?, report: @escaping LoginWaiter.Report) {
    self.service = service
    self.browser = browser
    self.report = report
  }

  public func run(_ id: SessionID, provider: Provider, input: Int32 = 0) throws(AuthDeckError) -> Session {
    // The code exchange needs the secret: a variable that is not set, or a command that fails
    // or hangs, is said now, before the browser sends the person to log in for nothing.
    try service.checkClientSecret(for: id)
    var listener: LoopbackHTTPServer?
    var listenerProblem: String?
    var chosenRedirect: URL?
    if let redirect = provider.redirectURI {
      if provider.usesLoopbackRedirect {
        do throws(AuthDeckError) {
          listener = try LoopbackHTTPServer(redirect: redirect)
        } catch {
          listenerProblem = error.description
        }
      }
    } else {
      (listener, chosenRedirect) = try LoopbackHTTPServer.onFreePort()
    }
    let pending = try service.startLogin(id, now: Date(), redirectURI: chosenRedirect)
    report("Log in to \(id) (\(provider.name)) within 5 minutes at:\n\n  \(pending.authorizeURL)\n", false)
    let redirect = pending.redirectURI
    if let listenerProblem {
      // The redirect would go to whoever holds the port: the browser is not sent there.
      report(
        "\(listenerProblem), so the browser was not opened: its redirect would go to that program. "
          + "Free the port and log in again, or open the URL yourself and paste the redirect URL here. "
          + "If the provider accepts any loopback port (RFC 8252 §7.3), leave redirect_uri out and AuthDeck picks a free one.",
        true)
    } else if let browser {
      do throws(AuthDeckError) {
        try browser.open(pending.authorizeURL)
      } catch {
        report(error.description, false)
      }
    }
    report(
      listener != nil
        ? "Waiting for the browser to return to \(redirect) (or paste the redirect URL here)…"
        : "Paste the URL the browser was sent to (it starts with \(redirect)):", false)
    return try LoginWaiter(
      service: service, sessionID: id, pending: pending, listener: listener, input: input, report: report
    ).wait()
  }
}
