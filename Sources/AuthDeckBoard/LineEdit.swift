import AuthDeckCore

/// The text of a prompt and where the cursor is in it (in characters), edited as a shell's
/// line is: ←/→, Home/End and ^A/^E move; ⌫ and Del delete around the cursor; ^W the word
/// before it, ^K the rest of the line, ^U the whole text. A pure value: the board keeps the
/// cursor beside the mode that holds the text.
struct LineEdit: Equatable {
  var text: String
  /// Characters before the cursor; the text's count when it is at the end.
  var cursor: Int

  init(_ text: String, cursor: Int? = nil) {
    self.text = text
    self.cursor = min(max(0, cursor ?? text.count), text.count)
  }

  /// The line after `key`; nil when the key is no edit (the caller ignores it).
  func applying(_ key: Key) -> LineEdit? {
    let characters = Array(text)
    let before = characters[..<cursor]
    let after = characters[cursor...]
    switch key {
    case .character(let c) where !c.unicodeScalars.contains(where: Sanitizer.isUnsafe):
      return LineEdit(String(before) + String(c) + String(after), cursor: cursor + 1)
    case .backspace:
      guard cursor > 0 else { return self }
      return LineEdit(String(before.dropLast()) + String(after), cursor: cursor - 1)
    case .delete:
      return LineEdit(String(before) + String(after.dropFirst()), cursor: cursor)
    case .left, .control("b"): return LineEdit(text, cursor: cursor - 1)
    case .right, .control("f"): return LineEdit(text, cursor: cursor + 1)
    case .home, .control("a"): return LineEdit(text, cursor: 0)
    case .end, .control("e"): return LineEdit(text, cursor: characters.count)
    case .control("u"): return LineEdit("")
    case .control("k"): return LineEdit(String(before), cursor: cursor)
    case .control("w"):
      // The spaces before the cursor, then the word.
      let kept = before.reversed().drop { $0 == " " }.drop { $0 != " " }.reversed()
      return LineEdit(String(kept) + String(after), cursor: kept.count)
    default:
      return nil
    }
  }

  /// `inserted` put in at the cursor, which moves past it (a paste).
  func inserting(_ inserted: String) -> LineEdit {
    let characters = Array(text)
    return LineEdit(
      String(characters[..<cursor]) + inserted + String(characters[cursor...]),
      cursor: cursor + inserted.count)
  }
}
