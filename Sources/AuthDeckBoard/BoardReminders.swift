import AuthDeckCore
import Foundation

/// Notifications on the board: which cutoffs and session ends `Reminders` is told about, and
/// what a notification says when one is due (on the status line and as a `.notify` effect).
extension BoardState {
  /// Every cutoff and session end that may be told about now: providers with a daily cutoff,
  /// sessions that cannot be renewed, and refresh tokens that reach their end, of providers
  /// that notify. A session that ends at its
  /// provider's cutoff is told about with the cutoff, not once more on its own.
  func reminderCandidates() -> [Reminders.Candidate] {
    var candidates: [Reminders.Candidate] = []
    var cutoffs: [String: Date] = [:]
    for provider in providers {
      guard let lead = provider.notifyBefore, let rule = provider.dailyExpiry else { continue }
      let at = rule.next(after: now)
      cutoffs[provider.id] = at
      candidates.append(Reminders.Candidate(.cutoff(provider: provider.id, at: at), lead: lead))
    }
    for session in sessions {
      guard let expiresAt = session.tokens?.expiresAt, expiresAt > now,
        let lead = provider(session.id.provider)?.notifyBefore, !isRenewable(session),
        cutoffs[session.id.provider].map({ abs($0.timeIntervalSince(expiresAt)) >= 1 }) ?? true
      else { continue }
      candidates.append(Reminders.Candidate(.expiry(session.id, at: Reminders.second(expiresAt)), lead: lead))
    }
    for session in sessions {
      guard let end = session.refreshEnds(after: now),
        let lead = provider(session.id.provider)?.refreshNotifyBefore
      else { continue }
      candidates.append(Reminders.Candidate(.refreshEnd(session.id, at: Reminders.second(end)), lead: lead))
    }
    return candidates
  }

  /// The notifications due at `now`, each once; said on the status line too.
  mutating func reminderEffects() -> [BoardEffect] {
    guard reminders.mayBeDue(at: now) else { return [] }
    let due = reminders.due(reminderCandidates(), at: now).compactMap { notification(for: $0) }
    // Many at once (the board opened in the morning, a batch of logins an hour ago): one
    // notification that names them, not a burst of them and their bells.
    guard due.count > Self.remindersApart else {
      return due.map { title, body in
        say("\(title): \(body)")
        return .notify(title: title, body: body)
      }
    }
    let title = "\(due.count) sessions end soon"
    let named = due.prefix(3).map(\.title).joined(separator: "; ")
    let body =
      named + (due.count > 3 ? "; and \(due.count - 3) more" : "")
      + "; log in again on the board (\(KeyBindings.label(.login)))"
    say("\(title): \(body)")
    return [.notify(title: title, body: body)]
  }

  /// How many notifications due at once are still sent one by one.
  static let remindersApart = 2

  /// What to say about `event`; nil for a cutoff that ends no session that a person must log in.
  func notification(for event: Reminders.Event) -> (title: String, body: String)? {
    // "in 9m" with 8:59 left: whole minutes, rounded up.
    let left = TimeFormat.roughDuration(Int((event.at.timeIntervalSince(now) / 60).rounded(.up)) * 60)
    switch event {
    case .cutoff(let id, let at):
      guard let provider = provider(id), let rule = provider.dailyExpiry else { return nil }
      let ending = sessions.filter { session in
        guard session.id.provider == id, let end = session.tokens?.expiresAt else { return false }
        return end > now && end <= at.addingTimeInterval(1) && !isRenewable(session)
      }.map(\.id.description)
      guard !ending.isEmpty else { return nil }
      let shown =
        ending.prefix(3).joined(separator: ", ") + (ending.count > 3 ? " and \(ending.count - 3) more" : "")
      let name = Sanitizer.inline(provider.name, limit: 40)
      return (
        "\(name) cutoff in \(left)",
        "every \(name) token ends at \(rule.shortDescription); \(Sanitizer.inline(shown, limit: 160)) will need a login"
      )
    case .refreshEnd(let id, let at):
      let shownID = Sanitizer.inline(id.description, limit: 80)
      let within = TimeFormat.shortDuration(at.timeIntervalSince(now).rounded(.up))
      return (
        "\(shownID) needs a browser login within \(within)",
        "its refresh token ends \(BoardClock.short(at, now: now, in: timeZone)); after that only a login "
          + "renews it: log in again on the board (\(KeyBindings.label(.login)))"
      )
    case .expiry(let id, let at):
      let shownID = Sanitizer.inline(id.description, limit: 80)
      return (
        "\(shownID) expires in \(left)",
        "it ends at \(BoardClock.clock(at, in: timeZone).prefix(5)) and cannot be renewed; log in again on the board (\(KeyBindings.label(.login)))"
      )
    }
  }
}
