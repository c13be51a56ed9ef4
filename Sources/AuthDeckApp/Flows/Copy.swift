import AuthDeckCore
import Foundation

/// Copying what a session holds to the clipboard: its access token, or the authorize URL of the
/// login it waits for (to log in from another machine). Read from the store, so what is copied
/// is what is stored now.
public enum Copy {
  public enum Outcome: Equatable, Sendable {
    case copied(CopiedItem, CopyResult)
    /// Nothing to copy (no token, no login waiting): what to say is the front end's.
    case nothing(CopiedItem)
    /// The store could not be read.
    case failed(AuthDeckError)
  }

  public static func token(of id: SessionID, store: SessionStore, clipboard: any ClipboardWriting, now: Date)
    -> Outcome
  {
    let stored: Session?
    do throws(AuthDeckError) { stored = try store.load(id) } catch { return .failed(error) }
    guard let tokens = stored?.tokens, tokens.expiresAt.map({ $0 > now }) ?? true else {
      return .nothing(.token(validUntil: nil))
    }
    return .copied(.token(validUntil: tokens.expiresAt), clipboard.copy(tokens.accessToken))
  }

  public static func loginURL(
    of id: SessionID, store: SessionStore, clipboard: any ClipboardWriting, now: Date
  )
    -> Outcome
  {
    let stored: Session?
    do throws(AuthDeckError) { stored = try store.load(id) } catch { return .failed(error) }
    guard let pending = stored?.activePending(at: now) else { return .nothing(.loginURL) }
    return .copied(.loginURL, clipboard.copy(pending.authorizeURL))
  }
}
