/** "Did you mean" support: the closest known name, across case and small edits alike. */

/**
 * Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters (the commonest typo, `flaot`) each cost 1. Three rows of memory.
 */
export function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, beforePrevious[j - 2]! + 1);
      }
      current.push(best);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * How far `name` is from `candidate`: the edit distance ignoring case, plus half an edit
 * when the case differs too. `Flaot64` is thus as near to `float64` (1.5) as `flaot64` is
 * (1), and of two candidates equally near, the one whose case matches wins.
 */
export function nameDistance(name: string, candidate: string): number {
  const folded = editDistance(name.toLowerCase(), candidate.toLowerCase());
  const caseDiffers = editDistance(name, candidate) > folded;
  return folded + (caseDiffers ? 0.5 : 0);
}

/**
 * The candidate nearest to `name`, if it is close enough to be a plausible typo: at most a
 * third of the name's length in edits (and at least 2), case differences aside.
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    if (Math.abs(candidate.length - name.length) > limit) continue;
    const distance = nameDistance(name, candidate);
    if (distance < bestDistance || (distance === bestDistance && best && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit + 0.5 ? best : undefined;
}
