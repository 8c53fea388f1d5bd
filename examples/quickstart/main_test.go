package main

import (
	"bytes"
	"strings"
	"testing"
)

// The quickstart is the README's first command: it must run on the embedded
// data alone, and its seeded result must not drift.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"California housing: 20640 rows, 10 columns",
		"seeded split (seed 42): 16512 training rows, 4128 test rows",
		"alpha 0       0.6446 ± 0.0131",
		"chosen: alpha 0, refitted on all 16512 training rows",
		"steps [table linearregression]",
		"held-out rows: R2 0.6367",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
