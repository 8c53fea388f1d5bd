package realdata

import "testing"

func TestIMDB(t *testing.T) {
	texts, labels := IMDB(t)
	if len(texts) != 50000 || len(labels) != 50000 {
		t.Fatalf("got %d reviews, %d labels; want 50,000", len(texts), len(labels))
	}
	pos := 0
	for _, l := range labels {
		pos += l
	}
	if pos != 25000 || labels[0] != 0 || labels[49999] != 1 {
		t.Errorf("labels: %d positive, first %d, last %d", pos, labels[0], labels[49999])
	}
}
