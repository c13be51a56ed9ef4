import Foundation

/// Why only a person can make a session usable, or why a login under way ended. A fact, worded
/// here without saying what to do: the command line adds the command to run, the board the
/// key to press (`suggestsLogin` says whether either applies).
public enum LoginReason: Equatable, Sendable {
  case neverLoggedIn
  /// Stored, but without tokens (logged out, or a first login that did not finish).
  case noToken
  case expired(at: Date)
  /// It holds a token but nothing to renew it with (another process dropped its refresh token).
  case notRenewable
  /// The token has expired and the provider refused its refresh token.
  case refreshRefused(Refusal)
  /// The token has expired and its refresh token reached its end then: only a browser login helps.
  case refreshExpired(at: Date)
  case denied(Refusal)
  /// The token endpoint refused the login's code: the login has ended.
  case codeRefused(Refusal)
  /// The login's time to be completed ran out (a browser login's window, a device code's life).
  case timedOut(device: Bool)
  /// Another login of the session (another shell, the board) took its place.
  case superseded
  /// The login was ended elsewhere without tokens (a log-out, a cancel) or the session was forgotten.
  case endedElsewhere
  /// `--min-valid`: the token ends at `validUntil`, sooner than asked; `renewable` when even a
  /// renewed one does not last long enough.
  case tooShort(validUntil: Date, asked: TimeInterval, renewable: Bool)
  case noIDToken
  case idTokenExpired(at: Date)

  /// Whether a new login is what helps. Not for a login another one replaced (that one goes
  /// on), nor for a token a renewal already made as long as the provider gives.
  public var suggestsLogin: Bool {
    switch self {
    case .superseded: return false
    case .tooShort(_, _, let renewable): return !renewable
    case .noIDToken: return false
    default: return true
    }
  }

  /// What the provider said, when it is the reason.
  public var refusal: Refusal? {
    switch self {
    case .refreshRefused(let refusal), .denied(let refusal), .codeRefused(let refusal): return refusal
    default: return nil
    }
  }

  /// The name `status --json` and `list --json` give it (`login_reason`).
  public var code: String {
    switch self {
    case .neverLoggedIn: return "never_logged_in"
    case .noToken: return "no_token"
    case .expired: return "expired"
    case .notRenewable: return "not_renewable"
    case .refreshRefused: return "refresh_refused"
    case .refreshExpired: return "refresh_expired"
    case .denied: return "login_denied"
    case .codeRefused: return "code_refused"
    case .timedOut: return "timed_out"
    case .superseded: return "superseded"
    case .endedElsewhere: return "ended_elsewhere"
    case .tooShort: return "too_short"
    case .noIDToken: return "no_id_token"
    case .idTokenExpired: return "id_token_expired"
    }
  }

  /// The fact in a few words, judged at `now` ("expired 08:00 (2h ago)").
  public func text(now: Date) -> String {
    switch self {
    case .neverLoggedIn: return "has never logged in"
    case .noToken: return "has no token"
    case .expired(let at): return "expired \(TimeFormat.local(at)) (\(TimeFormat.ago(at, now: now)))"
    case .notRenewable: return "cannot be renewed without a login (it has no refresh token)"
    case .refreshRefused(let refusal):
      return "the provider refused its refresh token (\(refusal.said.text))"
    case .refreshExpired(let at):
      return "its refresh token ended \(TimeFormat.local(at)) (\(TimeFormat.ago(at, now: now)))"
    case .denied(let refusal): return "the login was denied (\(refusal.said.text))"
    case .codeRefused(let refusal):
      return "the provider refused the login's code (\(refusal.said.text)); this login has ended"
    case .timedOut(let device):
      return device
        ? "the code was not entered in time"
        : "the \(TimeFormat.minutes(PendingLogin.lifetime)) to log in are up"
    case .superseded: return "another login of this session took over; this one has ended"
    case .endedElsewhere: return "the login was ended elsewhere (logged out or cancelled)"
    case .tooShort(let until, let asked, let renewable):
      let left = TimeFormat.roughDuration(max(0, Int(until.timeIntervalSince(now))))
      return "is valid for \(left) more (until \(TimeFormat.local(until))), less than the "
        + "\(DurationText.format(asked)) asked for"
        + (renewable ? "; even a new token does not last that long" : "")
    case .noIDToken:
      return "has no id token: the provider sent none (a login with scope \"openid\" gets one; "
        + "client credentials never do)"
    case .idTokenExpired(let at): return "its id token expired \(TimeFormat.ago(at, now: now))"
    }
  }
}

/// A session that needs a person, and why: what `.loginRequired` carries.
public struct LoginRequired: Equatable, Sendable, CustomStringConvertible {
  public var id: SessionID
  public var reason: LoginReason
  /// When it was judged, for "2h ago".
  public var at: Date

  public init(_ id: SessionID, _ reason: LoginReason, at: Date) {
    self.id = id
    self.reason = reason
    self.at = at
  }

  /// "lime/main: expired 08:00 (2h ago)": the fact, without what to do about it.
  public var description: String { "\(id): \(reason.text(now: at))" }
}
