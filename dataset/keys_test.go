package dataset

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// randomKeyFrame has key columns of every type, with nulls and repeats, and a
// row number column.
func randomKeyFrame(r *rand.Rand, n int, prefix string) *Frame {
	ints, floats := make([]int64, n), make([]float64, n)
	strs, bools := make([]string, n), make([]bool, n)
	iv, fv, sv := make([]bool, n), make([]bool, n), make([]bool, n)
	row := make([]int64, n)
	for i := range n {
		ints[i] = int64(r.IntN(5)) * (1 << 40) // wide range: the hashed path
		floats[i] = float64(r.IntN(4)) / 2
		strs[i] = string(rune('a' + r.IntN(4)))
		bools[i] = r.IntN(2) == 0
		iv[i], fv[i], sv[i] = r.IntN(8) != 0, r.IntN(8) != 0, r.IntN(8) != 0
		row[i] = int64(i)
	}
	return MustNew(
		NewInt64("i", ints, iv), NewFloat64("f", floats, fv),
		NewString("s", strs, sv), DictEncode(NewString("d", strs, sv)),
		NewBool("b", bools, nil), NewInt64(prefix+"row", row, nil),
	)
}

// tupleKey renders a row's key tuple; nulls render as "null".
func tupleKey(f *Frame, keys []string, i int) (string, bool) {
	s, hasNull := "", false
	for _, k := range keys {
		c, _ := f.Column(k)
		if c.IsNull(i) {
			hasNull = true
			s += "|null"
		} else {
			s += "|" + c.Format(i)
		}
	}
	return s, hasNull
}

func TestGroupByAndJoinMatchNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	keySets := [][]string{{"i"}, {"f"}, {"s"}, {"d"}, {"b"}, {"d", "i"}, {"s", "f", "b"}, {"i", "f", "s", "b"}}
	for trial := range 5 {
		left := randomKeyFrame(r, 200, "l")
		right := randomKeyFrame(r, 60, "r")
		for _, keys := range keySets {
			// GroupBy: first-appearance ids of the rendered tuples.
			g, err := left.GroupBy(keys...)
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]int32{}
			want := make([]int32, left.NumRows())
			for i := range want {
				k, _ := tupleKey(left, keys, i)
				id, ok := ids[k]
				if !ok {
					id = int32(len(ids))
					ids[k] = id
				}
				want[i] = id
			}
			if !reflect.DeepEqual(g.Group, want) {
				t.Fatalf("trial %d group by %v differs from the naive grouping", trial, keys)
			}
			// Join: nested loops, nulls never match; d is matched against s.
			rightKeys := append([]string(nil), keys...)
			for k := range rightKeys {
				if rightKeys[k] == "d" {
					rightKeys[k] = "s"
				}
			}
			for _, kind := range []JoinKind{InnerJoin, LeftJoin} {
				j, err := left.Join(right, JoinOptions{Kind: kind, LeftOn: keys, RightOn: rightKeys})
				if err != nil {
					t.Fatal(err)
				}
				var wantPairs []string
				for a := range left.NumRows() {
					ka, na := tupleKey(left, keys, a)
					matched := false
					for b := range right.NumRows() {
						kb, nb := tupleKey(right, rightKeys, b)
						if !na && !nb && ka == kb {
							wantPairs = append(wantPairs, fmt.Sprint(a, b))
							matched = true
						}
					}
					if !matched && kind == LeftJoin {
						wantPairs = append(wantPairs, fmt.Sprint(a, " null"))
					}
				}
				lr, _ := j.Column("lrow")
				rr, _ := j.Column("rrow")
				var got []string
				for i := range j.NumRows() {
					if rr.IsNull(i) {
						got = append(got, fmt.Sprint(lr.Int64s()[i], " null"))
					} else {
						got = append(got, fmt.Sprint(lr.Int64s()[i], rr.Int64s()[i]))
					}
				}
				if !reflect.DeepEqual(got, wantPairs) {
					t.Fatalf("trial %d %v join on %v: %d pairs, want %d", trial, kind, keys, len(got), len(wantPairs))
				}
			}
		}
	}
}
