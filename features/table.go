package features

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sort"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
	"gonum.org/v1/gonum/mat"
)

// Imputation says how a Table fills missing numeric cells (nulls and NaN).
type Imputation uint8

const (
	// NoImputation makes a missing numeric cell an error naming its column and row.
	NoImputation Imputation = iota
	// ImputeMean fills with the training column's mean.
	ImputeMean
	// ImputeMedian fills with the training column's median.
	ImputeMedian
)

// Table encodes chosen columns of a Frame as a dense matrix. Output columns
// are, in order: Numeric, then one block per Categorical column, then
// HashBuckets hashed columns. The zero value with column names set is usable.
//
// A fitted Table is safe for concurrent use: Transform may run from many
// goroutines at once. Fit must not run alongside it.
type Table struct {
	Numeric     []string // Float64, Int64 or Bool columns
	Categorical []string // columns one-hot encoded (any type; values compared as text)
	Hashed      []string // columns hashed into HashBuckets shared columns
	HashBuckets int      // number of hashed columns (required when Hashed is set)

	Impute Imputation // how missing numeric cells are filled
	Scale  bool       // standardize numeric columns: (x - mean) / population std, as StandardScaler

	// TopN keeps the N most frequent levels of each categorical column (ties
	// broken by value) and adds a "COLUMN is unknown" column for the others and
	// for levels unseen at Fit; 0 keeps every level, in sorted order, and maps
	// unseen levels to all zeros (scikit-learn's handle_unknown="ignore").
	TopN int
	// DropFirst drops each categorical column's first level, as
	// pandas.get_dummies(drop_first=True), to avoid collinearity with an intercept.
	DropFirst bool

	state *TableState
}

// TableState is everything a fitted Table learned, as plain values that the
// persist package saves; NewTableFromState restores a Table from it.
type TableState struct {
	Numeric     []NumericColumn
	Categorical []CategoricalColumn
	Hashed      []string
	HashBuckets int
	Names       []string // output column names
}

// NumericColumn is the learned treatment of one numeric column.
type NumericColumn struct {
	Name    string
	Impute  bool    // whether missing cells are filled
	Fill    float64 // the fill value when Impute
	Center  float64 // subtracted (0 when not scaling)
	Divisor float64 // divided by (1 when not scaling)
}

// CategoricalColumn is the learned encoding of one categorical column.
type CategoricalColumn struct {
	Name    string
	Levels  []string // one output column each, in order
	Unknown bool     // whether a trailing "is unknown" column follows the levels
}

// Fit learns levels and statistics from f. It stops with ctx's error when
// ctx is cancelled (checked between columns).
func (t *Table) Fit(ctx context.Context, f *dataset.Frame) error {
	if f == nil || f.NumRows() == 0 {
		return fmt.Errorf("features: Table.Fit: no rows: %w", kiln.ErrEmpty)
	}
	if len(t.Numeric)+len(t.Categorical)+len(t.Hashed) == 0 {
		return fmt.Errorf("features: Table.Fit: no columns chosen (set Numeric, Categorical or Hashed): %w", kiln.ErrConfig)
	}
	if len(t.Hashed) > 0 && t.HashBuckets <= 0 {
		return fmt.Errorf("features: Table.Fit: HashBuckets must be positive to hash %d columns: %w", len(t.Hashed), kiln.ErrConfig)
	}
	if t.TopN < 0 {
		return fmt.Errorf("features: Table.Fit: TopN %d is negative: %w", t.TopN, kiln.ErrConfig)
	}
	st := &TableState{Hashed: slices.Clone(t.Hashed), HashBuckets: t.HashBuckets}
	for _, name := range t.Numeric {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("features: Table.Fit: %w", err)
		}
		col, err := numericColumn(f, name)
		if err != nil {
			return err
		}
		nc, err := t.fitNumeric(col)
		if err != nil {
			return err
		}
		st.Numeric = append(st.Numeric, nc)
		st.Names = append(st.Names, name)
	}
	for _, name := range t.Categorical {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("features: Table.Fit: %w", err)
		}
		col, err := f.Column(name)
		if err != nil {
			return fmt.Errorf("features: %w", err)
		}
		cc := t.fitCategorical(col)
		st.Categorical = append(st.Categorical, cc)
		for _, l := range cc.Levels {
			st.Names = append(st.Names, name+" = "+l)
		}
		if cc.Unknown {
			st.Names = append(st.Names, name+" is unknown")
		}
	}
	for _, name := range t.Hashed {
		if _, err := f.Column(name); err != nil {
			return fmt.Errorf("features: %w", err)
		}
	}
	for i := 0; i < t.HashBuckets && len(t.Hashed) > 0; i++ {
		st.Names = append(st.Names, fmt.Sprintf("hash_%d", i))
	}
	t.state = st
	return nil
}

