import AuthDeckCore
import Foundation

/// What `authdeck wait` says on stderr: once when it starts waiting, and at its timeout.
public enum WaitText {
  /// "waiting for lime/main to be logged in (run: authdeck login lime/main, or log in on the
  /// board)"; through an agent, the login happens where the agent runs.
  public static func waiting(for ids: [SessionID], throughAgent: Bool = false) -> String {
    let command = ids.count == 1 ? "authdeck login \(ShellWord.quoted(ids[0]))" : "authdeck login ID"
    let place = throughAgent ? " where the agent runs, or log in on its board" : ", or log in on the board"
    return "waiting for \(list(ids.map(\.description))) to be logged in (run: \(command)\(place))"
  }

  /// "timed out after 30s; still to log in: lime/main (expired … (2h ago)), acme/x (has never logged in)"
  public static func timedOut(after timeout: TimeInterval, missing: [SessionWait.Missing], now: Date)
    -> String
  {
    let named = missing.map { "\($0.id) (\(reason($0, now: now)))" }
    return "timed out after \(DurationText.format(timeout)); still to log in: "
      + named.joined(separator: ", ")
  }

  static func reason(_ missing: SessionWait.Missing, now: Date) -> String {
    if missing.stored?.activePending(at: now) != nil { return "login under way" }
    return missing.reason.text(now: now)
  }

  /// "a", "a and b", "a, b and c".
  static func list(_ items: [String]) -> String {
    guard items.count > 1 else { return items.first ?? "" }
    return items.dropLast().joined(separator: ", ") + " and " + items.last!
  }
}
