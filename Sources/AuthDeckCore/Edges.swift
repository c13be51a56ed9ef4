import Foundation

/// Puts text on the user's clipboard, and says how it went. The text reaches any tool on its
/// stdin, never in argv.
public protocol ClipboardWriting: Sendable {
  func copy(_ text: String) -> CopyResult
}

/// What a session's copy put on the clipboard.
public enum CopiedItem: Equatable, Sendable {
  /// The access token, valid until then (nil: no known end).
  case token(validUntil: Date?)
  /// The authorize URL of the login it waits for.
  case loginURL
  /// A device login's code.
  case userCode
}

/// How a copy went: the ways the text was handed on, and the tools that failed.
public struct CopyResult: Equatable, Sendable {
  /// "OSC 52", "xclip", … : each one that took the text.
  public var ways: [String]
  /// "xclip exited with status 1": each tool that did not.
  public var failures: [String]

  public init(ways: [String], failures: [String] = []) {
    self.ways = ways
    self.failures = failures
  }

  /// Whether anything took the text.
  public var copied: Bool { !ways.isEmpty }

  /// "OSC 52 + xclip", "OSC 52; xclip exited with status 1", "no clipboard found".
  public var summary: String {
    let done = ways.isEmpty ? (failures.isEmpty ? "no clipboard found" : "") : ways.joined(separator: " + ")
    return ([done].filter { !$0.isEmpty } + failures).joined(separator: "; ")
  }
}

/// Opens a URL in the user's own browser (RFC 8252 §8.12).
public protocol BrowserOpening: Sendable {
  func open(_ url: String) throws(AuthDeckError)
}

/// Tells the user something while they look elsewhere: a desktop notification. Title and body
/// are ids, names and times, never a secret; the edge makes them inert and short all the same.
public protocol NotificationSending: Sendable {
  func notify(title: String, body: String)
}
