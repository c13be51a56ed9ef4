import Foundation

/// A session is one account at one provider, written `provider/account` (e.g. `lime/main`).
public struct SessionID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let provider: String
  public let account: String

  public init(provider: String, account: String) {
    self.provider = provider
    self.account = account
  }

  /// What an account may hold, as messages say it.
  public static let accountRule = "1 to 100 printable characters, no '/' and no space at either end"

  /// Parses `provider/account`, as typed on the command line or the board. The provider is a
  /// config table name; the account is free text (UTF-8 allowed), never empty, with no `/`
  /// (`lime/a/b` would be a provider and an account that look like a path) and no control
  /// characters. It is normalized to NFC, so that `café` typed either way is one session.
  public init(parsing text: String) throws(AuthDeckError) {
    guard let slash = text.firstIndex(of: "/"), slash != text.startIndex else {
      throw .usage(
        "'\(Sanitizer.inline(text))' is not a session id: write it as provider/account, e.g. lime/main")
    }
    let provider = String(text[..<slash])
    let account = Self.normalized(String(text[text.index(after: slash)...]))
    guard ProviderID.isValid(provider) else {
      throw .usage("'\(Sanitizer.inline(provider))' is not a valid provider id (letters, digits, - and _)")
    }
    guard !account.isEmpty, account.count <= 100, !account.contains("/"),
      account.first?.isWhitespace == false, account.last?.isWhitespace == false,
      !account.unicodeScalars.contains(where: Sanitizer.isUnsafe)  // controls, bidi overrides: never in an id
    else {
      throw .usage(
        "the account in '\(Sanitizer.inline(text))' must be \(Self.accountRule), e.g. \(provider)/main")
    }
    self.init(provider: provider, account: account)
    // The id becomes a file name (see StoreFileName), and file names stop at 255 bytes.
    guard StoreFileName.encodedLength(self) <= 200 else {
      throw .usage("the account in '\(Sanitizer.inline(text, limit: 40))' is too long")
    }
  }

  /// An id as the store wrote it: split at the first `/`, as it always was. An older AuthDeck let
  /// an account hold `/`; such sessions stay readable (and can be logged out), though no new one
  /// can be made.
  public init?(stored text: String) {
    guard let slash = text.firstIndex(of: "/"), slash != text.startIndex else { return nil }
    let provider = String(text[..<slash])
    let account = String(text[text.index(after: slash)...])
    guard ProviderID.isValid(provider), !account.isEmpty,
      !account.unicodeScalars.contains(where: Sanitizer.isUnsafe)
    else { return nil }
    self.init(provider: provider, account: account)
  }

  /// NFC. ASCII (nearly every id) is NFC already, and `authdeck token` pays nothing for it.
  static func normalized(_ account: String) -> String {
    account.utf8.allSatisfy { $0 < 0x80 } ? account : account.precomposedStringWithCanonicalMapping
  }

  /// Several ids from the command line, each once, in the order first given.
  public static func parsing(all texts: [String]) throws(AuthDeckError) -> [SessionID] {
    var ids: [SessionID] = []
    for text in texts {
      let id = try SessionID(parsing: text)
      if !ids.contains(id) { ids.append(id) }
    }
    return ids
  }

  public var description: String { "\(provider)/\(account)" }

  public static func < (lhs: SessionID, rhs: SessionID) -> Bool {
    (lhs.provider, lhs.account) < (rhs.provider, rhs.account)
  }
}

public enum ProviderID {
  public static func isValid(_ id: String) -> Bool {
    !id.isEmpty && id.count <= 64
      && id.unicodeScalars.allSatisfy { scalar in
        // Plain ranges, not Unicode properties: those load tables that `authdeck token` cannot afford.
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
          || scalar == "-"
          || scalar == "_"
      }
  }
}
