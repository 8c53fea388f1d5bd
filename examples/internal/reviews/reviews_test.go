package reviews

import (
	"strings"
	"testing"
)

func TestSampleSplit(t *testing.T) {
	s, err := Load(false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Docs) != 5000 || s.Stride != 10 {
		t.Fatalf("%d reviews, stride %d", len(s.Docs), s.Stride)
	}
	// The original split keeps both classes balanced: 1,250 reviews of each
	// sentiment in training and in test.
	var count [2][2]int // [train?][label]
	for i, l := range s.Labels {
		train := 0
		if s.IsTrain(i) {
			train = 1
		}
		count[train][int(l)]++
	}
	if count != [2][2]int{{1250, 1250}, {1250, 1250}} {
		t.Errorf("train/test x negative/positive counts %v", count)
	}
	if !s.IsTrain(1250) || s.IsTrain(1249) || s.IsTrain(2500) || !s.IsTrain(3750) {
		t.Error("block edges: sample rows 1250 and 3750 start the training blocks, 2500 starts the test block")
	}
	if got := BrToSpace("a<br />b"); got != "a b" {
		t.Errorf("BrToSpace: %q", got)
	}
}

func TestFullAbsent(t *testing.T) {
	t.Setenv("KILN_DATA", t.TempDir())
	_, err := Load(true, nil)
	if err == nil || !strings.Contains(err.Error(), "scripts/fetch-data.sh") {
		t.Errorf("absent data: error %v, want one saying how to fetch it", err)
	}
}
