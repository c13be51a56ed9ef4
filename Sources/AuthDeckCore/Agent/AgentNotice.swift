import Foundation

/// A line the agent may send before its answer, when the answer waits for a person (the board's
/// approval of a caller): the client says why it waits and waits `seconds` more than
/// `AgentProtocol.timeout` for the answer. A client that does not know notices reads the line as
/// an answer it cannot use; this one skips any number of them.
public struct AgentNotice: Equatable, Sendable {
  public var message: String
  public var seconds: TimeInterval

  public init(_ message: String, seconds: TimeInterval) {
    self.message = message
    self.seconds = seconds
  }

  /// `{"version":1,"notice":"waiting","message":"…","seconds":60}` and a newline.
  public var line: String {
    JSONValue.object([
      "version": .number(Double(AgentProtocol.version)), "notice": .string("waiting"),
      "message": .string(message), "seconds": .number(seconds),
    ]).serialized + "\n"
  }

  /// The notice `bytes` hold; nil when they are not one (an answer, or nonsense).
  public static func parse(_ bytes: [UInt8]) -> AgentNotice? {
    guard let value = try? JSONValue.parse(bytes), value["version"]?.number == Double(AgentProtocol.version),
      value["notice"]?.string != nil
    else { return nil }
    let seconds = value["seconds"]?.number ?? 0
    return AgentNotice(
      Sanitizer.inline(value["message"]?.string ?? "waiting", limit: 200),
      seconds: min(max(seconds, 0), AgentProtocol.longestNotice))
  }
}
