package dfs

import (
	"context"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
)

// TestBadInput checks that bad input gives an error that names the problem,
// never a panic.
func TestBadInput(t *testing.T) {
	customers, transactions := smallFrames(t)
	strKeys := dataset.MustNew(dataset.NewString("customer", []string{"1", "2"}, nil))
	dupKeys := dataset.MustNew(dataset.NewInt64("customer", []int64{1, 1}, nil))
	nullKeys := dataset.MustNew(dataset.NewInt64("customer", []int64{1, 2}, []bool{true, false}))
	loop := dataset.MustNew(dataset.NewInt64("id", []int64{1, 2}, nil), dataset.NewInt64("customer", []int64{1, 2}, nil))
	cases := []struct {
		name  string
		build func(es *EntitySet) error
		want  string
	}{
		{"missing index column", func(es *EntitySet) error {
			return es.AddEntity("customers2", customers, "nope", "")
		}, `no column "nope"`},
		{"missing key column", func(es *EntitySet) error {
			return es.AddRelationship("customers", "transactions", "client")
		}, `no column "client"`},
		{"key type mismatch", func(es *EntitySet) error {
			if err := es.AddEntity("clients", strKeys, "customer", ""); err != nil {
				return err
			}
			return es.AddRelationship("clients", "transactions", "customer")
		}, "key type mismatch: child column \"customer\" is int64, parent index \"customer\" is string"},
		{"relationship cycle", func(es *EntitySet) error {
			if err := es.AddEntity("loop", loop, "id", ""); err != nil {
				return err
			}
			if err := es.AddRelationship("customers", "loop", "customer"); err != nil {
				return err
			}
			if err := es.AddRelationship("loop", "customers", "customer"); err != nil {
				return err
			}
			return nil
		}, "would close a cycle"},
		{"self relationship", func(es *EntitySet) error {
			return es.AddRelationship("transactions", "transactions", "id")
		}, "would close a cycle"},
		{"duplicate index", func(es *EntitySet) error {
			return es.AddEntity("dups", dupKeys, "customer", "")
		}, "value 1 repeats (row 1)"},
		{"null index", func(es *EntitySet) error {
			return es.AddEntity("nulls", nullKeys, "customer", "")
		}, "has 1 nulls"},
		{"time index not a timestamp", func(es *EntitySet) error {
			return es.AddEntity("t2", transactions, "id", "amount")
		}, `time index "amount" is float64`},
		{"unknown entity", func(es *EntitySet) error {
			return es.AddRelationship("stores", "transactions", "customer")
		}, `no entity "stores"`},
		{"unknown aggregation primitive", func(es *EntitySet) error {
			_, err := DFS{Target: "customers", Aggregations: []string{"sum", "avg"}}.Definitions(es)
			return err
		}, `unknown aggregation primitive "avg"`},
		{"unknown transform primitive", func(es *EntitySet) error {
			_, err := DFS{Target: "customers", Transforms: []string{"quarter"}}.Definitions(es)
			return err
		}, `unknown transform primitive "quarter"`},
		{"unknown ignored column", func(es *EntitySet) error {
			_, err := DFS{Target: "customers", IgnoreColumns: map[string][]string{"transactions": {"price"}}}.Definitions(es)
			return err
		}, `entity "transactions" has no column "price"`},
		{"unknown target", func(es *EntitySet) error {
			_, err := DFS{Target: "stores"}.Definitions(es)
			return err
		}, `no entity "stores"`},
		{"one-hot of a number", func(es *EntitySet) error {
			_, err := DFS{Target: "customers", OneHot: []OneHot{{Entity: "transactions", Column: "amount"}}}.Definitions(es)
			return err
		}, "column is float64, want string"},
		{"unknown column in definitions", func(es *EntitySet) error {
			defs := &Definitions{Target: "customers", Features: []*Feature{{Name: "SUM(transactions.price)", Kind: Aggregate,
				Entity: "customers", Primitive: "sum", Child: "transactions", ChildKey: "customer",
				Input: &Feature{Name: "price", Kind: Identity, Entity: "transactions", Column: "price"}}}}
			_, err := defs.Compile(es)
			return err
		}, `feature "SUM(transactions.price)": entity "transactions": dataset: no column "price"`},
		{"primitive does not fit the type", func(es *EntitySet) error {
			in, err := es.NewIdentity("transactions", "product")
			if err != nil {
				return err
			}
			_, err = es.NewAggregate("mean", "transactions", "customer", in)
			return err
		}, `aggregation mean does not apply to categorical feature "product"`},
		{"cutoffs of the wrong key type", func(es *EntitySet) error {
			defs, err := DFS{Target: "customers"}.Definitions(es)
			if err != nil {
				return err
			}
			_, err = defs.Compute(context.Background(), es, Options{Cutoffs: dataset.MustNew(
				dataset.NewString("customer", []string{"1"}, nil), dataset.NewTimestamp("t", []int64{0}, nil))})
			return err
		}, `cutoffs column "customer" is string, the index "customer" of "customers" is int64`},
		{"cutoff for an unknown instance", func(es *EntitySet) error {
			defs, err := DFS{Target: "customers"}.Definitions(es)
			if err != nil {
				return err
			}
			_, err = defs.Compute(context.Background(), es, Options{Cutoffs: dataset.MustNew(
				dataset.NewInt64("customer", []int64{1, 42}, nil), dataset.NewTimestamp("t", []int64{0, 0}, nil))})
			return err
		}, `cutoffs row 1: "customers" has no instance 42`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			es := smallSet(t, "time")
			err := c.build(es)
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

// TestParseDefinitionsErrors checks malformed JSON definitions.
func TestParseDefinitionsErrors(t *testing.T) {
	for _, c := range []struct{ json, want string }{
		{`{`, "unexpected end of JSON"},
		{`{"features": []}`, "no target entity"},
		{`{"target": "c", "features": [null]}`, "feature 0 is null"},
		{`{"target": "c", "features": [{"name": "x", "kind": "magic", "entity": "c"}]}`, `unknown kind "magic"`},
		{`{"target": "c", "features": [{"name": "x", "kind": "aggregate", "entity": "c", "primitive": "avg", "child": "t", "child_key": "c"}]}`,
			`unknown aggregation primitive "avg"`},
		{`{"target": "c", "features": [{"name": "x", "kind": "aggregate", "entity": "c", "primitive": "sum", "child": "t", "child_key": "c"}]}`,
			"aggregation sum has no input"},
		{`{"target": "c", "features": [{"name": "x", "kind": "identity", "entity": "t", "column": "a"}]}`, `describes "t", not the target "c"`},
	} {
		_, err := ParseDefinitions([]byte(c.json))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.json, err, c.want)
		}
	}
}
