import AuthDeckCore
import Foundation

/// `authdeck login ID` for the device authorization grant (RFC 8628): asks the provider for a
/// code, says where to enter it, opens that page when a browser can be started (never failing
/// when none can: this is the login for machines without one), and polls until the code is
/// entered, denied or expired. The clock and the sleep are handed in, so tests do not wait.
public struct CommandLineDeviceLogin {
  let service: TokenService
  let browser: (any BrowserOpening)?
  let report: LoginWaiter.Report
  let clock: DeviceLoginPoller.Clock
  let sleep: DeviceLoginPoller.Sleeper

  /// `browser` nil: only print where to go (`--no-browser`).
  public init(
    service: TokenService, browser: (any BrowserOpening)?, report: @escaping LoginWaiter.Report,
    clock: @escaping DeviceLoginPoller.Clock = { Date() },
    sleep: @escaping DeviceLoginPoller.Sleeper = { seconds in
      Thread.sleep(forTimeInterval: seconds)
      return true
    }
  ) {
    self.service = service
    self.browser = browser
    self.report = report
    self.clock = clock
    self.sleep = sleep
  }

  public func run(_ id: SessionID, provider: Provider) throws(AuthDeckError) -> Session {
    let authorization = try DeviceLogin.start(id, service: service, now: clock()).authorization
    report(Self.instructions(id, provider: provider, authorization, now: clock()), false)
    DeviceLogin.openPage(of: authorization, with: browser)
    report("Waiting for the code to be entered…", false)
    switch DeviceLogin.poll(id, authorization, service: service, clock: clock, sleep: sleep) {
    case .loggedIn(let session): return session
    case .ended(_, let error): throw error
    case .cancelled: throw .other("the device login of \(id) was stopped")
    }
  }

  /// Where to go and what to type, each on a line of its own so that it stands out and can be
  /// copied; everything from the server sanitized.
  static func instructions(
    _ id: SessionID, provider: Provider, _ authorization: DeviceAuthorization, now: Date
  )
    -> String
  {
    let prompt = authorization.prompt
    var lines = [
      "To log in \(id) (\(Sanitizer.inline(provider.name, limit: 80))), open this page on any device:", "",
      "  " + Sanitizer.inline(prompt.verificationURI, limit: 300), "", "and enter the code:", "",
      "  " + Sanitizer.inline(prompt.userCode, limit: 64), "",
    ]
    if let complete = prompt.verificationURIComplete {
      lines.append("(or open \(Sanitizer.inline(complete, limit: 300)), which has the code filled in)")
    }
    let left = TimeFormat.countdown(prompt.expiresAt.timeIntervalSince(now))
    lines.append("The code expires in \(left), at \(TimeFormat.local(prompt.expiresAt)).")
    return lines.joined(separator: "\n")
  }
}
