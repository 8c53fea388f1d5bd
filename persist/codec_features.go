package persist

import (
	"encoding/json"
	"fmt"

	"github.com/kiln-ml/kiln/features"
)

// Tensors of features.Table:
//
//	NAME.numeric        strings      numeric column names
//	NAME.numeric_stats  F64 [n, 3]   per numeric column: fill, center, divisor
//	NAME.categorical    strings      categorical column names
//	NAME.levels.I       strings      levels of categorical column I (0-based)
//	NAME.hashed         strings      hashed column names
//	NAME.names          strings      output column names
type tableParams struct {
	Impute      []bool `json:"impute"`  // per numeric column: whether missing cells are filled
	Unknown     []bool `json:"unknown"` // per categorical column: whether an "is unknown" column follows
	HashBuckets int    `json:"hash_buckets,omitempty"`
}

func init() {
	mustRegister(Codec{Kind: "features.Table", Step: (*features.Table)(nil), Encode: encodeTable, Decode: decodeTable})
}

func encodeTable(step any, b *Bundle, name string) (any, error) {
	st := step.(*features.Table).State()
	if st == nil {
		return nil, fmt.Errorf("table encoder is not fitted")
	}
	p := tableParams{HashBuckets: st.HashBuckets}
	var numeric []string
	stats := make([]float64, 0, 3*len(st.Numeric))
	for _, n := range st.Numeric {
		numeric = append(numeric, n.Name)
		stats = append(stats, n.Fill, n.Center, n.Divisor)
		p.Impute = append(p.Impute, n.Impute)
	}
	var categorical []string
	for i, c := range st.Categorical {
		categorical = append(categorical, c.Name)
		b.PutStrings(fmt.Sprintf("%s.levels.%d", name, i), c.Levels)
		p.Unknown = append(p.Unknown, c.Unknown)
	}
	b.PutStrings(name+".numeric", numeric)
	b.PutFloat64s(name+".numeric_stats", stats, len(st.Numeric), 3)
	b.PutStrings(name+".categorical", categorical)
	b.PutStrings(name+".hashed", st.Hashed)
	b.PutStrings(name+".names", st.Names)
	return p, nil
}

func decodeTable(b *Bundle, name string, raw json.RawMessage) (any, error) {
	var p tableParams
	if err := strictJSON(raw, &p); err != nil {
		return nil, err
	}
	numeric, err := b.strings(name + ".numeric")
	if err != nil {
		return nil, err
	}
	stats, err := b.float64s(name+".numeric_stats", len(numeric), 3)
	if err != nil {
		return nil, err
	}
	categorical, err := b.strings(name + ".categorical")
	if err != nil {
		return nil, err
	}
	if len(p.Impute) != len(numeric) || len(p.Unknown) != len(categorical) {
		return nil, corrupt("params describe %d numeric and %d categorical columns, tensors hold %d and %d",
			len(p.Impute), len(p.Unknown), len(numeric), len(categorical))
	}
	st := &features.TableState{HashBuckets: p.HashBuckets}
	for i, n := range numeric {
		st.Numeric = append(st.Numeric, features.NumericColumn{Name: n, Impute: p.Impute[i],
			Fill: stats[3*i], Center: stats[3*i+1], Divisor: stats[3*i+2]})
	}
	for i, c := range categorical {
		levels, err := b.strings(fmt.Sprintf("%s.levels.%d", name, i))
		if err != nil {
			return nil, err
		}
		st.Categorical = append(st.Categorical, features.CategoricalColumn{Name: c, Levels: levels, Unknown: p.Unknown[i]})
	}
	if st.Hashed, err = b.strings(name + ".hashed"); err != nil {
		return nil, err
	}
	if len(st.Hashed) == 0 {
		st.Hashed = nil
	}
	if st.Names, err = b.strings(name + ".names"); err != nil {
		return nil, err
	}
	// Every output column is named, so the names bound the bucket count
	// that a transform allocates per row.
	if p.HashBuckets < 0 || p.HashBuckets > len(st.Names) {
		return nil, corrupt("hash_buckets is %d, outside [0, %d] (the output columns)", p.HashBuckets, len(st.Names))
	}
	t, err := features.NewTableFromState(st)
	return t, asCorrupt(err)
}