func numericColumn(f *dataset.Frame, name string) (*dataset.Column, error) {
	col, err := f.Column(name)
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	switch col.Type() {
	case dataset.Float64, dataset.Int64, dataset.Bool:
		return col, nil
	}
	return nil, fmt.Errorf("features: column %q is %s, not numeric (list it in Categorical or Hashed)", name, col.Type())
}

func (t *Table) fitNumeric(col *dataset.Column) (NumericColumn, error) {
	nc := NumericColumn{Name: col.Name(), Divisor: 1}
	vals := make([]float64, 0, col.Len())
	for i := 0; i < col.Len(); i++ {
		v, ok := col.FloatAt(i)
		if !ok || math.IsNaN(v) {
			if t.Impute == NoImputation {
				return nc, fmt.Errorf("features: column %q row %d is missing (set Impute to fill it)", col.Name(), i)
			}
			continue
		}
		if math.IsInf(v, 0) {
			return nc, fmt.Errorf("features: column %q row %d is infinite: %w", col.Name(), i, kiln.ErrNonFinite)
		}
		vals = append(vals, v)
	}
	if len(vals) == 0 {
		return nc, fmt.Errorf("features: column %q has no values to learn from: %w", col.Name(), kiln.ErrEmpty)
	}
	missing := col.Len() - len(vals)
	switch t.Impute {
	case ImputeMean:
		nc.Impute, nc.Fill = true, mean(vals)
	case ImputeMedian:
		nc.Impute, nc.Fill = true, median(slices.Clone(vals))
	}
	if t.Scale {
		// Statistics of the imputed column, as a scikit-learn Pipeline of
		// SimpleImputer then StandardScaler computes them.
		for range missing {
			vals = append(vals, nc.Fill)
		}
		m, std := meanStd(vals)
		nc.Center = m
		if std > 0 {
			nc.Divisor = std
		}
	}
	return nc, nil
}

