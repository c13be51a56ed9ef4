import Foundation

/// When a token really dies, on the local clock. A laptop that slept, a VM, a server without
/// NTP: the local clock may be minutes or hours off the provider's, so what the provider says in
/// its own clock (a JWT's `exp` and `iat`, its `Date` header) is turned into a lifetime measured
/// from the answer's arrival, here. The daily cutoff is wall-clock time and stays so.
public enum Expiry {
  /// The earliest of: `expires_in` after `issuedAt` (the answer's arrival); the JWT's lifetime
  /// (`exp - iat`) after it; the JWT's `exp` moved onto the local clock by the measured skew
  /// (`providerTime`, the answer's `Date`) when it has no `iat`; and the daily cutoff. A bare
  /// `exp` with no way to place it counts only when nothing else is known.
  public static func realExpiry(
    issuedAt: Date, expiresIn: TimeInterval?, dailyCutoff: DailyCutoff?, accessToken: String,
    providerTime: Date? = nil
  ) -> Date? {
    var candidates: [Date] = []
    if let expiresIn { candidates.append(issuedAt.addingTimeInterval(expiresIn)) }
    let claims = JWT.claims(of: accessToken)
    var bareExp: Date?
    if let exp = claims.exp {
      if let iat = claims.iat, exp > iat {
        candidates.append(issuedAt.addingTimeInterval(exp.timeIntervalSince(iat)))
      } else if let providerTime {
        candidates.append(exp.addingTimeInterval(issuedAt.timeIntervalSince(providerTime)))
      } else {
        bareExp = exp
      }
    }
    if let dailyCutoff { candidates.append(dailyCutoff.next(after: issuedAt)) }
    return candidates.min() ?? bareExp
  }

  /// How far the local clock is ahead of the provider's (negative: behind), from an answer
  /// that arrived at `issuedAt`: its `Date` header, else the access token's `iat`. Nil when
  /// neither says.
  public static func clockSkew(issuedAt: Date, providerTime: Date?, accessToken: String) -> TimeInterval? {
    guard let reference = providerTime ?? JWT.claims(of: accessToken).iat else { return nil }
    return issuedAt.timeIntervalSince(reference).rounded()
  }

  /// Skew under this is the network's delay and the clocks' seconds, not worth a word.
  public static let noticeableSkew: TimeInterval = 120
}

/// Just enough of JWT to read `exp` and `iat`; the signature is the API's business, not ours.
public enum JWT {
  public static func expiry(of token: String) -> Date? { claims(of: token).exp }

  /// `exp` and `iat` (seconds since 1970), each nil when absent or implausible.
  public static func claims(of token: String) -> (exp: Date?, iat: Date?) {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let payload = Base64URL.decode(parts[1]),
      let object = try? JSONValue.parse(payload)
    else { return (nil, nil) }
    // A time before 2000 or after 2200 is not a real token's: ignored rather than trusted.
    func instant(_ name: String) -> Date? {
      guard let value = object[name]?.number, (946_684_800...7_258_118_400).contains(value) else {
        return nil
      }
      return Date(timeIntervalSince1970: value)
    }
    return (instant("exp"), instant("iat"))
  }
}
