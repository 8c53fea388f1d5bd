package dataset

import (
	"math"
	"strings"
	"testing"
)

// Hand-checked joins of a small flights-like table with lookup tables.
func joinFrames() (flights, airlines, routes *Frame) {
	carrier, _ := NewDictString("carrier", []int32{0, 1, 0, 2, 0, 1}, []string{"AA", "UA", "XX"}, []bool{true, true, true, true, false, true})
	flights = MustNew(
		NewInt64("id", []int64{1, 2, 3, 4, 5, 6}, nil),
		carrier,
		NewString("origin", []string{"JFK", "LGA", "EWR", "JFK", "JFK", "LGA"}, nil),
		NewFloat64("delay", []float64{5, -3, 0, 12, 7, 1}, nil),
	)
	airlines = MustNew(
		NewString("carrier", []string{"UA", "AA", "DL", "UA", ""}, []bool{true, true, true, true, false}),
		NewString("name", []string{"United", "American", "Delta", "United2", "Nobody"}, nil),
	)
	routes = MustNew(
		NewString("faa", []string{"JFK", "LGA", "JFK", "EWR"}, nil),
		NewString("carrier", []string{"AA", "UA", "XX", "UA"}, nil),
		NewFloat64("delay", []float64{1.5, 2.5, 3.5, 4.5}, nil),
	)
	return flights, airlines, routes
}

func TestJoin(t *testing.T) {
	flights, airlines, routes := joinFrames()
	cases := []struct {
		name  string
		left  *Frame
		right *Frame
		opt   JoinOptions
		want  string
	}{
		{"inner on dict vs plain strings, duplicate right keys, nulls never match", flights, airlines,
			JoinOptions{On: []string{"carrier"}},
			"1,AA,JFK,5,American\n2,UA,LGA,-3,United\n2,UA,LGA,-3,United2\n3,AA,EWR,0,American\n6,UA,LGA,1,United\n6,UA,LGA,1,United2\n"},
		{"left keeps unmatched rows in place", flights, airlines,
			JoinOptions{Kind: LeftJoin, On: []string{"carrier"}},
			"1,AA,JFK,5,American\n2,UA,LGA,-3,United\n2,UA,LGA,-3,United2\n3,AA,EWR,0,American\n4,XX,JFK,12,null\n5,null,JFK,7,null\n6,UA,LGA,1,United\n6,UA,LGA,1,United2\n"},
		{"two keys with other names, clashing column suffixed", flights, routes,
			JoinOptions{Kind: LeftJoin, LeftOn: []string{"origin", "carrier"}, RightOn: []string{"faa", "carrier"}},
			"1,AA,JFK,5,1.5\n2,UA,LGA,-3,2.5\n3,AA,EWR,0,null\n4,XX,JFK,12,3.5\n5,null,JFK,7,null\n6,UA,LGA,1,2.5\n"},
		{"custom suffix, inner", flights, routes,
			JoinOptions{LeftOn: []string{"origin", "carrier"}, RightOn: []string{"faa", "carrier"}, Suffix: "_route"},
			"1,AA,JFK,5,1.5\n2,UA,LGA,-3,2.5\n4,XX,JFK,12,3.5\n6,UA,LGA,1,2.5\n"},
	}
	for _, c := range cases {
		got, err := c.left.Join(c.right, c.opt)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if cells(got) != c.want {
			t.Errorf("%s:\n%s\nwant\n%s", c.name, cells(got), c.want)
		}
	}
	g, _ := flights.Join(routes, JoinOptions{LeftOn: []string{"origin", "carrier"}, RightOn: []string{"faa", "carrier"}, Suffix: "_route"})
	if want := "id:int64, carrier:string, origin:string, delay:float64, delay_route:float64"; g.Schema().String() != want {
		t.Errorf("schema %s, want %s", g.Schema(), want)
	}
	// A left join with unique right keys keeps the left columns as they are.
	uniq := MustNew(NewString("carrier", []string{"AA", "UA"}, nil), NewInt64("rank", []int64{1, 2}, nil))
	g, _ = flights.Join(uniq, JoinOptions{Kind: LeftJoin, On: []string{"carrier"}})
	if g.Col(0) != flights.Col(0) || cells(mustSelect(t, g, "rank")) != "1\n2\n1\nnull\nnull\n2\n" {
		t.Errorf("left join on unique keys:\n%s", cells(g))
	}
}

