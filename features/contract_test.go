package features

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
	"gonum.org/v1/gonum/mat"
)

// Table is the learner contract's frame encoder.
var (
	_ kiln.Fitter[*dataset.Frame]                  = (*Table)(nil)
	_ kiln.Transformer[*dataset.Frame, *mat.Dense] = (*Table)(nil)
)

func TestTableErrorsWrapSharedSentinels(t *testing.T) {
	f := smallFrame()
	empty := dataset.MustNew(dataset.NewFloat64("x", nil, nil))
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"no rows", (&Table{Numeric: []string{"x"}}).Fit(context.Background(), empty), kiln.ErrEmpty},
		{"nil frame", (&Table{Numeric: []string{"x"}}).Fit(context.Background(), nil), kiln.ErrEmpty},
		{"no columns", (&Table{}).Fit(context.Background(), f), kiln.ErrConfig},
		{"hash without buckets", (&Table{Hashed: []string{"cat"}}).Fit(context.Background(), f), kiln.ErrConfig},
		{"negative TopN", (&Table{Categorical: []string{"cat"}, TopN: -1}).Fit(context.Background(), f), kiln.ErrConfig},
		{"infinite", (&Table{Numeric: []string{"x"}}).Fit(context.Background(),
			dataset.MustNew(dataset.NewFloat64("x", []float64{1, math.Inf(-1)}, nil))), kiln.ErrNonFinite},
		{"all missing", (&Table{Numeric: []string{"x"}, Impute: ImputeMean}).Fit(context.Background(),
			dataset.MustNew(dataset.NewFloat64("x", []float64{1, 2}, []bool{false, false}))), kiln.ErrEmpty},
	}
	_, err := (&Table{Numeric: []string{"x"}}).Transform(f)
	cases = append(cases, struct {
		name string
		err  error
		want error
	}{"transform before fit", err, kiln.ErrNotFitted})
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: error %v does not wrap %v", c.name, c.err, c.want)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (&Table{Numeric: []string{"x"}, Impute: ImputeMean}).Fit(ctx, f); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Fit: %v", err)
	}
}

func TestTableColumns(t *testing.T) {
	tab := &Table{Numeric: []string{"x", "y"}, Categorical: []string{"cat", "x"}, Hashed: []string{"zip"}, HashBuckets: 4}
	if got, want := tab.Columns(), []string{"x", "y", "cat", "zip"}; !slices.Equal(got, want) {
		t.Errorf("Columns() = %q, want %q", got, want)
	}
	fitted := &Table{Numeric: []string{"x"}, Categorical: []string{"cat"}, Impute: ImputeMean}
	if err := fitted.Fit(context.Background(), smallFrame()); err != nil {
		t.Fatal(err)
	}
	restored, err := NewTableFromState(fitted.State())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := restored.Columns(), []string{"x", "cat"}; !slices.Equal(got, want) {
		t.Errorf("restored Columns() = %q, want %q", got, want)
	}
}
