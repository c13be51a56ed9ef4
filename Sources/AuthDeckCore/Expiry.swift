import Foundation

/// When a token really dies: the earliest of what the provider said (expires_in),
/// the provider's daily cutoff, and the token's own `exp` claim when it is a JWT.
public enum Expiry {
  public static func realExpiry(
    issuedAt: Date, expiresIn: TimeInterval?, dailyCutoff: DailyCutoff?, accessToken: String
  ) -> Date? {
    var candidates: [Date] = []
    if let expiresIn { candidates.append(issuedAt.addingTimeInterval(expiresIn)) }
    if let dailyCutoff { candidates.append(dailyCutoff.next(after: issuedAt)) }
    if let exp = JWT.expiry(of: accessToken) { candidates.append(exp) }
    return candidates.min()
  }
}

/// Just enough of JWT to read `exp`; the signature is the API's business, not ours.
public enum JWT {
  public static func expiry(of token: String) -> Date? {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let payload = Base64URL.decode(parts[1]),
      let exp = (try? JSONValue.parse(payload))?["exp"]?.number
    else { return nil }
    // An exp before 2000 or after 2200 is not a real token's: ignored rather than trusted.
    guard (946_684_800...7_258_118_400).contains(exp) else { return nil }
    return Date(timeIntervalSince1970: exp)
  }
}
