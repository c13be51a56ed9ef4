#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where state values and PKCE verifiers come from. Made at the edge and handed in,
/// so tests can be deterministic.
public protocol RandomSource: Sendable {
  func bytes(_ count: Int) -> [UInt8]
}

/// The kernel's CSPRNG.
public struct SystemRandom: RandomSource {
  public init() {}
  public func bytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()  // getrandom(2) on Linux, arc4random on Darwin
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
  }
}

/// Compares two secrets in time that depends only on their lengths.
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
  let x = Array(a.utf8)
  let y = Array(b.utf8)
  guard x.count == y.count else { return false }
  var difference: UInt8 = 0
  for i in 0..<x.count { difference |= x[i] ^ y[i] }
  return difference == 0
}
