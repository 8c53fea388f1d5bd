package dfs

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// FuzzDefinitions feeds arbitrary JSON to ParseDefinitions and computes what
// parses on the small fixture: errors are fine, panics are not.
func FuzzDefinitions(f *testing.F) {
	es := smallSet(f, "time")
	defs, err := DFS{Target: "customers", Aggregations: allAggregations,
		OneHot: []OneHot{{Entity: "transactions", Column: "product", TopN: 2}}}.Definitions(es)
	if err != nil {
		f.Fatal(err)
	}
	for _, feat := range defs.Features {
		one := &Definitions{Target: defs.Target, Index: defs.Index, Features: []*Feature{feat}}
		data, _ := json.Marshal(one)
		f.Add(data)
	}
	f.Add([]byte(`{"target": "customers", "features": [{"name": "x", "kind": "direct", "entity": "customers", "child_key": "customer", "input": {"kind": "identity", "entity": "customers", "column": "region"}}]}`))
	f.Add([]byte(`{"target": "transactions", "features": [{"name": "x", "kind": "transform", "entity": "transactions", "primitive": "equal", "value": "zz", "input": {"kind": "identity", "entity": "transactions", "column": "product"}}]}`))
	f.Add([]byte(`{"target": "customers", "features": [{"name": "m", "kind": "aggregate", "entity": "customers", "primitive": "mode", "child": "transactions", "child_key": "customer", "input": {"kind": "aggregate", "entity": "transactions", "primitive": "count", "child": "transactions", "child_key": "customer"}}]}`))
	now := time.Date(2024, 1, 12, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDefinitions(data)
		if err != nil {
			return
		}
		s, err := d.Compile(es)
		if err != nil {
			return
		}
		if _, err := s.Compute(context.Background(), Options{Now: now}); err != nil {
			t.Fatalf("compiled definitions failed to compute: %v", err)
		}
		if _, err := s.NewInstance().ScoreRow(0, now, nil); err != nil {
			t.Fatalf("compiled definitions failed to score: %v", err)
		}
	})
}
