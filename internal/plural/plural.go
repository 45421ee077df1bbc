// Package plural writes a count with its noun in the number the count
// asks for, so that messages say "1 epoch" and "2 epochs", never
// "1 epochs".
package plural

import (
	"strconv"
	"strings"
)

// Count returns n followed by noun, made plural unless n is 1:
// Count(1, "epoch") is "1 epoch", Count(2, "epoch") "2 epochs",
// Count(0, "class") "0 classes". noun is given in the singular; see Noun.
func Count(n int, noun string) string {
	return strconv.Itoa(n) + " " + Noun(n, noun)
}

// Noun returns noun, given in the singular, as a count of n takes it:
// itself for 1, else its plural by the regular English rules (epochs,
// classes, batches, probabilities). For a phrase ("test example") the last word
// changes. Irregular nouns are not handled: zoo's messages have none.
func Noun(n int, noun string) string {
	if n == 1 || n == -1 {
		return noun
	}
	switch {
	case strings.HasSuffix(noun, "s"), strings.HasSuffix(noun, "x"),
		strings.HasSuffix(noun, "tch"), strings.HasSuffix(noun, "sh"): // not "epoch"
		return noun + "es"
	case strings.HasSuffix(noun, "y") && len(noun) > 1 && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return noun[:len(noun)-1] + "ies"
	}
	return noun + "s"
}
