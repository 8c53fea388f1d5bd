package text

import "unicode"

// This file holds the character classes of Python's re module and str.lower,
// which scikit-learn's default analyzer relies on. The reference interpreter,
// Python 3.11 (scikit-learn 1.2.1 on Debian 12), knows Unicode 14.0; Go's
// unicode package knows Unicode 15.0. The classes below are Go's tables minus
// the few code points Unicode 15.0 added, so that they match Python 3.11 on
// every code point (the tests check all 1,114,112 of them against data dumped
// from Python).

// isWordRune reports whether Python 3.11's (?u)\w matches r: str.isalnum()
// (letters L*, and the numeric characters, which are exactly N*) or '_'.
func isWordRune(r rune) bool {
	if r < 0x80 {
		return asciiWord[r]
	}
	if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
		return false
	}
	return !unicode.Is(addedInUnicode15, r)
}

// asciiWord is isWordRune for ASCII: [0-9A-Za-z_].
var asciiWord = func() (t [128]bool) {
	for c := 0; c < 128; c++ {
		t[c] = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
	}
	return t
}()

// isCaseIgnorable is Unicode's Case_Ignorable property (Mn, Me, Cf, Lm, Sk
// and the Word_Break classes MidLetter, MidNumLet, Single_Quote), which
// Python's str.lower uses to decide whether a capital sigma ends a word.
func isCaseIgnorable(r rune) bool {
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk) {
		return !unicode.Is(addedInUnicode15, r)
	}
	return unicode.Is(wordBreakMid, r)
}

// isCased is Unicode's Cased property: Ll, Lu, Lt, Other_Lowercase,
// Other_Uppercase.
func isCased(r rune) bool {
	return unicode.In(r, unicode.Ll, unicode.Lu, unicode.Lt, unicode.Other_Lowercase, unicode.Other_Uppercase) &&
		!unicode.Is(addedInUnicode15, r)
}

// wordBreakMid holds the characters whose Word_Break property is MidLetter,
// MidNumLet or Single_Quote (Unicode 14.0 WordBreakProperty.txt); Go's
// unicode package has no Word_Break tables.
var wordBreakMid = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x27, 0x27, 1}, {0x2E, 0x2E, 1}, {0x3A, 0x3A, 1}, {0xB7, 0xB7, 1},
		{0x387, 0x387, 1}, {0x55F, 0x55F, 1}, {0x5F4, 0x5F4, 1},
		{0x2018, 0x2019, 1}, {0x2024, 0x2024, 1}, {0x2027, 0x2027, 1},
		{0xFE13, 0xFE13, 1}, {0xFE52, 0xFE52, 1}, {0xFE55, 0xFE55, 1},
		{0xFF07, 0xFF07, 1}, {0xFF0E, 0xFF0E, 1}, {0xFF1A, 0xFF1A, 1},
	},
	LatinOffset: 4,
}

// addedInUnicode15 holds the code points that Unicode 15.0 assigned and that
// are letters, numbers, case-ignorable or cased in Go's tables: Python 3.11
// treats them as unassigned (found by comparing every code point with
// Python 3.11.2's re and str.lower).
var addedInUnicode15 = &unicode.RangeTable{
	R16: []unicode.Range16{{0xECE, 0xECE, 1}},
	R32: []unicode.Range32{
		{0x10EFD, 0x10EFF, 1}, {0x1123F, 0x11241, 1}, {0x11F00, 0x11F02, 1},
		{0x11F04, 0x11F10, 1}, {0x11F12, 0x11F33, 1}, {0x11F36, 0x11F3A, 1},
		{0x11F40, 0x11F40, 1}, {0x11F42, 0x11F42, 1}, {0x11F50, 0x11F59, 1},
		{0x1342F, 0x1342F, 1}, {0x13439, 0x13455, 1}, {0x1B132, 0x1B132, 1},
		{0x1B155, 0x1B155, 1}, {0x1D2C0, 0x1D2D3, 1}, {0x1DF25, 0x1DF2A, 1},
		{0x1E030, 0x1E06D, 1}, {0x1E08F, 0x1E08F, 1}, {0x1E4D0, 0x1E4F9, 1},
		{0x2B739, 0x2B739, 1}, {0x31350, 0x323AF, 1},
	},
}
