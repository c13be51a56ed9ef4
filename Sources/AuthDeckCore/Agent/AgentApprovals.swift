import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A caller the agent asks the board about (`agent = "confirm"`).
public struct AgentApprovalRequest: Sendable, Equatable {
  /// The request's name in the folder: unique, and nothing but letters, digits and `-`.
  public var number: String
  public var provider: String
  /// Who asks, in words ("pid 4242 (curl)", "a forwarded connection (ssh, pid 4242)").
  public var caller: String
  public var askedAt: Date

  public init(number: String, provider: String, caller: String, askedAt: Date) {
    self.number = number
    self.provider = provider
    self.caller = caller
    self.askedAt = askedAt
  }
}

/// `agent = "confirm"`: the agent asks the open board, through files in the store's agent
/// folder that only this user can reach: `requests/N.request` (the question), `requests/N.answer`
/// (`allow` or `refuse`, written by the board). An open board holds `board.lock` (flock) for as
/// long as it runs, so the agent knows without asking whether anyone can answer.
public enum AgentApprovals {
  /// How long a question waits for its answer; then it counts as refused.
  public static let lifetime: TimeInterval = 60

  public static func folder(of store: SessionStore) -> String { AgentServed.folder(of: store) + "/requests" }
  static func boardLock(of store: SessionStore) -> String { AgentServed.folder(of: store) + "/board.lock" }

  static func makeFolders(_ store: SessionStore) {
    mkdir(store.root, 0o700)
    mkdir(AgentServed.folder(of: store), 0o700)
    mkdir(folder(of: store), 0o700)
  }

  /// The board's side: holds the lock while the process lives (the descriptor is never closed;
  /// the kernel lets go when the board exits). Nil when it cannot be taken.
  @discardableResult
  public static func holdBoardLock(_ store: SessionStore) -> Int32? {
    makeFolders(store)
    let fd = open(boardLock(of: store), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return nil }
    guard flock(fd, LOCK_SH | LOCK_NB) == 0 else {
      close(fd)
      return nil
    }
    return fd
  }

  /// The agent's side: whether a board holds the lock now.
  public static func isBoardOpen(_ store: SessionStore) -> Bool {
    let fd = open(boardLock(of: store), O_RDWR | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    if flock(fd, LOCK_EX | LOCK_NB) == 0 {
      flock(fd, LOCK_UN)
      return false
    }
    return true
  }

  public static func ask(_ request: AgentApprovalRequest, in store: SessionStore) {
    makeFolders(store)
    let text = JSONValue.object([
      "provider": .string(request.provider), "caller": .string(request.caller),
      "asked_at": .number(request.askedAt.timeIntervalSince1970),
    ]).serialized
    write(text, to: folder(of: store) + "/\(request.number).request")
  }

  /// The questions without an answer yet, oldest first, younger than `lifetime`.
  public static func pending(in store: SessionStore, now: Date) -> [AgentApprovalRequest] {
    let folder = folder(of: store)
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
    var requests: [AgentApprovalRequest] = []
    for name in names where name.hasSuffix(".request") {
      let number = String(name.dropLast(".request".count))
      guard isNumber(number), !names.contains(number + ".answer"),
        let data = FileManager.default.contents(atPath: folder + "/" + name),
        let value = try? JSONValue.parse(Array(data)), let provider = value["provider"]?.string,
        let caller = value["caller"]?.string, let at = value["asked_at"]?.number
      else { continue }
      let askedAt = Date(timeIntervalSince1970: at)
      guard now.timeIntervalSince(askedAt) < lifetime else { continue }
      requests.append(
        AgentApprovalRequest(
          number: number, provider: Sanitizer.inline(provider, limit: 60),
          caller: Sanitizer.inline(caller, limit: 80),
          askedAt: askedAt))
    }
    return requests.sorted { $0.askedAt < $1.askedAt }
  }

  /// The board's answer.
  public static func answer(_ number: String, allow: Bool, in store: SessionStore) {
    guard isNumber(number) else { return }
    write(allow ? "allow" : "refuse", to: folder(of: store) + "/\(number).answer")
  }

  /// The answer written for `number`, if any: true to allow.
  public static func answer(of number: String, in store: SessionStore) -> Bool? {
    guard let data = FileManager.default.contents(atPath: folder(of: store) + "/\(number).answer") else {
      return nil
    }
    return String(decoding: data, as: UTF8.self) == "allow"
  }

  public static func remove(_ number: String, in store: SessionStore) {
    unlink(folder(of: store) + "/\(number).request")
    unlink(folder(of: store) + "/\(number).answer")
  }

  static func isNumber(_ text: String) -> Bool {
    !text.isEmpty && text.count <= 64
      && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
  }

  /// Written whole under a temporary name, then renamed: a reader never sees half of it.
  static func write(_ text: String, to path: String) {
    let temporary = path + ".tmp"
    guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else { return }
    if rename(temporary, path) != 0 { unlink(temporary) }
  }
}
