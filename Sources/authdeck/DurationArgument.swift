import AuthDeckCore
import Foundation

/// A duration on the command line (`--min-valid 2h`, `--timeout 90s`). A bad one is refused
/// the argument parser's usual way: "The value '2x' is invalid for '--min-valid <duration>': …",
/// exit 64.
enum DurationArgument {
  @Sendable static func parse(_ text: String) throws -> TimeInterval {
    guard let seconds = DurationText.parse(text) else { throw AuthDeckError.usage(DurationText.hint) }
    return seconds
  }
}
