package dataset

import (
	"math"
	"testing"
)

// describeRow is one row of Describe's output: count, nulls, then mean, std,
// min, 25%, 50%, 75%, max (NaN = null), then distinct.
type describeRow struct {
	column       string
	count, nulls int64
	stats        [7]float64
	distinct     int64
}

func checkDescribe(t *testing.T, d *Frame, want []describeRow) {
	t.Helper()
	if d.NumRows() != len(want) {
		t.Fatalf("describe: %d rows, want %d\n%s", d.NumRows(), len(want), d)
	}
	names := []string{"mean", "std", "min", "25%", "50%", "75%", "max"}
	col := func(name string) *Column {
		c, err := d.Column(name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for i, w := range want {
		if got := col("column").StringAt(i); got != w.column {
			t.Errorf("row %d: column %q, want %q", i, got, w.column)
		}
		if c, n := col("count").Int64s()[i], col("nulls").Int64s()[i]; c != w.count || n != w.nulls {
			t.Errorf("%s: count %d nulls %d, want %d %d", w.column, c, n, w.count, w.nulls)
		}
		if got := col("distinct").Int64s()[i]; got != w.distinct {
			t.Errorf("%s: distinct %d, want %d", w.column, got, w.distinct)
		}
		for s, name := range names {
			got, ok := col(name).FloatAt(i)
			if math.IsNaN(w.stats[s]) {
				if ok {
					t.Errorf("%s %s: %v, want null", w.column, name, got)
				}
				continue
			}
			if !ok || math.Abs(got-w.stats[s]) > 1e-12*math.Max(1, math.Abs(w.stats[s])) {
				t.Errorf("%s %s: %v (ok=%v), want %v", w.column, name, got, ok, w.stats[s])
			}
		}
	}
}

func TestDescribeIris(t *testing.T) {
	d := opsLoadCSV(t, "builtin/data/iris.csv").Describe()
	// pandas 1.5.3: pd.read_csv("iris.csv").describe().T and .nunique(), with
	// /usr/bin/python3 on dataset/builtin/data/iris.csv.
	nan := math.NaN()
	checkDescribe(t, d, []describeRow{
		{"Sepal.Length", 150, 0, [7]float64{5.843333333333334, 0.8280661279778629, 4.3, 5.1, 5.8, 6.4, 7.9}, 35},
		{"Sepal.Width", 150, 0, [7]float64{3.0573333333333337, 0.435866284936698, 2.0, 2.8, 3.0, 3.3, 4.4}, 23},
		{"Petal.Length", 150, 0, [7]float64{3.7580000000000005, 1.7652982332594667, 1.0, 1.6, 4.35, 5.1, 6.9}, 43},
		{"Petal.Width", 150, 0, [7]float64{1.1993333333333336, 0.7622376689603465, 0.1, 0.3, 1.3, 1.8, 2.5}, 22},
		{"Species", 150, 0, [7]float64{nan, nan, nan, nan, nan, nan, nan}, 3},
	})
}

func TestDescribeNullsAndTypes(t *testing.T) {
	// pandas 1.5.3, /usr/bin/python3:
	//   f = pd.Series([2.5, -1, 3.25, np.nan, 10, 7.5, np.nan, 0.1, 4.4])
	//   i = pd.Series([3, 1, 4, 1, 5, 9, 2, 6, 5])
	//   b = pd.Series([1, 0, 1, 1, 0, np.nan, 1, 0, 1], dtype=float)
	//   s = pd.Series(["a", "b", "a", None, "c", "a", "b", "a", "c"])
	//   pd.DataFrame({"f": f, "i": i, "b": b}).describe().T, .isna().sum(), .nunique(); s.count(), s.nunique()
	// Here f has one null and one NaN value: both count as missing, as in pandas.
	nan := math.NaN()
	s := DictEncode(NewString("s", []string{"a", "b", "a", "", "c", "a", "b", "a", "c"},
		[]bool{true, true, true, false, true, true, true, true, true}))
	f := MustNew(
		NewFloat64("f", []float64{2.5, -1, 3.25, 0, 10, 7.5, nan, 0.1, 4.4}, []bool{true, true, true, false, true, true, true, true, true}),
		NewInt64("i", []int64{3, 1, 4, 1, 5, 9, 2, 6, 5}, nil),
		NewBool("b", []bool{true, false, true, true, false, false, true, false, true}, []bool{true, true, true, true, true, false, true, true, true}),
		s,
		NewTimestamp("t", []int64{1, 2, 3, 4, 5, 6, 7, 8, 8}, nil),
	)
	d := f.Describe()
	checkDescribe(t, d, []describeRow{
		{"f", 7, 2, [7]float64{3.8214285714285716, 3.8989162108267497, -1.0, 1.3, 3.25, 5.95, 10.0}, 7},
		{"i", 9, 0, [7]float64{4.0, 2.598076211353316, 1.0, 2.0, 4.0, 5.0, 9.0}, 7},
		{"b", 8, 1, [7]float64{0.625, 0.5175491695067657, 0.0, 0.0, 1.0, 1.0, 1.0}, 2},
		{"s", 8, 1, [7]float64{nan, nan, nan, nan, nan, nan, nan}, 3},
		{"t", 9, 0, [7]float64{nan, nan, nan, nan, nan, nan, nan}, 8},
	})
	if got := d.Col(1).StringAt(4); got != "timestamp" {
		t.Errorf("type column: %q", got)
	}

	// A single value has no sample standard deviation; an empty frame describes
	// its columns with count 0.
	one := MustNew(NewFloat64("x", []float64{2}, nil)).Describe()
	checkDescribe(t, one, []describeRow{{"x", 1, 0, [7]float64{2, nan, 2, 2, 2, 2, 2}, 1}})
	empty, _ := f.Slice(0, 0)
	first, _ := empty.Describe().Slice(0, 1)
	checkDescribe(t, first, []describeRow{{"f", 0, 0, [7]float64{nan, nan, nan, nan, nan, nan, nan}, 0}})
}

func TestQuantileLinear(t *testing.T) {
	// numpy 1.24.2: np.quantile([1, 2, 4, 8, 16], q) for q in 0, .1, .25, .33, .5, .9, 1.
	x := []float64{1, 2, 4, 8, 16}
	want := map[float64]float64{0: 1, 0.1: 1.4, 0.25: 2, 0.33: 2.64, 0.5: 4, 0.9: 12.8, 1: 16}
	for q, w := range want {
		if got := quantile(x, q); math.Abs(got-w) > 1e-12 {
			t.Errorf("quantile %v: %v, want %v", q, got, w)
		}
	}
}
