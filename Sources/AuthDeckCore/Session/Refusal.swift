import Foundation

/// An error a provider answered with (RFC 6749 §4.1.2.1 on a redirect, §5.2 at the token
/// endpoint, RFC 8628 §3.5 for a device code): its code and description as sent. Shown only
/// through `text`, which makes both inert and short.
public struct ProviderError: Equatable, Sendable {
  public var code: String
  public var description: String?

  public init(code: String, description: String? = nil) {
    self.code = code
    self.description = description.flatMap { $0.isEmpty ? nil : $0 }
  }

  /// `invalid_grant: Token is not active`, sanitized.
  public var text: String {
    let code = Sanitizer.inline(self.code, limit: 60)
    guard let description else { return code }
    return code + ": " + Sanitizer.inline(description, limit: 160)
  }
}

/// What a provider said that only a login can answer, kept with the session in the store, so
/// that every process (the board after a restart, `status`, `wait`, `list`, notifications) reads
/// the same fact. New tokens, from a login here or a renewal elsewhere, replace it.
public struct Refusal: Equatable, Sendable {
  public enum Kind: String, Sendable, CaseIterable {
    /// The token endpoint refused the refresh token (`invalid_grant`): it is never sent again.
    case refreshRefused = "refresh_refused"
    /// The login was denied: the browser came back with an error, or a device login with
    /// `access_denied`.
    case loginDenied = "login_denied"
    /// The token endpoint refused the login's code (`invalid_grant`: spent, expired, or issued
    /// for another client).
    case codeRefused = "code_refused"
  }

  public var kind: Kind
  public var said: ProviderError
  public var at: Date

  public init(_ kind: Kind, said: ProviderError, at: Date) {
    self.kind = kind
    self.said = said
    self.at = at
  }
}
