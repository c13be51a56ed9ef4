import Foundation

/// What the token service learns about a provider that a person should know. Facts: each front
/// end says them its way (the command line on stderr, the board on its status line and in the
/// provider's header), once per provider.
public enum ProviderNotice: Equatable, Sendable {
  /// The local clock is this many seconds ahead of the provider's (negative: behind).
  case clockSkew(provider: String, seconds: TimeInterval)
  /// The provider refused form-encoded HTTP Basic credentials and took them raw: they are sent
  /// raw to it from now on.
  case rawBasicCredentials(provider: String)

  /// What it is about, whatever the figures: a notice is said once per provider and kind.
  public var kind: String {
    switch self {
    case .clockSkew: return "clock"
    case .rawBasicCredentials: return "basic"
    }
  }

  public var provider: String {
    switch self {
    case .clockSkew(let provider, _), .rawBasicCredentials(let provider): return provider
    }
  }

  /// The fact in a sentence.
  public var text: String {
    switch self {
    case .clockSkew(let provider, let seconds):
      return ClockSkewText.sentence(seconds, provider: provider)
        + "; lifetimes are counted on your clock from each answer, so tokens stay right"
    case .rawBasicCredentials(let provider):
      return "\(provider) does not decode HTTP Basic credentials (RFC 6749 §2.3.1): "
        + "AuthDeck sends them to it as they are from now on"
    }
  }
}

/// "your clock is 2h 5m ahead of acme's".
public enum ClockSkewText {
  public static func sentence(_ seconds: TimeInterval, provider: String) -> String {
    let amount = TimeFormat.roughDuration(Int(abs(seconds).rounded()))
    return "your clock is \(amount) \(seconds > 0 ? "ahead of" : "behind") \(provider)'s"
  }
}

/// How HTTP Basic credentials are written for a provider.
public enum BasicCredentials: String, Sendable, Equatable {
  case formEncoded = "form_encoded"
  case raw
}

/// What is remembered about a provider besides its discovery document.
public struct ProviderQuirks: Equatable, Sendable {
  public var basicCredentials: BasicCredentials

  public init(basicCredentials: BasicCredentials = .formEncoded) {
    self.basicCredentials = basicCredentials
  }
}