// meanStd returns the mean and the population standard deviation (ddof = 0),
// by two passes for accuracy.
func meanStd(v []float64) (m, std float64) {
	m = mean(v)
	var ss float64
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(v)))
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// median sorts v in place and returns the middle value (mean of the two
// middle values for an even count), as numpy.median.
func median(v []float64) float64 {
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// cellText is the value a categorical cell is compared by; ok is false for nulls.
func cellText(col *dataset.Column, i int) (string, bool) {
	if col.IsNull(i) {
		return "", false
	}
	if col.Type() == dataset.String {
		return col.StringAt(i), true
	}
	return col.Format(i), true
}

func (t *Table) fitCategorical(col *dataset.Column) CategoricalColumn {
	counts := make(map[string]int)
	for i := 0; i < col.Len(); i++ {
		if s, ok := cellText(col, i); ok {
			counts[s]++
		}
	}
	levels := make([]string, 0, len(counts))
	for s := range counts {
		levels = append(levels, s)
	}
	sort.Strings(levels)
	cc := CategoricalColumn{Name: col.Name()}
	if t.TopN > 0 {
		sort.SliceStable(levels, func(i, j int) bool { return counts[levels[i]] > counts[levels[j]] })
		if len(levels) > t.TopN {
			levels = levels[:t.TopN]
		}
		cc.Unknown = true
	}
	if t.DropFirst && len(levels) > 0 {
		levels = levels[1:]
	}
	cc.Levels = levels
	return cc
}

// FeatureNames returns the output column names: numeric names, then
// "COLUMN = LEVEL" and "COLUMN is unknown" for categorical columns, then
// "hash_I". It is nil before Fit.
func (t *Table) FeatureNames() []string {
	if t.state == nil {
		return nil
	}
	return slices.Clone(t.state.Names)
}

// Columns returns the input columns the Table reads, each once, in the order
// Numeric, Categorical, Hashed: the columns a Frame given to Transform must
// hold.
func (t *Table) Columns() []string {
	seen := make(map[string]bool)
	var out []string
	for _, names := range [][]string{t.Numeric, t.Categorical, t.Hashed} {
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// State returns what Fit learned, or nil before Fit.
func (t *Table) State() *TableState { return t.state }

// NewTableFromState returns a fitted Table that encodes exactly as the one
// the state came from.
func NewTableFromState(st *TableState) (*Table, error) {
	if st == nil {
		return nil, errors.New("features: nil TableState")
	}
	width := len(st.Numeric)
	for _, c := range st.Categorical {
		width += len(c.Levels)
		if c.Unknown {
			width++
		}
	}
	if len(st.Hashed) > 0 {
		if st.HashBuckets <= 0 {
			return nil, fmt.Errorf("features: TableState hashes %d columns into %d buckets", len(st.Hashed), st.HashBuckets)
		}
		width += st.HashBuckets
	}
	if width != len(st.Names) {
		return nil, fmt.Errorf("features: TableState describes %d columns but names %d", width, len(st.Names))
	}
	for _, n := range st.Numeric {
		if n.Divisor == 0 || math.IsNaN(n.Divisor) || math.IsNaN(n.Center) || (n.Impute && math.IsNaN(n.Fill)) {
			return nil, fmt.Errorf("features: TableState column %q has invalid statistics", n.Name)
		}
	}
	t := &Table{HashBuckets: st.HashBuckets, state: st}
	for _, n := range st.Numeric {
		t.Numeric = append(t.Numeric, n.Name)
	}
	for _, c := range st.Categorical {
		t.Categorical = append(t.Categorical, c.Name)
	}
	t.Hashed = slices.Clone(st.Hashed)
	return t, nil
}

// Transform encodes f's rows with what Fit learned. Columns are found by name,
// so f may hold other columns too, in any order.
func (t *Table) Transform(f *dataset.Frame) (*mat.Dense, error) {
	st := t.state
	if st == nil {
		return nil, fmt.Errorf("features: Table.Transform before Fit: %w", kiln.ErrNotFitted)
	}
	if f == nil || f.NumRows() == 0 {
		return nil, fmt.Errorf("features: Table.Transform: no rows: %w", kiln.ErrEmpty)
	}
	rows, width := f.NumRows(), len(st.Names)
	out := mat.NewDense(rows, width, nil)
	raw := out.RawMatrix()
	at := 0
	for _, nc := range st.Numeric {
		col, err := numericColumn(f, nc.Name)
		if err != nil {
			return nil, err
		}
		for i := 0; i < rows; i++ {
			v, ok := col.FloatAt(i)
			if !ok || math.IsNaN(v) {
				if !nc.Impute {
					return nil, fmt.Errorf("features: column %q row %d is missing and the encoder was fitted without imputation", nc.Name, i)
				}
				v = nc.Fill
			} else if math.IsInf(v, 0) {
				return nil, fmt.Errorf("features: column %q row %d is infinite: %w", nc.Name, i, kiln.ErrNonFinite)
			}
			raw.Data[i*raw.Stride+at] = (v - nc.Center) / nc.Divisor
		}
		at++
	}
	for _, cc := range st.Categorical {
		col, err := f.Column(cc.Name)
		if err != nil {
			return nil, fmt.Errorf("features: %w", err)
		}
		index := make(map[string]int, len(cc.Levels))
		for k, l := range cc.Levels {
			index[l] = k
		}
		for i := 0; i < rows; i++ {
			s, ok := cellText(col, i)
			if !ok {
				continue // null: all zeros, as get_dummies
			}
			if k, found := index[s]; found {
				raw.Data[i*raw.Stride+at+k] = 1
			} else if cc.Unknown {
				raw.Data[i*raw.Stride+at+len(cc.Levels)] = 1
			}
		}
		at += len(cc.Levels)
		if cc.Unknown {
			at++
		}
	}
	if len(st.Hashed) > 0 {
		for _, name := range st.Hashed {
			col, err := f.Column(name)
			if err != nil {
				return nil, fmt.Errorf("features: %w", err)
			}
			for i := 0; i < rows; i++ {
				s, ok := cellText(col, i)
				if !ok {
					continue
				}
				raw.Data[i*raw.Stride+at+HashBucket(name, s, st.HashBuckets)]++
			}
		}
	}
	return out, nil
}

// HashBucket returns the hashed column of a cell: FNV-1a 32-bit of
// "COLUMN=VALUE" modulo buckets. It is part of the saved-model contract and
// never changes.
func HashBucket(column, value string, buckets int) int {
	h := fnv.New32a()
	h.Write([]byte(column))
	h.Write([]byte{'='})
	h.Write([]byte(value))
	return int(h.Sum32() % uint32(buckets))
}