func TestJoinEmptySides(t *testing.T) {
	flights, airlines, _ := joinFrames()
	noAirlines, _ := airlines.Slice(0, 0)
	noFlights, _ := flights.Slice(0, 0)
	g, err := flights.Join(noAirlines, JoinOptions{Kind: LeftJoin, On: []string{"carrier"}})
	if err != nil || g.NumRows() != 6 || g.Col(4).NullCount() != 6 {
		t.Errorf("left join with an empty right frame: %v\n%s", err, g)
	}
	g, err = flights.Join(noAirlines, JoinOptions{On: []string{"carrier"}})
	if err != nil || g.NumRows() != 0 || g.NumCols() != 5 {
		t.Errorf("inner join with an empty right frame: %v", err)
	}
	g, err = noFlights.Join(airlines, JoinOptions{Kind: LeftJoin, On: []string{"carrier"}})
	if err != nil || g.NumRows() != 0 || g.NumCols() != 5 {
		t.Errorf("join of an empty left frame: %v", err)
	}
}

// mustSelect is Select for tests.
func mustSelect(t *testing.T, f *Frame, names ...string) *Frame {
	t.Helper()
	g, err := f.Select(names...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestJoinNumericKeys(t *testing.T) {
	left := MustNew(
		NewInt64("k", []int64{3, 1, 1 << 40, 2, 0}, []bool{true, true, true, true, false}),
		NewFloat64("x", []float64{0, math.Copysign(0, -1), 2.5, math.NaN(), 1}, nil),
		NewBool("b", []bool{true, false, true, false, true}, nil),
	)
	right := MustNew(
		NewInt64("k", []int64{1 << 40, 3, 0, 1}, []bool{true, true, false, true}),
		NewFloat64("x", []float64{math.NaN(), 0, 2.5, 0}, nil),
		NewBool("b", []bool{false, true, true, true}, nil),
		NewTimestamp("t", []int64{10, 20, 30, 40}, nil),
	)
	cases := []struct {
		on   []string
		want string
	}{
		// int keys of wide range (hashed), the null on each side matches nothing
		{[]string{"k"}, "3,0,true,1970-01-01T00:00:00.00000002Z\n1,-0,false,1970-01-01T00:00:00.00000004Z\n1099511627776,2.5,true,1970-01-01T00:00:00.00000001Z\n"},
		// -0 matches 0, NaN matches nothing
		{[]string{"x"}, "3,0,true,1970-01-01T00:00:00.00000002Z\n3,0,true,1970-01-01T00:00:00.00000004Z\n1,-0,false,1970-01-01T00:00:00.00000002Z\n1,-0,false,1970-01-01T00:00:00.00000004Z\n1099511627776,2.5,true,1970-01-01T00:00:00.00000003Z\n"},
		{[]string{"x", "b"}, "3,0,true,1970-01-01T00:00:00.00000002Z\n3,0,true,1970-01-01T00:00:00.00000004Z\n1099511627776,2.5,true,1970-01-01T00:00:00.00000003Z\n"},
	}
	for _, c := range cases {
		got, err := left.Join(mustSelect(t, right, append(append([]string{}, c.on...), "t")...), JoinOptions{On: c.on})
		if err != nil {
			t.Fatal(err)
		}
		if cells(got) != c.want {
			t.Errorf("join on %v:\n%s\nwant\n%s", c.on, cells(got), c.want)
		}
	}
}

func TestJoinErrors(t *testing.T) {
	flights, airlines, routes := joinFrames()
	withName, _ := flights.WithColumn(NewString("name", make([]string, 6), nil))
	withName, _ = withName.WithColumn(NewString("name_right", make([]string, 6), nil))
	cases := []struct {
		name  string
		right *Frame
		left  *Frame
		opt   JoinOptions
		want  string
	}{
		{"nil right", nil, flights, JoinOptions{On: []string{"carrier"}}, "right frame is nil"},
		{"no keys", airlines, flights, JoinOptions{}, "no key columns"},
		{"both key styles", airlines, flights, JoinOptions{On: []string{"carrier"}, LeftOn: []string{"carrier"}}, "either On or LeftOn/RightOn"},
		{"uneven keys", routes, flights, JoinOptions{LeftOn: []string{"origin", "carrier"}, RightOn: []string{"faa"}}, "2 left keys but 1 right keys"},
		{"missing left key", airlines, flights, JoinOptions{LeftOn: []string{"nope"}, RightOn: []string{"carrier"}}, `left key: dataset: no column "nope"`},
		{"missing right key", airlines, flights, JoinOptions{LeftOn: []string{"carrier"}, RightOn: []string{"nope"}}, `right key: dataset: no column "nope"`},
		{"type mismatch", routes, flights, JoinOptions{LeftOn: []string{"delay"}, RightOn: []string{"faa"}}, `key "delay" is float64 on the left but "faa" is string on the right`},
		{"bad kind", airlines, flights, JoinOptions{Kind: 7, On: []string{"carrier"}}, "unknown kind JoinKind(7)"},
		{"suffix clash", airlines, withName, JoinOptions{On: []string{"carrier"}}, `right column "name" renamed "name_right" still clashes`},
	}
	for _, c := range cases {
		if _, err := c.left.Join(c.right, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.name, err, c.want)
		}
	}
}
