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
			if err := checkDefinitionsSize(t.Data); err != nil {
				return nil, err
			}
			d, err := dfs.ParseDefinitions(t.Data)
			return d, asCorrupt(err)
		},
	})
}

// minFeatureBytes is less than the JSON of any feature kiln writes (its name,
// kind, entity and type are always spelled out); a feature costs about 200
// bytes once parsed.
const minFeatureBytes = 32

// checkDefinitionsSize refuses a definitions document with more JSON objects
// than its bytes could hold as real features ("[{},{},...]" would make the
// parser allocate 70 times its size), before the parser sees it.
func checkDefinitionsSize(doc []byte) error {
	if !json.Valid(doc) {
		return corrupt("feature definitions are not valid JSON")
	}
	objects, inString, escaped := 0, false, false
	for _, c := range doc {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && c == '{':
			objects++
		}
	}
	if objects*minFeatureBytes > len(doc) {
		return corrupt("feature definitions hold %d JSON objects in %d bytes, fewer than %d bytes each: not features kiln wrote",
			objects, len(doc), minFeatureBytes)
	}
	return nil
}
