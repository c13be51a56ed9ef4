import AuthDeckBoard
import AuthDeckCore
import AuthDeckNet
import Foundation
import Synchronization

/// The configuration file, watched while the board is open: a `stat` a second, and when its
/// mtime moved (or it appeared: the first-run screen asks for it), it is read again. A good one
/// is applied at once (the runner's service, the board's providers); a bad one is said, with
/// where, and the last good one stays.
public final class ConfigurationWatch: Sendable {
  let path: String
  /// The token service for the file as it is now (the store and the environment stay).
  let load: @Sendable () throws(AuthDeckError) -> TokenService
  private let stamp: Mutex<FileStamp?>

  public init(path: String, load: @escaping @Sendable () throws(AuthDeckError) -> TokenService) {
    self.path = path
    self.load = load
    stamp = Mutex(FolderWatcher.stamp(of: path))
  }

  /// The new service when the file changed and reads well; the error when it changed and does not.
  func check() -> Result<TokenService, AuthDeckError>? {
    let now = FolderWatcher.stamp(of: path)
    let moved = stamp.withLock { old -> Bool in
      defer { old = now }
      return now != old
    }
    guard moved, now != nil else { return nil }
    do throws(AuthDeckError) { return .success(try load()) } catch { return .failure(error) }
  }
}

extension EffectRunner {
  /// Called once a second with the board's watch (none for the demo, whose configuration is
  /// its own): applies a configuration that changed.
  public func checkConfiguration(_ watch: ConfigurationWatch?) {
    guard let watch, current.demo == nil else { return }
    work.async { [self] in
      switch watch.check() {
      case .success(let service):
        replaceService(service)
        sink.post(.configurationChanged(service.configuration))
        checkProviders()
      case .failure(let error):
        // What stays first; with no provider yet (the first-run screen), nothing stays.
        let stays =
          current.service.configuration.providers.isEmpty
          ? "configuration not applied yet: " : "configuration not applied, the last good one stays: "
        sink.post(.notice(stays + error.description, isError: true))
      case nil:
        break
      }
    }
  }
}
