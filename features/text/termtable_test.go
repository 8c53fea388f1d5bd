package text

import (
	"fmt"
	"testing"
)

func TestTermTable(t *testing.T) {
	tab := newTermTable()
	var terms []string
	for i := 0; i < 20000; i++ { // grows several times
		terms = append(terms, fmt.Sprintf("w%d", i), fmt.Sprintf("a longer term number %d", i))
	}
	terms = append(terms, "", "a", "abcdefg", "abcdefgh", "abcdefghi", "abcdefg\x07", "abcdefgh\x00")
	for i, term := range terms {
		if id, added := tab.lookup([]byte(term)); !added || int(id) != i {
			t.Fatalf("add %q: id %d, added %v", term, id, added)
		}
	}
	for i, term := range terms {
		if id, added := tab.lookup([]byte(term)); added || int(id) != i {
			t.Fatalf("find %q: id %d, added %v", term, id, added)
		}
	}
}

func TestKey8(t *testing.T) {
	// A term in a larger buffer (one masked load) and alone (byte loop) give
	// the same key.
	buf := []byte("abcdefghijklmnop")
	for n := 0; n <= 9; n++ {
		k1, s1 := key8(buf[:n])
		k2, s2 := key8(append([]byte(nil), buf[:n]...)[:n:n])
		if k1 != k2 || s1 != s2 || s1 != (n <= 8) {
			t.Errorf("n=%d: %x %v, %x %v", n, k1, s1, k2, s2)
		}
	}
}
