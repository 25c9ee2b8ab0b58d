/// At most `limit` indices of `count`, evenly spaced (deterministic), so a scatter plot of
/// a large set stays a small file; all indices when `count` ≤ `limit`.
func scatterSample(count: Int, limit: Int = 2000) -> [Int] {
    guard count > limit else { return Array(0..<count) }
    return (0..<limit).map { $0 * count / limit }
}
