import Foundation

/// The polling rules of the device authorization grant (RFC 8628 §3.4, §3.5), with time as data:
/// told what the token endpoint answered and when, it says when to ask again, or how the login
/// ended. It never sleeps and never sends anything; `DeviceLoginPoller` does both.
public struct DevicePolling: Equatable, Sendable {
  /// What one poll of the token endpoint said.
  public enum Answer: Equatable, Sendable {
    case tokens(TokenSet)
    /// `authorization_pending`: the code has not been entered yet.
    case pending
    /// `slow_down`: still pending, and every poll from now on waits 5 seconds more.
    case slowDown
    /// `access_denied`, as the server said it.
    case denied(ProviderError)
    /// `expired_token`, as the server said it.
    case expired(ProviderError)
    /// The provider could not be reached: ask again later, waiting twice as long (§3.5).
    case unreachable(String)
    /// Anything else ends the login (`invalid_client`, an unknown device code, …).
    case failed(AuthDeckError)
  }

  public enum Step: Equatable, Sendable {
    /// Ask the token endpoint again at this instant.
    case poll(at: Date)
    case loggedIn(TokenSet)
    /// The login is over without tokens; the error says why (`.loginRequired` when only a new
    /// login helps).
    case ended(AuthDeckError)
  }

  public let id: SessionID
  public let requestedAt: Date
  public let expiresAt: Date
  /// Seconds between polls, as the server's answers have made it.
  public private(set) var interval: TimeInterval

  /// `slow_down` adds this much to the interval, for good (§3.5).
  public static let slowDownStep: TimeInterval = 5
  /// Backing off when the provider cannot be reached stops doubling here.
  public static let longestBackOff: TimeInterval = 300

  public init(_ authorization: DeviceAuthorization, for id: SessionID) {
    self.id = id
    requestedAt = authorization.requestedAt
    expiresAt = authorization.expiresAt
    interval = authorization.interval
  }

  /// The first poll: one interval after the code was handed out.
  public var first: Step { schedule(after: requestedAt) }

  /// What comes after `answer`, which arrived at `now`.
  public mutating func next(after answer: Answer, at now: Date) -> Step {
    switch answer {
    case .tokens(let tokens):
      return .loggedIn(tokens)
    case .pending:
      break
    case .slowDown:
      interval += Self.slowDownStep
    case .unreachable:
      interval = max(interval, min(interval * 2, Self.longestBackOff))
    case .denied(let said):
      return ended(.denied(Refusal(.loginDenied, said: said, at: now)), at: now)
    case .expired:
      return ended(.timedOut(device: true), at: now)
    case .failed(.grantRefused(_, let said)):
      return ended(.codeRefused(Refusal(.codeRefused, said: said, at: now)), at: now)
    case .failed(let error):
      return .ended(error)
    }
    return schedule(after: now)
  }

  /// The next poll one interval after `instant`, unless the code has expired by then: a poll
  /// then could only be told `expired_token`.
  private func schedule(after instant: Date) -> Step {
    let next = instant.addingTimeInterval(interval)
    guard next < expiresAt else { return ended(.timedOut(device: true), at: instant) }
    return .poll(at: next)
  }

  private func ended(_ reason: LoginReason, at now: Date) -> Step {
    .ended(.loginRequired(LoginRequired(id, reason, at: now)))
  }
}

/// The device code grant at the token endpoint (RFC 8628 §3.4): the request a poll sends and
/// what its answer says (§3.5).
extension TokenEndpoint {
  public static let deviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code"

  public func deviceCodePoll(_ deviceCode: String) -> HTTPRequest {
    client.post([("grant_type", Self.deviceCodeGrantType), ("device_code", deviceCode)])
  }

  /// The tokens, or which of §3.5's answers it is; anything else is `.failed` with its reason.
  public func pollAnswer(from response: HTTPResponse, issuedAt: Date) -> DevicePolling.Answer {
    if let object = try? JSONValue.parse(Array(response.body)),
      case let (said, _)? = EndpointAnswer.error(in: object, provider: provider)
    {
      switch said.code {
      case "authorization_pending": return .pending
      case "slow_down": return .slowDown
      case "access_denied": return .denied(said)
      case "expired_token": return .expired(said)
      default: break
      }
    }
    do throws(AuthDeckError) {
      return .tokens(try tokens(from: response, issuedAt: issuedAt))
    } catch {
      return .failed(error)
    }
  }
}
