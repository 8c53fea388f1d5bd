package text

import (
	"bufio"
	"compress/gzip"
	"errors"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/kiln-ml/kiln/internal/realdata"
)

// pythonTokens were produced by Python 3.11.2 (Debian 12, /usr/bin/python3):
// re.findall(r"(?u)\b\w\w+\b", s.lower()), scikit-learn's default analyzer.
var pythonTokens = []struct {
	in   string
	want []string
}{
	{"Hello, World! It's a DVD-quality 10/10 film_noir.", []string{"hello", "world", "it", "dvd", "quality", "10", "10", "film_noir"}},
	{"caf\u00e9 na\u00efve \u00fcber Stra\u00dfe", []string{"caf\u00e9", "na\u00efve", "\u00fcber", "stra\u00dfe"}},
	{"cafe\u0301 nai\u0308ve", []string{"cafe", "nai", "ve"}},
	{"\u0130stanbul \u0130\u0130 I\u0130x", []string{"stanbul", "ii"}},
	{"\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3 \u03a3\u0391\u03a3 \u0391.\u03a3 \u0391\u03a3'\u0391 \u0391\u03a3_ \u03a3", []string{"\u03bf\u03b4\u03c5\u03c3\u03c3\u03b5\u03c5\u03c2", "\u03c3\u03b1\u03c2", "\u03b1\u03c3", "\u03b1\u03c2_"}},
	{"x\u00b2 \u00bd \u0663\u0664 \u56db\u4e94 \u216b \u2460\u2461", []string{"x\u00b2", "\u0663\u0664", "\u56db\u4e94", "\u2460\u2461"}},
	{"snake_case __init__ _a a_ __", []string{"snake_case", "__init__", "_a", "a_", "__"}},
	{"\u01c5emal \u01c8ubljana \u01cb", []string{"\u01c6emal", "\u01c9ubljana"}},
	{"\ufb01ne \ufb02ow \u00df \u1e9e", []string{"\ufb01ne", "\ufb02ow"}},
	{"\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 \ud55c\uad6d\uc5b4 \u0442\u0435\u043a\u0441\u0442", []string{"\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8", "\ud55c\uad6d\uc5b4", "\u0442\u0435\u043a\u0441\u0442"}},
	{"a b c ab", []string{"ab"}},
	{"emoji\U0001f600smile \U0001f44d\U0001f3fdok", []string{"emoji", "smile", "ok"}},
	{"\u02b0a \u02b0\u03a3 \u00aa\u03a3", []string{"\u02b0a", "\u02b0\u03c3", "\u00aa\u03c2"}},
	{"tab\tnew\nline\u00a0nbsp\u2009thin", []string{"tab", "new", "line", "nbsp", "thin"}},
	{"x\u200by zero\u200dwidth", []string{"zero", "width"}},
	{"\U00011f04\U00011f05 \u0ece\u0ece", []string{}},
	{"\u24b6\u24d1 \u01f0 \u0390", []string{}},
	{"K\u212a \u00c5\u212b", []string{"kk", "\u00e5\u00e5"}},
}

