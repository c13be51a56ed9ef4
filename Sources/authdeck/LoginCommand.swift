import ArgumentParser
import AuthDeckApp
import AuthDeckCore
import AuthDeckNet
import Foundation

struct Login: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Log in session ID (provider/account), creating it if it is new.",
    discussion: """
      Prints the authorize URL on stderr and opens the browser. The redirect is caught on the \
      loopback listener when redirect_uri is http://127.0.0.1:PORT/..., http://[::1]:PORT/... or \
      http://localhost:PORT/..., or when there is no redirect_uri (a free port is chosen); \
      otherwise paste the URL the browser was sent to (it can also be piped on stdin). A code \
      the provider refuses ends the login (exit status 3): start it again. Client-credentials \
      providers just fetch a token. Device-code providers (grant = "device_code") print a page and \
      a code to enter there, on any device, and wait until it is entered; a denied or expired code \
      exits with status 3.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "The session, as provider/account (e.g. lime/main).", completion: SessionCompletion.kind)
  var id: String
  @Flag(help: "Do not open a browser; only print the URL (for SSH sessions).") var noBrowser = false

  /// Console.note and Console.error, as the logins report.
  static let report: LoginWaiter.Report = { text, isError in
    isError ? Console.error(text) : Console.note(text)
  }

  func run() throws {
    try reportingErrors { () throws(AuthDeckError) in
      let id = try SessionID(parsing: id)
      let session = try Self.logIn(id, context: Context(options: global), openBrowser: !noBrowser)
      Console.out(LoginSummary.line(session, now: Date()))
    }
  }

  /// The login of `id` its provider's grant calls for, reporting on stderr; also what
  /// `kube-credential` runs when kubectl hands it a terminal.
  static func logIn(_ id: SessionID, context: Context, openBrowser: Bool) throws(AuthDeckError) -> Session {
    let service = try context.service()
    let provider = try service.configuration.provider(for: id)
    let browser = openBrowser ? SystemBrowser(environment: context.children(of: service.configuration)) : nil
    switch provider.grant {
    case .clientCredentials:
      switch Renewal.renew(id, service: service, now: Date()) {
      case .renewed(let renewed): return renewed
      case .needsLogin(_, let required): throw .loginRequired(required)
      case .failed(_, let error): throw error
      }
    case .deviceCode:
      return try CommandLineDeviceLogin(service: service, browser: browser, report: report)
        .run(id, provider: provider)
    case .authorizationCode:
      return try CommandLineLogin(service: service, browser: browser, report: report)
        .run(id, provider: provider)
    }
  }
}
