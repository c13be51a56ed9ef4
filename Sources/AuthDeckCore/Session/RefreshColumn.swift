import Foundation

/// How long a session can still be renewed without a person, in a few characters, as the
/// board's and `list`'s REFRESH column show it: `yes` (no known end, or client credentials),
/// `6d`, `3h`, `45m` while its refresh token lives, `no` when it has none or it has ended.
public enum RefreshColumn {
  public static func text(_ session: Session, now: Date) -> String {
    guard session.refreshable(at: now) else { return "no" }
    guard let end = session.refreshEnds(after: now) else { return "yes" }
    return TimeFormat.shortDuration(end.timeIntervalSince(now))
  }
}
