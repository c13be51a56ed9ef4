/// Puts text on the user's clipboard. Returns how it was done ("OSC 52 + xclip"), for the
/// status line. The text reaches any tool on its stdin, never in argv.
public protocol ClipboardWriting: Sendable {
  func copy(_ text: String) -> String
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
