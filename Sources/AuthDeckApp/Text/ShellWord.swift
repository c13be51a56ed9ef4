import AuthDeckCore

/// A word as a command the user is told to run shows it: as it is when a shell would read it
/// back the same, else in single quotes (`authdeck login 'lime/has space'`), so that pasting
/// the command runs what was meant.
enum ShellWord {
  static func quoted(_ word: String) -> String {
    let plain =
      !word.isEmpty
      && word.unicodeScalars.allSatisfy { scalar in
        scalar.isASCII
          ? (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
            || "@%+=:,./_-".unicodeScalars.contains(scalar))
          : !Sanitizer.isUnsafe(scalar) && !scalar.properties.isWhitespace
      }
    return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  static func quoted(_ id: SessionID) -> String { quoted(id.description) }
}