func TestTokenizeMatchesPython(t *testing.T) {
	for _, c := range pythonTokens {
		got, err := Tokenize(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if len(got) == 0 && len(c.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Tokenize(%q) = %q; Python %q", c.in, got, c.want)
		}
	}
}

// pythonUnicode reads testdata/python311_unicode.txt.gz (see
// testdata/python_unicode.py): Python 3.11's \w, its case classes and
// str.lower, for every code point.
func pythonUnicode(t *testing.T) (word, ignorable, cased map[rune]bool, lower map[rune]string) {
	t.Helper()
	f, err := os.Open("testdata/python311_unicode.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	word, ignorable, cased, lower = map[rune]bool{}, map[rune]bool{}, map[rune]bool{}, map[rune]string{}
	hex := func(s string) rune {
		v, err := strconv.ParseUint(s, 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		return rune(v)
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch f[0] {
		case "w", "i", "c":
			set := map[string]map[rune]bool{"w": word, "i": ignorable, "c": cased}[f[0]]
			for r := hex(f[1]); r <= hex(f[2]); r++ {
				set[r] = true
			}
		case "l":
			var b strings.Builder
			for _, x := range f[2:] {
				b.WriteRune(hex(x))
			}
			lower[hex(f[1])] = b.String()
		}
	}
	if len(word) < 100000 || len(lower) < 1000 {
		t.Fatalf("testdata: %d word characters, %d lowercase mappings", len(word), len(lower))
	}
	return word, ignorable, cased, lower
}

// TestUnicodeClassesMatchPython checks every code point: the word class, the
// case classes of the final-sigma rule and the lowercase mapping agree with
// Python 3.11's.
func TestUnicodeClassesMatchPython(t *testing.T) {
	word, ignorable, cased, lower := pythonUnicode(t)
	bad := 0
	for r := rune(0); r <= unicode.MaxRune && bad < 10; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue
		}
		if isWordRune(r) != word[r] {
			t.Errorf("%U: isWordRune %v, Python \\w %v", r, isWordRune(r), word[r])
			bad++
		}
		if isCaseIgnorable(r) != ignorable[r] {
			t.Errorf("%U: isCaseIgnorable %v, Python %v", r, isCaseIgnorable(r), ignorable[r])
			bad++
		}
		if !isCaseIgnorable(r) && isCased(r) != cased[r] {
			t.Errorf("%U: isCased %v, Python %v", r, isCased(r), cased[r])
			bad++
		}
		want, ok := lower[r]
		if !ok {
			want = string(r)
		}
		if r == 0x130 {
			if want != "i\u0307" {
				t.Errorf("Python lowercases U+0130 to %q", want)
			}
			continue // the tokenizer's special case
		}
		if got := string(unicode.ToLower(r)); got != want {
			t.Errorf("%U: unicode.ToLower %q, Python str.lower %q", r, got, want)
			bad++
		}
	}
}

// referenceTokens is the slow reference for the fast tokenizer: Go's regexp
// with a character class spelling out Python's \w (letters, numbers and '_';
// Go's own \w is ASCII only), applied to the text lowercased as Python does
// (strings.ToLower, plus the two rules Go's simple case mapping lacks: 'İ'
// becomes "i\u0307" and a final capital sigma 'ς').
var referenceWord = regexp.MustCompile(`[\p{L}\p{N}_]{2,}`)

func referenceLower(s string) string {
	if strings.ContainsRune(s, 0x3A3) {
		var b strings.Builder
		for i, r := range s {
			if r == 0x3A3 && finalSigma(s, i, 2, Strict) {
				b.WriteRune(0x3C2)
			} else {
				b.WriteRune(r)
			}
		}
		s = b.String()
	}
	return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
}

func referenceTokens(s string) []string {
	return referenceWord.FindAllString(referenceLower(s), -1)
}

// TestTokenizerMatchesRegexpOnIMDB runs the fast tokenizer and the regexp
// reference over all 50,000 IMDB reviews.
func TestTokenizerMatchesRegexpOnIMDB(t *testing.T) {
	docs, _ := realdata.IMDB(t)
	step := 1
	if testing.Short() {
		step = 10 // every tenth review: the regexp is slow
	}
	if raceEnabled {
		step = 50 // the race detector slows the regexp tenfold
	}
	tokens, n := 0, 0
	for i := 0; i < len(docs); i += step {
		d := docs[i]
		n++
		got, err := Tokenize(d)
		if err != nil {
			t.Fatalf("review %d: %v", i, err)
		}
		want := referenceTokens(d)
		if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("review %d: tokens differ from the regexp reference:\n got %q\nwant %q", i, got, want)
		}
		tokens += len(got)
	}
	t.Logf("%d reviews, %d tokens agree", n, tokens)
}

func TestTokenizerReferenceOnTrickyStrings(t *testing.T) {
	// The regexp reference must agree with Python too, except on the Unicode
	// 15.0 letters that Go's \p{L} knows and Python 3.11 does not.
	for _, c := range pythonTokens {
		if strings.ContainsRune(c.in, 0x11F04) {
			continue
		}
		if got := referenceTokens(c.in); !reflect.DeepEqual(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("reference(%q) = %q; Python %q", c.in, got, c.want)
		}
	}
}

func TestTokenizerOptions(t *testing.T) {
	got, _ := Tokenizer{KeepCase: true}.Tokens("The DVD is OK")
	if !reflect.DeepEqual(got, []string{"The", "DVD", "is", "OK"}) {
		t.Errorf("KeepCase: %q", got)
	}
	bad := "good\xffmovie \xe2\x82 fine"
	if _, err := Tokenize(bad); err == nil {
		t.Error("invalid UTF-8 accepted in strict mode")
	} else if e := (*InvalidUTF8Error)(nil); !errors.As(err, &e) || e.Offset != 4 {
		t.Errorf("error %v, want offset 4", err)
	}
	// Python: b"good\xffmovie \xe2\x82 fine".decode("utf-8", "replace") and
	// "ignore", then the default analyzer.
	got, _ = Tokenizer{DecodeErrors: Replace}.Tokens(bad)
	if !reflect.DeepEqual(got, []string{"good", "movie", "fine"}) {
		t.Errorf("Replace: %q", got)
	}
	got, _ = Tokenizer{DecodeErrors: Ignore}.Tokens(bad)
	if !reflect.DeepEqual(got, []string{"goodmovie", "fine"}) {
		t.Errorf("Ignore: %q", got)
	}
	if got, err := Tokenize(""); err != nil || len(got) != 0 {
		t.Errorf("empty text: %q, %v", got, err)
	}
}

func FuzzTokenizer(f *testing.F) {
	for _, c := range pythonTokens {
		f.Add(c.in)
	}
	f.Add("good\xffmovie \xe2\x82 fine")
	f.Add("\u0130\u03a3\u03a3.\u03a3'")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Tokenize(s)
		if err != nil {
			var e *InvalidUTF8Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset >= len(s) {
				t.Fatalf("bad error %v", err)
			}
			// Replace must succeed and, on valid UTF-8, agree with the reference.
			if _, err := (Tokenizer{DecodeErrors: Replace}).Tokens(s); err != nil {
				t.Fatal(err)
			}
			return
		}
		want := referenceTokens(s)
		if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) && !hasUnicode15(s) {
			t.Fatalf("Tokenize(%q) = %q; reference %q", s, got, want)
		}
		for _, tok := range got {
			if len([]rune(tok)) < 2 {
				t.Fatalf("token %q shorter than two characters", tok)
			}
		}
	})
}

func hasUnicode15(s string) bool {
	for _, r := range s {
		if unicode.Is(addedInUnicode15, r) {
			return true
		}
	}
	return false
}
