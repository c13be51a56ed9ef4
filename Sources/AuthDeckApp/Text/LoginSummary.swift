import AuthDeckCore
import Foundation

public enum LoginSummary {
  /// "lime/main: valid until 2026-11-24 03:00 EST (5:12:09)"
  public static func line(_ session: Session, now: Date) -> String {
    guard let expiresAt = session.tokens?.expiresAt else {
      return "\(session.id): logged in, lifetime unknown (the provider gave no expiry)"
    }
    return
      "\(session.id): valid until \(TimeFormat.local(expiresAt)) (\(TimeFormat.countdown(expiresAt.timeIntervalSince(now))))"
  }
}
