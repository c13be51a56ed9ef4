import AuthDeckCore
import Foundation

/// The short pages the browser sees after the loopback redirect. Nothing from the request
/// is echoed; messages are sanitized and HTML-escaped.
public enum LoopbackPages {
  public static func success(_ id: SessionID) -> ServerResponse {
    .html(
      200,
      page(
        title: "Logged in",
        body: "AuthDeck has the token for \(escape(id.description)). You can close this tab."))
  }

  public static func failure(_ reason: String) -> ServerResponse {
    .html(
      400,
      page(
        title: "Login not completed",
        body: escape(Sanitizer.inline(reason, limit: 200)) + "<br>Details are in AuthDeck."))
  }

  static func page(title: String, body: String) -> String {
    """
    <!doctype html><html><head><meta charset="utf-8"><title>AuthDeck: \(title)</title>
    <style>body{font:16px system-ui,sans-serif;margin:4em auto;max-width:32em;color:#222}</style></head>
    <body><h1>\(title)</h1><p>\(body)</p></body></html>
    """
  }

  static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "&": out += "&amp;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(character)
      }
    }
    return out
  }
}

/// What a loopback listener makes of one request (RFC 8252 §7.3): nil for anything but a GET on
/// the redirect's path (answered with a 404 that echoes nothing), else the redirect it carries
/// or why it is none. Shared by `authdeck login` and the board.
public enum LoopbackRedirect {
  public static let notFound = ServerResponse.text(404, "Not found\n")

  public static func redirect(in request: ServerRequest, redirectURI: URL) -> Result<Redirect, AuthDeckError>?
  {
    let path = redirectURI.path.isEmpty ? "/" : redirectURI.path
    guard request.method == "GET", request.path == path else { return nil }
    do throws(AuthDeckError) {
      return .success(try Redirect(pasted: Loopback.origin(of: redirectURI) + request.target))
    } catch {
      return .failure(error)
    }
  }
}
