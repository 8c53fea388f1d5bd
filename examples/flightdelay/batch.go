package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/parquet"
)

// writeBatch writes a month's feature rows (the flight's id and the model
// inputs, as Spec.Batch computes them) to a Parquet file, its folder
// created: the input of a batch scoring job, such as the Beam module's
// Score in beam/examples/flightdelay. Parquet keeps every float64 bit for
// bit, so the job scores the very inputs this program scored.
func writeBatch(path string, rows *dataset.Frame) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return parquet.WriteFile(path, rows, parquet.WriteOptions{})
}

// pathAnswers is what one production path answered for the flights ids.
type pathAnswers struct {
	Path    string
	IDs     []int64
	Answers []scored
}

// answerLine is one line of the answers file.
type answerLine struct {
	Path    string  `json:"path"`
	ID      int64   `json:"id"`
	Late    bool    `json:"late"`
	PFalse  float64 `json:"p(false)"`
	PTrue   float64 `json:"p(true)"`
	Version string  `json:"model_version"`
}

// writeAnswers writes every path's answers to a JSON Lines file, one line per
// path and flight: {"path", "id", "late", "p(false)", "p(true)",
// "model_version"}, the probabilities in the shortest decimal that parses
// back to the same float64 (encoding/json's), so that another program can
// check its own answers against them bit for bit.
func writeAnswers(path string, paths []pathAnswers) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, p := range paths {
		if len(p.IDs) != len(p.Answers) {
			f.Close()
			return fmt.Errorf("%s: %d ids for %d answers", p.Path, len(p.IDs), len(p.Answers))
		}
		for i, a := range p.Answers {
			if err := enc.Encode(answerLine{p.Path, p.IDs[i], a.Late, a.PFalse, a.PTrue, a.Version}); err != nil {
				f.Close()
				return err
			}
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
