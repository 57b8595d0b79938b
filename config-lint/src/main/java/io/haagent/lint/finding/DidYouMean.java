package io.haagent.lint.finding;

import java.util.Collection;
import java.util.Optional;

/** Finds the known word an operator most likely meant; typos are usually one or two keystrokes off. */
public final class DidYouMean {
    private DidYouMean() {}

    /** The closest candidate within a distance that still reads as a typo, if any. */
    public static Optional<String> closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = word.toLowerCase(java.util.Locale.ROOT);
        for (String c : candidates) {
            int d = distance(w, c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        int allowed = Math.max(1, Math.min(3, word.length() / 3));
        return best != null && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** "; did you mean 'x'?" or, without a close one, "; expected one of: a, b, c". */
    public static String hint(String word, Collection<String> candidates) {
        return closest(word, candidates)
                .map(c -> "; did you mean '" + c + "'?")
                .orElseGet(() -> candidates.isEmpty() ? "" : "; expected one of: " + String.join(", ", candidates));
    }

    /** Optimal string alignment distance: Levenshtein plus adjacent transpositions ("intreval"). */
    static int distance(String a, String b) {
        if (a.length() > 64 || b.length() > 64) {
            return a.equals(b) ? 0 : Integer.MAX_VALUE;
        }
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
