import AuthDeckCore
import Foundation

/// What the board tells ahead of time, each once: a provider's daily cutoff, and the end of a
/// session that cannot be renewed, each `lead` before it happens. A plain value told candidates
/// and instants; like `KeepAlive`, it keeps the next instant to look again, so that an idle
/// tick costs one comparison.
public struct Reminders: Equatable, Sendable {
  public enum Event: Hashable, Sendable {
    /// A provider's daily cutoff, at `at`.
    case cutoff(provider: String, at: Date)
    /// The end of a session that cannot be renewed.
    case expiry(SessionID, at: Date)
    /// The end of a session's refresh token: after it, only a browser login renews it.
    case refreshEnd(SessionID, at: Date)

    public var at: Date {
      switch self {
      case .cutoff(_, let at), .expiry(_, let at), .refreshEnd(_, let at): return at
      }
    }
  }

  /// An event that may be told, `lead` before it happens.
  public struct Candidate: Equatable, Sendable {
    public var event: Event
    public var lead: TimeInterval

    public init(_ event: Event, lead: TimeInterval) {
      self.event = event
      self.lead = lead
    }

    public var tellAt: Date { event.at.addingTimeInterval(-lead) }
  }

  /// An instant to the whole second, as an event is known by: a session's end read back from
  /// the store differs from the copy in memory by a rounding, and must not be told again.
  public static func second(_ date: Date) -> Date {
    Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded())
  }

  /// Events already told (or passed over); forgotten once they have happened.
  public private(set) var told: Set<Event> = []
  /// When to look again; meaningful while `isStale` is false.
  public private(set) var nextCheck: Date?
  public private(set) var isStale = true

  public init() {}

  /// Sessions or providers changed: the candidates are looked at again on the next tick.
  public mutating func invalidate() { isStale = true }

  public func mayBeDue(at now: Date) -> Bool { isStale || nextCheck.map { $0 <= now } ?? false }

  /// The candidates to tell at `now`, each once, and never after it has happened (a board
  /// opened within the lead time tells at once). Sets when to look again: the next one's
  /// instant to tell, or the end of one told (tomorrow's cutoff comes up then).
  public mutating func due(_ candidates: [Candidate], at now: Date) -> [Event] {
    told = told.filter { $0.at > now }
    var dueNow: [Event] = []
    var next: Date?
    func later(_ date: Date) { next = next.map { min($0, date) } ?? date }
    for candidate in candidates where candidate.event.at > now {
      if told.contains(candidate.event) {
        later(candidate.event.at)
      } else if candidate.tellAt <= now {
        told.insert(candidate.event)
        dueNow.append(candidate.event)
        later(candidate.event.at)
      } else {
        later(candidate.tellAt)
      }
    }
    nextCheck = next
    isStale = false
    return dueNow
  }
}
