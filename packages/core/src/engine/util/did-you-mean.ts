/**
 * The candidate nearest to `input`, or undefined when none is close enough to be a likely typo.
 * Distance is the optimal-string-alignment edit distance (a transposition counts as one edit), compared
 * case-insensitively; a candidate is close when the distance is at most max(1, ⌊len/3⌋), or when one
 * string is a prefix of the other (`guide` → `guided`).
 *
 * @example
 * didYouMean('colored-mnst', ['colored-mnist', 'modelnet40']); // 'colored-mnist'
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    if (c === needle) return candidate;
    const d = editDistance(needle, c);
    const limit = Math.max(1, Math.floor(Math.max(needle.length, c.length) / 3));
    const prefix = needle.length >= 3 && (c.startsWith(needle) || needle.startsWith(c));
    if ((d <= limit || prefix) && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j]!;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * cols + j] = v;
    }
  }
  return at(a.length, b.length);
}
