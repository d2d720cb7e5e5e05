/**
 * Seed 000's own message model (§3.3): the TypeScript mirror of
 * `lean/Hydrogen/Scale/SeedModel.lean`.
 *
 * The seed counts `n / k^i` messages at level `i` (floor division) and sums
 * them over `Nat.log k n + 1` levels. That is not a real tree (a real tree
 * rounds coordinator counts up; see `Communication.ts`), but the seed's bounds
 * hold in it. These functions exist so that the tests can restate the Lean
 * theorems about that model; nothing in the running system uses them.
 *
 * Lean's `Nat` is mirrored by a non-negative safe-integer `number`; `x / 0 = 0`
 * and `0^0 = 1` as in Lean. Arithmetic is exact (integer division on integers,
 * `bigint` where a sum can leave the safe range); a result beyond 2^53 − 1
 * throws a `RangeError` rather than rounding.
 */

const requireNat = (where: string, x: number): void => {
  if (!Number.isSafeInteger(x) || x < 0) throw new RangeError(`${where}: ${x} is not a natural number`);
};

const toSafe = (where: string, x: bigint): number => {
  if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${where}: ${x} exceeds 2^53 − 1`);
  return Number(x);
};

/** Exact floor division of naturals (`x / 0 = 0`). */
const div = (x: number, k: number): number => (k === 0 ? 0 : (x - (x % k)) / k);

/**
 * Messages sent from level `i` of the seed's floor model: `n / k^i`. Computed
 * as `i` successive floor divisions by `k` (equal, since `n / (a·b) = n / a / b`),
 * so `k^i` is never formed.
 *
 * @lean Hydrogen.Scale.messages_at_level
 */
export const messages_at_level = (n: number, k: number, i: number): number => {
  requireNat("messages_at_level", n);
  requireNat("messages_at_level", k);
  requireNat("messages_at_level", i);
  if (i === 0) return n;
  if (k === 0) return 0; // 0^i = 0 for i > 0, and n / 0 = 0
  if (k === 1) return n;
  let q = n;
  for (let j = 0; j < i && q > 0; j++) q = div(q, k);
  return q;
};

/**
 * The seed's total over `levels` levels: `Σ_{i < levels} n / k^i`.
 *
 * @lean Hydrogen.Scale.total_messages
 */
export const total_messages = (n: number, k: number, levels: number): number => {
  requireNat("total_messages", n);
  requireNat("total_messages", k);
  requireNat("total_messages", levels);
  if (levels === 0) return 0;
  if (k === 0) return n; // only the i = 0 term is non-zero
  if (k === 1) return toSafe("total_messages", BigInt(n) * BigInt(levels));
  let sum = 0n;
  let q = n;
  for (let i = 0; i < levels && q > 0; i++) {
    sum += BigInt(q);
    q = div(q, k);
  }
  return toSafe("total_messages", sum);
};

/**
 * `seedLog` with explicit fuel: `0` when the fuel is spent, `k ≤ 1` or `n < k`,
 * else one more than the log of `n / k`.
 *
 * @lean Hydrogen.Scale.seedLogAux
 */
export const seedLogAux = (k: number, fuel: number, n: number): number => {
  requireNat("seedLogAux", k);
  requireNat("seedLogAux", fuel);
  requireNat("seedLogAux", n);
  let e = 0;
  let x = n;
  for (let f = fuel; f > 0; f--) {
    if (k <= 1 || x < k) break;
    x = div(x, k);
    e++;
  }
  return e;
};

/**
 * The seed's `Nat.log k n`: the largest `e` with `k^e ≤ n` (0 when `k ≤ 1` or `n < k`).
 *
 * @lean Hydrogen.Scale.seedLog
 */
export const seedLog = (k: number, n: number): number => seedLogAux(k, n, n);
