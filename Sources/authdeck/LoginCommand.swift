import ArgumentParser
import AuthDeckCore
import AuthDeckNet
import Foundation

struct Login: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Log in session ID (provider/account), creating it if it is new.",
    discussion: """
      Prints the authorize URL on stderr and opens the browser. The redirect is caught on the \
      loopback listener when redirect_uri is http://127.0.0.1:PORT/...; otherwise paste the URL \
      the browser was sent to (it can also be piped on stdin). Client-credentials providers \
      just fetch a token.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "The session, as provider/account (e.g. lime/main).") var id: String
  @Flag(help: "Do not open a browser; only print the URL (for SSH sessions).") var noBrowser = false

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let id = try SessionID(parsing: id)
      let service = try Context(options: global).service()
      let provider = try service.configuration.provider(for: id)
      let session: Session
      if provider.grant == .clientCredentials {
        session = try service.fetchClientCredentials(id, now: Date())
      } else {
        session = try browserLogin(id, provider: provider, service: service)
      }
      print(LoginSummary.line(session, now: Date()))
    }
  }

  private func browserLogin(_ id: SessionID, provider: Provider, service: TokenService) throws(AuthDeckError)
    -> Session
  {
    // Bind first: a busy port is reported before the browser is sent anywhere.
    var listener: LoopbackHTTPServer?
    var listenerProblem: String?
    if provider.usesLoopbackRedirect, let redirect = provider.redirectURI {
      do throws(AuthDeckError) {
        listener = try LoopbackHTTPServer(
          host: redirect.host ?? "127.0.0.1", port: UInt16(redirect.port ?? 80))
      } catch {
        listenerProblem = error.description
      }
    }
    let pending = try service.startLogin(id, now: Date())
    Terminal.note("Log in to \(id) (\(provider.name)) within 5 minutes at:\n\n  \(pending.authorizeURL)\n")
    if !noBrowser {
      do throws(AuthDeckError) {
        try Browser.open(pending.authorizeURL, withholding: service.configuration.secretVariables)
      } catch {
        Terminal.note(error.description)
      }
    }
    if let listenerProblem { Terminal.error(listenerProblem) }
    Terminal.note(
      listener != nil
        ? "Waiting for the browser to return to \(provider.redirectURI!.absoluteString) (or paste the redirect URL here)…"
        : "Paste the URL the browser was sent to (it starts with \(provider.redirectURI!.absoluteString)):")
    return try LoginWaiter(service: service, sessionID: id, pending: pending, listener: listener).wait()
  }
}

enum LoginSummary {
  /// "lime/main: valid until 2026-11-24 03:00 EST (5:12:09)"
  static func line(_ session: Session, now: Date) -> String {
    guard let expiresAt = session.tokens?.expiresAt else {
      return "\(session.id): logged in (no expiry given)"
    }
    return
      "\(session.id): valid until \(TimeFormat.local(expiresAt)) (\(TimeFormat.countdown(expiresAt.timeIntervalSince(now))))"
  }
}
