import Foundation

/// Durations as people write them on a command line: `90s`, `15m`, `2h`, `1h30m`, `2d`.
/// Units from the largest to the smallest, each at most once; no unit-less numbers (is `2` two
/// seconds or two hours?).
public enum DurationText {
  static let units: [(letter: Character, seconds: Int)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

  /// What to write instead, for the message about a duration that could not be read.
  public static let hint = "write a duration like 90s, 15m, 2h or 1h30m"

  /// The seconds `text` stands for, or nil when it is not a duration.
  public static func parse(_ text: String) -> TimeInterval? {
    var total = 0
    var digits = ""
    var nextUnit = 0  // units must come largest first, each once
    for character in text {
      if character.isASCII, character.isNumber {
        digits.append(character)
        continue
      }
      guard !digits.isEmpty, digits.count <= 9, let value = Int(digits),
        let index = units[nextUnit...].firstIndex(where: { $0.letter == character })
      else { return nil }
      total += value * units[index].seconds
      nextUnit = index + 1
      digits = ""
    }
    guard digits.isEmpty, !text.isEmpty else { return nil }
    return TimeInterval(total)
  }

  /// `2h`, `1h30m`, `90s` → `1m30s`: the shortest way to write a whole number of seconds.
  public static func format(_ seconds: TimeInterval) -> String {
    var rest = Int(min(max(0, seconds.rounded(.down)), 1e12))
    guard rest > 0 else { return "0s" }
    var out = ""
    for unit in units where rest >= unit.seconds {
      out += "\(rest / unit.seconds)\(unit.letter)"
      rest %= unit.seconds
    }
    return out
  }
}
