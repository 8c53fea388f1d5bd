package progress_test

import (
	"os"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/internal/progress"
)

// A task reports through the Bar's Func; Done ends its line. Standard output
// here is not a terminal, so the Bar writes lines (at most one every
// LineEvery while the task runs) and one at the end.
func Example() {
	bar := progress.New(os.Stdout, "co-occurrence")
	report := bar.Func()
	for rows := int64(1); rows <= 3; rows++ {
		report(kiln.Progress{Stage: "cooccurrence", Done: rows, Total: 3})
	}
	bar.Done()
}
