/// A session is one account at one provider, written `provider/account` (e.g. `lime/main`).
public struct SessionID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let provider: String
  public let account: String

  public init(provider: String, account: String) {
    self.provider = provider
    self.account = account
  }

  /// Parses `provider/account`. The provider is a config table name; the account is free text
  /// (UTF-8 allowed) but never empty and never holds control characters.
  public init(parsing text: String) throws(AuthDeckError) {
    guard let slash = text.firstIndex(of: "/") else {
      throw .usage(
        "'\(Sanitizer.inline(text))' is not a session id: write it as provider/account, e.g. lime/main")
    }
    let provider = String(text[..<slash])
    let account = String(text[text.index(after: slash)...])
    guard ProviderID.isValid(provider) else {
      throw .usage("'\(Sanitizer.inline(provider))' is not a valid provider id (letters, digits, - and _)")
    }
    guard !account.isEmpty, account.count <= 100,
      !account.unicodeScalars.contains(where: Sanitizer.isUnsafe)  // controls, bidi overrides: never in an id
    else {
      throw .usage("the account in '\(Sanitizer.inline(text))' must be 1 to 100 printable characters")
    }
    self.init(provider: provider, account: account)
    // The id becomes a file name (see StoreFileName), and file names stop at 255 bytes.
    guard StoreFileName.encodedLength(self) <= 200 else {
      throw .usage("the account in '\(Sanitizer.inline(text, limit: 40))' is too long")
    }
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
