import Foundation

/// Which sessions the agent handed out recently, and to whom: a small file in the store's
/// `agent` folder (`<store>/agent/served.json`), replaced whole, that the board reads when the
/// folder changes. Never a token: ids, times and who asked.
public enum AgentServed {
  public struct Entry: Sendable, Equatable {
    public var at: Date
    public var forwarded: Bool
    public var program: String?

    public init(at: Date, forwarded: Bool, program: String?) {
      self.at = at
      self.forwarded = forwarded
      self.program = program
    }
  }

  /// The folder the agent and the board share: what was served, and approvals asked.
  public static func folder(of store: SessionStore) -> String { store.root + "/agent" }

  public static func path(in store: SessionStore) -> String { folder(of: store) + "/served.json" }

  public static func read(from store: SessionStore) -> [SessionID: Entry] {
    guard let data = FileManager.default.contents(atPath: path(in: store)),
      let value = try? JSONValue.parse(Array(data)), case .object(let served)? = value["served"]
    else { return [:] }
    var entries: [SessionID: Entry] = [:]
    for (key, entry) in served {
      guard let id = SessionID(stored: key), let at = entry["at"]?.number else { continue }
      let forwarded = entry["forwarded"] == .bool(true)
      entries[id] = Entry(
        at: Date(timeIntervalSince1970: at), forwarded: forwarded,
        program: entry["program"]?.string.map { Sanitizer.inline($0, limit: 32) })
    }
    return entries
  }

  /// Writes `entries` (the newest per session), replacing the file atomically.
  public static func write(_ entries: [SessionID: Entry], to store: SessionStore) {
    var served: [String: JSONValue] = [:]
    for (id, entry) in entries {
      served[id.description] = .object([
        "at": .number(entry.at.timeIntervalSince1970), "forwarded": .bool(entry.forwarded),
        "program": entry.program.map(JSONValue.string) ?? .null,
      ])
    }
    let text = JSONValue.object(["version": .number(1), "served": .object(served)]).serialized
    mkdir(folder(of: store), 0o700)
    let target = path(in: store)
    let temporary = target + ".\(getpid()).tmp"
    guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else { return }
    if rename(temporary, target) != 0 { unlink(temporary) }
  }
}
