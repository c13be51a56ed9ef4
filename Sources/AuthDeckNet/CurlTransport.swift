import AuthDeckCore
import CCurl
import Foundation

/// HTTP through libcurl: certificates verified, http only to loopback, no redirects followed,
/// a total deadline, bodies over the cap refused while they stream, HTTPS_PROXY honoured
/// (libcurl reads https_proxy / HTTPS_PROXY / NO_PROXY itself).
public struct CurlTransport: HTTPTransport {
  public init() {}

  public func send(_ request: HTTPRequest) throws(AuthDeckError) -> HTTPResponse {
    let scheme = request.url.scheme?.lowercased()
    guard scheme == "https" || (scheme == "http" && Loopback.isLoopbackHost(request.url.host)) else {
      throw .network("refusing to send a request over plain http to \(request.url.host ?? "?")")
    }
    let host = request.url.host ?? "?"
    let headerLines = request.headers.map { "\($0.0): \($0.1)" }
    var response = ad_http_response()
    withCStrings(headerLines) { headerPointers in
      request.method.withCString { method in
        request.url.absoluteString.withCString { url in
          withOptionalCString(request.caFile) { caFile in
            request.body.withUnsafeBytes { body in
              var raw = ad_http_request(
                method: method, url: url, headers: headerPointers.baseAddress,
                header_count: headerPointers.count,
                body: body.baseAddress?.assumingMemoryBound(to: CChar.self), body_length: body.count,
                ca_file: caFile, timeout_ms: Int(request.deadline * 1000),
                connect_timeout_ms: Int(min(request.deadline, 10) * 1000),
                max_body_bytes: request.maxBodyBytes)
              ad_http_perform(&raw, &response)
            }
          }
        }
      }
    }
    defer { ad_http_response_free(&response) }
    let reason = Sanitizer.inline(
      withUnsafeBytes(of: response.error_message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) })
    switch Int(response.error_kind) {
    case Int(AD_HTTP_OK):
      let body = response.body.map { Data(bytes: $0, count: response.body_length) } ?? Data()
      return HTTPResponse(
        status: response.status, contentType: response.content_type.map { String(cString: $0) }, body: body,
        location: response.location.map { String(cString: $0) },
        date: response.date.flatMap { HTTPDate.parse(String(cString: $0)) })
    case Int(AD_HTTP_TIMEOUT):
      throw .network("\(host) did not answer within \(Int(request.deadline)) s")
    case Int(AD_HTTP_TOO_LARGE):
      throw .network("\(host) sent more than \(request.maxBodyBytes / 1024) KiB; refused")
    case Int(AD_HTTP_CONNECT):
      throw .network("could not reach \(host): \(reason)")
    case Int(AD_HTTP_TLS):
      let hint = request.caFile.map { "check ca_file \($0)" } ?? "set ca_file for a private CA"
      throw .network("TLS with \(host) failed: \(reason) (\(hint))")
    case Int(AD_HTTP_PROXY):
      throw .network("the proxy did not connect to \(host): \(reason) (see HTTPS_PROXY / NO_PROXY)")
    case Int(AD_HTTP_UNAVAILABLE):
      throw .network(reason)
    default:
      throw .network("request to \(host) failed: \(reason)")
    }
  }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R)
  -> R
{
  let copies = strings.map { strdup($0) }
  defer { copies.forEach { free($0) } }
  let pointers = copies.map { UnsafePointer($0) }
  return pointers.withUnsafeBufferPointer(body)
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
  guard let string else { return body(nil) }
  return string.withCString(body)
}
