import AuthDeckCore
import AuthDeckNet
import Foundation

/// `authdeck login ID` for the authorization-code grant: starts the login (`BrowserLogin`:
/// secret, port, pending state, listener), shows the URL, opens the browser unless told not to,
/// and waits for the redirect, a paste, or the store to say the login ended elsewhere.
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
    // Ctrl-C, a closed terminal or a kill: the waiting login is taken back (nothing would catch
    // its redirect any more), then the process ends by that signal.
    let interrupt = try WakePipe()
    TerminationSignals.install(wakingUp: interrupt.writeEnd)
    defer { TerminationSignals.uninstall() }
    let redirects = try RedirectOutcomes()
    let loopback = LoopbackRegistry(expecting: id) { redirects.offer($0) }
    let started = try BrowserLogin.start(id, service: service, loopback: loopback, resume: false, now: Date())
    defer { loopback.loginEnded(state: started.pending.state) }
    let window = TimeFormat.minutes(PendingLogin.lifetime)
    report(
      "Log in to \(id) (\(provider.name)) within \(window) at:\n\n  \(started.pending.authorizeURL)\n", false)
    let redirect = started.pending.redirectURI
    switch BrowserLogin.openBrowser(for: started, with: browser) {
    case .withheld:
      guard case .portTaken(let why) = started.loopback else { break }
      report(
        "\(why), so the browser was not opened: its redirect would go to that program. "
          + "Free the port and log in again, or open the URL yourself and paste the redirect URL here. "
          + "If the provider accepts any loopback port (RFC 8252 §7.3), leave redirect_uri out and AuthDeck picks a free one.",
        true)
    case .failed(let error):
      report(error.description, true)  // a warning: the login goes on, with the URL above
    case .opened, .notAsked:
      break
    }
    let listening = started.loopback == .listening
    report(
      listening
        ? "Waiting for the browser to return to \(redirect) (or paste the redirect URL here)…"
        : "Paste the URL the browser was sent to (it starts with \(redirect)):", false)
    do throws(AuthDeckError) {
      return try LoginWaiter(
        service: service, sessionID: id, pending: started.pending, redirects: redirects, listening: listening,
        input: input, interrupt: interrupt.readEnd, report: report
      ).wait()
    } catch {
      // Interrupted, or refused for a reason no paste can mend (the client's own credentials):
      // nothing can complete this login, so it waits no more (only this one: another that
      // replaced it goes on). A login left for a later paste (stdin ended) stays pending.
      let leftForAPaste =
        switch error {
        case .redirect, .loginRequired: !TerminationSignals.requested
        default: false
        }
      if !leftForAPaste { _ = try? service.cancelLogin(id, onlyState: started.pending.state) }
      if TerminationSignals.requested { TerminationSignals.endByReceivedSignal() }
      throw error
    }
  }
}
