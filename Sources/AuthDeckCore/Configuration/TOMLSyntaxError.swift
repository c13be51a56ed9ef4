/// What toml++ says of a syntax error, in the words of someone editing the file: "unterminated
/// string" instead of "unescaped control characters other than TAB (U+0009) are explicitly
/// prohibited". Its message (`Error while parsing SCOPE: DETAIL`) is all it gives, so that is
/// what is read, with the character it stopped at; one without better words is kept as it is.
enum TOMLSyntaxError {
  static func words(_ message: String, in text: String, line: Int, column: Int) -> String {
    let prefix = "Error while parsing "
    guard message.hasPrefix(prefix), let colon = message.range(of: ": ") else { return message }
    let scope = String(message[message.index(message.startIndex, offsetBy: prefix.count)..<colon.lowerBound])
    let detail = String(message[colon.upperBound...])
    let quote = scope.contains("literal") ? "'" : "\""

    if detail.contains("control characters other than TAB") {
      guard atLineEnd(text, line: line, column: column) else {
        return quote == "'"
          ? "a control character in a 'literal' string; use a \"string\" and write it as an escape, like \\u0001"
          : "a control character in a string; write it as an escape, like \\t or \\u0001"
      }
      return "unterminated string: the closing \(quote) is missing"
    }
    if detail == "encountered end-of-file" {
      if scope.contains("string") { return "unterminated string: the file ends before the closing \(quote)" }
      if scope == "array" { return "unterminated array: the closing ] is missing" }
      if scope == "inline table" { return "unterminated inline table: the closing } is missing" }
      return "the file ends in the middle of a \(scope)"
    }
    if scope.hasSuffix("header"), detail.hasPrefix("expected ']'") {
      return "unterminated table header: the closing ] is missing"
    }
    if detail.hasPrefix("cannot redefine existing "), let name = lastQuoted(detail) {
      if scope.hasSuffix("header") {
        return detail.hasSuffix(" as table")
          ? "\(name) already has a value, so it cannot also be a table"
          : "the table [\(name)] appears twice; keep its keys under one"
      }
      return "duplicate key: \(name) is already set in this table"
    }
    if detail == "could not determine value type" {
      return "not a value: text goes in \"quotes\"; true, false and numbers go without"
    }
    if scope == "boolean" { return "not a value: true and false are written in lower case" }
    if scope == "key-value pair" {
      if detail.hasPrefix("expected value") { return "a key without a value: write key = value" }
      if detail.hasPrefix("expected '='") {
        return "expected = after the key (a key with spaces or other signs goes in \"quotes\")"
      }
      if detail.hasPrefix("expected a comment or whitespace") {
        return "more after the value: one key = value per line"
      }
    }
    if detail.hasPrefix("unknown escape sequence") {
      return "\(detail) in a string: write a backslash as \\\\, or use a 'literal' string"
    }
    if scope == "inline table", detail.hasPrefix("expected key or closing '}'"),
      atLineEnd(text, line: line, column: column)
    {
      return "unterminated inline table: the closing } is missing (an inline table stays on one line)"
    }
    return message
  }

  /// Whether toml++ stopped at the end of a line (or of the file): a string still open there
  /// lacks its closing quote. Columns count Unicode scalars from 1; a CR before the LF ends the
  /// line too.
  static func atLineEnd(_ text: String, line: Int, column: Int) -> Bool {
    let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
    guard line >= 1, line <= lines.count else { return true }
    let scalars = Array(lines[line - 1])
    let index = column - 1
    guard index >= 0, index < scalars.count else { return true }
    return scalars[index] == "\r" && index == scalars.count - 1
  }

  /// The last `'…'` in `text`: the name in "cannot redefine existing string 'client_id'".
  static func lastQuoted(_ text: String) -> String? {
    guard let end = text.lastIndex(of: "'") else { return nil }
    guard let start = text[..<end].lastIndex(of: "'") else { return nil }
    return String(text[text.index(after: start)..<end])
  }
}
