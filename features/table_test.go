package features

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"gonum.org/v1/gonum/mat"
)

func smallFrame() *dataset.Frame {
	return dataset.MustNew(
		dataset.NewFloat64("x", []float64{1, 2, 0, 4, 10}, []bool{true, true, false, true, true}),
		dataset.NewString("cat", []string{"b", "a", "b", "", "c"}, []bool{true, true, true, false, true}),
	)
}

// Reference: scikit-learn 1.2.1, make_pipeline(SimpleImputer(strategy), StandardScaler())
// fitted on x = [1, 2, NaN, 4, 10] (Debian python3-sklearn, /usr/bin/python3).
func TestImputeAndScaleMatchScikitLearn(t *testing.T) {
	cases := []struct {
		impute Imputation
		want   []float64
		at7_5  float64
	}{
		{ImputeMean, []float64{-1.0408329997330663, -0.7205766921228921, 0.0, -0.08006407690254357, 1.841473768758502}, 1.0408329997330663},
		{ImputeMedian, []float64{-0.9486832980505138, -0.6324555320336759, -0.31622776601683794, 0.0, 1.8973665961010275}, 1.1067971810589328},
	}
	for _, c := range cases {
		tab := &Table{Numeric: []string{"x"}, Impute: c.impute, Scale: true}
		if err := tab.Fit(context.Background(), smallFrame()); err != nil {
			t.Fatal(err)
		}
		got, err := tab.Transform(smallFrame())
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range c.want {
			if math.Abs(got.At(i, 0)-w) > 1e-15 {
				t.Errorf("impute %d row %d: %v, want %v", c.impute, i, got.At(i, 0), w)
			}
		}
		one, _ := tab.Transform(dataset.MustNew(dataset.NewFloat64("x", []float64{7.5}, nil)))
		if math.Abs(one.At(0, 0)-c.at7_5) > 1e-15 {
			t.Errorf("impute %d new row 7.5: %v, want %v", c.impute, one.At(0, 0), c.at7_5)
		}
	}
}

// Reference: pandas 1.5.3 get_dummies(df, columns=["cat"], drop_first=True) on
// cat = [b, a, b, None, c] gives columns cat_b, cat_c and rows
// [[1,0],[0,0],[1,0],[0,0],[0,1]] (the null row is all zeros).
func TestOneHotDropFirstMatchesPandas(t *testing.T) {
	tab := &Table{Categorical: []string{"cat"}, DropFirst: true}
	if err := tab.Fit(context.Background(), smallFrame()); err != nil {
		t.Fatal(err)
	}
	got, _ := tab.Transform(smallFrame())
	want := mat.NewDense(5, 2, []float64{1, 0, 0, 0, 1, 0, 0, 0, 0, 1})
	if !mat.Equal(got, want) {
		t.Errorf("got\n%v\nwant\n%v", mat.Formatted(got), mat.Formatted(want))
	}
	if names := tab.FeatureNames(); !slices.Equal(names, []string{"cat = b", "cat = c"}) {
		t.Errorf("names %q", names)
	}
}

func TestOneHotTopNWithUnknown(t *testing.T) {
	f := dataset.MustNew(dataset.NewString("carrier", []string{"UA", "AA", "UA", "B6", "AA", "UA", "9E"}, nil))
	tab := &Table{Categorical: []string{"carrier"}, TopN: 2}
	if err := tab.Fit(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	if names := tab.FeatureNames(); !slices.Equal(names, []string{"carrier = UA", "carrier = AA", "carrier is unknown"}) {
		t.Fatalf("names %q", names)
	}
	g := dataset.MustNew(dataset.NewString("carrier", []string{"AA", "B6", "XX", "UA"}, nil))
	got, err := tab.Transform(g)
	if err != nil {
		t.Fatal(err)
	}
	want := mat.NewDense(4, 3, []float64{0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0})
	if !mat.Equal(got, want) {
		t.Errorf("got\n%v", mat.Formatted(got))
	}
}

func TestHashedColumnsAndState(t *testing.T) {
	f := dataset.MustNew(
		dataset.NewInt64("n", []int64{1, 2, 3}, nil),
		dataset.NewString("tail", []string{"N1", "N2", "N1"}, nil),
	)
	tab := &Table{Numeric: []string{"n"}, Hashed: []string{"tail"}, HashBuckets: 4}
	if err := tab.Fit(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	got, _ := tab.Transform(f)
	for i, s := range []string{"N1", "N2", "N1"} {
		if got.At(i, 1+HashBucket("tail", s, 4)) != 1 {
			t.Errorf("row %d: hash bucket not set: %v", i, mat.Formatted(got))
		}
	}
	again, err := NewTableFromState(tab.State())
	if err != nil {
		t.Fatal(err)
	}
	got2, _ := again.Transform(f)
	if !mat.Equal(got, got2) {
		t.Error("table restored from state encodes differently")
	}
}

func TestTableErrors(t *testing.T) {
	f := smallFrame()
	cases := []struct {
		name string
		tab  *Table
		want string
	}{
		{"no columns", &Table{}, "no columns chosen"},
		{"missing column", &Table{Numeric: []string{"nope"}}, `no column "nope"`},
		{"string as numeric", &Table{Numeric: []string{"cat"}}, "not numeric"},
		{"null without impute", &Table{Numeric: []string{"x"}}, `column "x" row 2 is missing`},
		{"hash without buckets", &Table{Hashed: []string{"cat"}}, "HashBuckets"},
		{"negative TopN", &Table{Categorical: []string{"cat"}, TopN: -1}, "negative"},
	}
	for _, c := range cases {
		err := c.tab.Fit(context.Background(), f)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	tab := &Table{Numeric: []string{"x"}, Impute: ImputeMean}
	if _, err := tab.Transform(f); err == nil {
		t.Error("Transform before Fit: no error")
	}
	tab.Fit(context.Background(), f)
	inf := dataset.MustNew(dataset.NewFloat64("x", []float64{math.Inf(1)}, nil))
	if _, err := tab.Transform(inf); err == nil || !strings.Contains(err.Error(), "infinite") {
		t.Errorf("Inf: %v", err)
	}
	if _, err := tab.Transform(dataset.MustNew(dataset.NewFloat64("y", []float64{1}, nil))); err == nil {
		t.Error("missing column at Transform: no error")
	}
	bad := *tab.State()
	bad.Names = nil
	if _, err := NewTableFromState(&bad); err == nil {
		t.Error("inconsistent state accepted")
	}
}
