package persist

import (
	"encoding/json"

	"github.com/kiln-ml/kiln/features/dfs"
)

// Tensors of dfs.Definitions:
//
//	NAME.definitions  U8 [bytes]  the definitions' JSON document (dfs.Definitions.MarshalJSON)
func init() {
	mustRegister(Codec{
		Kind: "dfs.Definitions",
		Step: (*dfs.Definitions)(nil),
		Encode: func(step any, b *Bundle, name string) (any, error) {
			doc, err := json.Marshal(step.(*dfs.Definitions))
			if err != nil {
				return nil, err
			}
			b.Tensors[name+".definitions"] = Tensor{U8, []int{len(doc)}, doc}
			return struct{}{}, nil
		},
		Decode: func(b *Bundle, name string, _ json.RawMessage) (any, error) {
			t, err := b.tensor(name+".definitions", U8, []int{-1})
			if err != nil {
				return nil, err
			}
			return dfs.ParseDefinitions(t.Data)
		},
	})
}
