// Command leanscore is the smallest useful scoring service: it loads a .kiln
// bundle and scores the CSV rows it is given, one prediction per line. It
// imports persist and dataset only, so its binary carries no Parquet, Arrow,
// Thrift or gRPC code (TestLeanDependencies keeps it so).
//
//	go run ./examples/leanscore MODEL.kiln < rows.csv
//	go run ./examples/leanscore MODEL.kiln rows.csv
package main

import (
	"bufio"
	"io"
	"log"
	"os"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/persist"
)

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 || len(os.Args) > 3 {
		log.Fatal("usage: leanscore MODEL.kiln [ROWS.csv] (rows from standard input when no file is given)")
	}
	in := io.Reader(os.Stdin)
	if len(os.Args) == 3 {
		fh, err := os.Open(os.Args[2])
		if err != nil {
			log.Fatal("leanscore: ", err)
		}
		defer fh.Close()
		in = fh
	}
	if err := run(os.Stdout, os.Args[1], in); err != nil {
		log.Fatal("leanscore: ", err)
	}
}

// run loads the bundle at model, reads CSV rows with a header from in and
// writes one prediction per row to w.
func run(w io.Writer, model string, in io.Reader) error {
	p, err := persist.Load(model)
	if err != nil {
		return err
	}
	rows, err := dataset.ReadCSV(in, dataset.CSVOptions{})
	if err != nil {
		return err
	}
	pred, err := p.Predict(rows)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(w)
	for i := 0; i < pred.Len(); i++ {
		out.WriteString(pred.Format(i)) // a value, a class label or a cluster id
		out.WriteByte('\n')
	}
	return out.Flush()
}
