import AuthDeckCore
import Foundation

/// A device login (RFC 8628): a code asked for, its page opened when a browser can be started
/// (never failing when none can: this is the login for machines without one), and the token
/// endpoint polled until the code is entered, denied or expired. `authdeck login` and the
/// board's runner both come here.
public enum DeviceLogin {
  public enum Outcome: Equatable, Sendable {
    case loggedIn(Session)
    /// The login ended without tokens: the session as stored (with what the provider said) and why.
    case ended(Session?, AuthDeckError)
    /// The polling was stopped (a log-out, a new login of the session).
    case cancelled
  }

  /// Asks for a code and stores the session when it is new.
  public static func start(_ id: SessionID, service: TokenService, now: Date) throws(AuthDeckError)
    -> (session: Session, authorization: DeviceAuthorization)
  {
    try service.startDeviceLogin(id, now: now)
  }

  /// Opens the page where the code is entered, when a browser can be started.
  public static func openPage(of authorization: DeviceAuthorization, with browser: (any BrowserOpening)?) {
    do throws(AuthDeckError) {
      try browser?.open(authorization.browserURL)
    } catch {
      // No browser is the usual case for a device login: the page is shown to the user.
    }
  }

  /// Polls until the login ends; `clock` and `sleep` are handed in (tests do not wait; a sleep
  /// that returns false cancels it).
  public static func poll(
    _ id: SessionID, _ authorization: DeviceAuthorization, service: TokenService,
    clock: @escaping DeviceLoginPoller.Clock = { Date() }, sleep: @escaping DeviceLoginPoller.Sleeper
  ) -> Outcome {
    do throws(AuthDeckError) {
      let poller = DeviceLoginPoller(service: service, clock: clock, sleep: sleep)
      guard let session = try poller.wait(id, for: authorization) else { return .cancelled }
      return .loggedIn(session)
    } catch {
      let stored: Session?
      do throws(AuthDeckError) { stored = try service.store.load(id) } catch { stored = nil }
      return .ended(stored, error)
    }
  }
}
