import AuthDeckCore
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

// Helpers every test target uses: error kinds, fixed instants, temp dirs, file bytes and modes.

// MARK: Errors

extension AuthDeckError {
  /// The case, without its message, so a test can say which kind of failure it expects.
  public var kind: String {
    switch self {
    case .usage: return "usage"
    case .unknownSession: return "unknownSession"
    case .grantRefused: return "grantRefused"
    case .config: return "config"
    case .store: return "store"
    case .redirect: return "redirect"
    case .provider: return "provider"
    case .network: return "network"
    case .loginRequired: return "loginRequired"
    case .agent: return "agent"
    case .other: return "other"
    }
  }

  /// Why a login is needed, when that is what it says.
  public var loginReason: LoginReason? { loginRequired?.reason }
}

/// `#require` for the shared helpers: the value, or an error the test reports with `message`.
/// This target is an ordinary library that a plain `swift build` builds too (release, static
/// runtime included), where the Testing module is not there: it must not import Testing.
public func required<T>(_ value: T?, _ message: @autoclosure () -> String) throws -> T {
  guard let value else { throw TestServerError(message: message()) }
  return value
}

/// `#require` of a condition, for the shared helpers (see `required(_:_:)`).
public func required(_ condition: Bool, _ message: @autoclosure () -> String) throws {
  guard condition else { throw TestServerError(message: message()) }
}

/// The error `body` throws, or nil when it returns normally.
public func thrownError<T>(_ body: () throws(AuthDeckError) -> T) -> AuthDeckError? {
  do {
    _ = try body()
    return nil
  } catch {
    return error
  }
}

// MARK: Time

/// An instant written in UTC, independent of the host's zone.
public func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0, _ second: Int = 0)
  -> Date
{
  var calendar = Calendar(identifier: .gregorian)
  calendar.timeZone = TimeZone(identifier: "UTC")!
  let components = DateComponents(
    year: year, month: month, day: day, hour: hour, minute: minute, second: second)
  return calendar.date(from: components)!
}

// MARK: Temp dirs and files

/// A fresh private directory under the system temp dir, removed after `body` (even when it throws).
public func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
  let path = makeTemporaryDirectory()
  defer { try? FileManager.default.removeItem(atPath: path) }
  return try body(path)
}

/// A fresh 0700 directory; the caller removes it.
public func makeTemporaryDirectory() -> String {
  let path = FileManager.default.temporaryDirectory
    .appendingPathComponent("authdeck-tests-\(UUID().uuidString)", isDirectory: true).path
  mkdir(path, 0o700)
  chmod(path, 0o700)
  return path
}

/// Permission bits of a path (without following a final symlink).
public func mode(of path: String) -> mode_t? {
  var info = stat()
  guard lstat(path, &info) == 0 else { return nil }
  return info.st_mode & 0o7777
}

public func readBytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

/// Writes bytes and sets the mode explicitly, so the test does not depend on the umask.
/// Returns false when the mode could not be set.
@discardableResult
public func writeFile(_ path: String, _ data: Data, mode: mode_t = 0o600) throws -> Bool {
  try data.write(to: URL(fileURLWithPath: path))
  return chmod(path, mode) == 0
}

@discardableResult
public func writeFile(_ path: String, _ text: String, mode: mode_t = 0o600) throws -> Bool {
  try writeFile(path, Data(text.utf8), mode: mode)
}

// MARK: Notices

/// Records what a token service tells (`TokenService.notices`), for a test to look at.
public final class NoticeRecorder: Sendable {
  private let seen = Mutex<[ProviderNotice]>([])

  public init() {}

  public func add(_ notice: ProviderNotice) { seen.withLock { $0.append(notice) } }
  public var all: [ProviderNotice] { seen.withLock { $0 } }
}
