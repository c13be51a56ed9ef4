import Foundation

/// The user's configuration: every provider, checked, with presets applied.
public struct Configuration: Sendable, Equatable {
  public var providers: [Provider]
  /// A session with less than this left is shown as `expiring`.
  public var expiringWithin: TimeInterval
  /// Where it was read from, for messages; nil when no file exists.
  public var path: String?

  public init(
    providers: [Provider], expiringWithin: TimeInterval = SessionStatus.defaultExpiringWithin,
    path: String? = nil
  ) {
    self.providers = providers.sorted { $0.id < $1.id }
    self.expiringWithin = expiringWithin
    self.path = path
  }

  public func provider(_ id: String) -> Provider? { providers.first { $0.id == id } }

  /// The environment variables that hold client secrets: child processes start without them.
  public var secretVariables: Set<String> {
    Set(
      providers.compactMap { provider in
        if case .environment(let name) = provider.secret { return name }
        return nil
      })
  }

  /// The provider of a session, or a message that says how to add it.
  public func provider(for session: SessionID) throws(AuthDeckError) -> Provider {
    if let provider = provider(session.provider) { return provider }
    let known = providers.map(\.id).joined(separator: ", ")
    let file = path ?? "the configuration file"
    throw .usage(
      "unknown provider '\(session.provider)': add [providers.\(session.provider)] to \(file)"
        + (known.isEmpty ? "" : " (configured: \(known))"))
  }
}
