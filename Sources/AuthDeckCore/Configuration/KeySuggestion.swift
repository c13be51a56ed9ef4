/// The known key a misspelled one was meant to be (`client_secert_env`: `client_secret_env`),
/// so that an error can name one key instead of listing them all.
public enum KeySuggestion {
  /// The closest of `known` to `key`, when it is close: at most two edits, or a third of
  /// `key`'s length (`authorization_url` is five edits from `authorize_url`). Case is ignored;
  /// a tie goes to the first in sorted order.
  public static func closest(to key: String, in known: some Collection<String>) -> String? {
    let typed = Array(key.lowercased())
    let limit = max(2, typed.count / 3)
    var best: (key: String, distance: Int)?
    for candidate in known.sorted() {
      let distance = self.distance(typed, Array(candidate.lowercased()))
      if distance <= limit, distance < best?.distance ?? .max { best = (candidate, distance) }
    }
    return best?.key
  }

  /// Edits from `a` to `b`: an inserted, deleted or replaced character, or two neighbours
  /// swapped (`secert`, `secret`), each count one (optimal string alignment distance).
  static func distance(_ a: [Character], _ b: [Character]) -> Int {
    guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
    var before = [Int](repeating: 0, count: b.count + 1)  // row i - 2
    var previous = Array(0...b.count)  // row i - 1
    for i in 1...a.count {
      var current = [i] + [Int](repeating: 0, count: b.count)
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          current[j] = min(current[j], before[j - 2] + 1)
        }
      }
      (before, previous) = (previous, current)
    }
    return previous[b.count]
  }
}
