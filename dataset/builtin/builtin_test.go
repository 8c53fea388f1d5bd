package builtin

import (
	"fmt"
	"math"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
)

// colWant describes one column: its type, null count, and either the sum of
// its values (numeric columns) or its number of distinct values and total
// text length (string columns), plus whether it must be dictionary-encoded.
type colWant struct {
	name     string
	typ      dataset.Type
	nulls    int
	sum      float64
	distinct int
	textLen  int
	dict     bool
}

// The golden null counts, sums, distinct counts and text lengths were computed
// with pandas 1.5.3 (Debian python3-pandas, /usr/bin/python3):
//
//	df = pd.read_csv(path); s.isna().sum(), s.sum(), s.nunique(),
//	s.dropna().str.encode("utf-8").str.len().sum()  # text length in bytes
//
// on the same files in data/. Types follow the sources' documentation (see doc.go).
var goldens = []struct {
	name string
	load func() (*dataset.Frame, error)
	rows int
	cols []colWant
}{
	{"Iris", Iris, 150, []colWant{
		{name: "Sepal.Length", typ: dataset.Float64, sum: 876.5},
		{name: "Sepal.Width", typ: dataset.Float64, sum: 458.6},
		{name: "Petal.Length", typ: dataset.Float64, sum: 563.7},
		{name: "Petal.Width", typ: dataset.Float64, sum: 179.9},
		{name: "Species", typ: dataset.String, distinct: 3, textLen: 1250, dict: true},
	}},
	{"BreastCancer", BreastCancer, 569, []colWant{
		{name: "mean radius", typ: dataset.Float64, sum: 8038.429},
		{name: "mean concavity", typ: dataset.Float64, sum: 50.5268107},
		{name: "worst fractal dimension", typ: dataset.Float64, sum: 47.76517},
		{name: "target", typ: dataset.Int64, sum: 357},
		{name: "target_name", typ: dataset.String, distinct: 2, textLen: 4050, dict: true},
	}},
	{"Diabetes", Diabetes, 442, []colWant{
		{name: "age", typ: dataset.Float64, sum: 21445},
		{name: "sex", typ: dataset.Float64, sum: 649},
		{name: "bp", typ: dataset.Float64, sum: 41833.98},
		{name: "s5", typ: dataset.Float64, sum: 2051.5036},
		{name: "target", typ: dataset.Float64, sum: 67243},
	}},
	{"CaliforniaHousing", CaliforniaHousing, 20640, []colWant{
		{name: "longitude", typ: dataset.Float64, sum: -2467918.7},
		{name: "total_bedrooms", typ: dataset.Float64, nulls: 207, sum: 10990309},
		{name: "median_income", typ: dataset.Float64, sum: 79890.6495},
		{name: "median_house_value", typ: dataset.Float64, sum: 4269504061},
		{name: "ocean_proximity", typ: dataset.String, distinct: 5, textLen: 166460, dict: true},
	}},
	{"IMDBSample", IMDBSample, 5000, []colWant{
		{name: "id", typ: dataset.Int64, sum: 124975000},
		{name: "sentiment", typ: dataset.Int64, sum: 2500},
		{name: "review", typ: dataset.String, distinct: 4998, textLen: 6509699},
	}},
	{"Longley", Longley, 16, []colWant{
		{name: "GNP", typ: dataset.Float64, sum: 6203.175},
		{name: "Year", typ: dataset.Int64, sum: 31272},
		{name: "Employed", typ: dataset.Float64, sum: 1045.072},
	}},
	{"MTCars", MTCars, 32, []colWant{
		{name: "model", typ: dataset.String, distinct: 32, textLen: 381},
		{name: "mpg", typ: dataset.Float64, sum: 642.9},
		{name: "cyl", typ: dataset.Float64, sum: 198},
		{name: "wt", typ: dataset.Float64, sum: 102.952},
		{name: "carb", typ: dataset.Float64, sum: 90},
	}},
	// Warpbreaks: R 4.2.2, sum(breaks), length(unique(x)), sum(nchar(x)) on the same file.
	{"Warpbreaks", Warpbreaks, 54, []colWant{
		{name: "breaks", typ: dataset.Float64, sum: 1520},
		{name: "wool", typ: dataset.String, distinct: 2, textLen: 54, dict: true},
		{name: "tension", typ: dataset.String, distinct: 3, textLen: 54, dict: true},
	}},
	{"Flights", Flights, 336776, []colWant{
		{name: "year", typ: dataset.Int64, sum: 677930088},
		{name: "month", typ: dataset.Int64, sum: 2205381},
		{name: "day", typ: dataset.Int64, sum: 5291016},
		{name: "dep_time", typ: dataset.Int64, nulls: 8255, sum: 443210949},
		{name: "dep_delay", typ: dataset.Int64, nulls: 8255, sum: 4152200},
		{name: "arr_time", typ: dataset.Int64, nulls: 8713, sum: 492768669},
		{name: "arr_delay", typ: dataset.Int64, nulls: 9430, sum: 2257174},
		{name: "carrier", typ: dataset.String, distinct: 16, textLen: 673552, dict: true},
		{name: "tailnum", typ: dataset.String, nulls: 2512, distinct: 4043, textLen: 2003987, dict: true},
		{name: "flight", typ: dataset.Int64, sum: 664096549},
		{name: "origin", typ: dataset.String, distinct: 3, textLen: 1010328, dict: true},
		{name: "dest", typ: dataset.String, distinct: 105, textLen: 1010328, dict: true},
		{name: "air_time", typ: dataset.Int64, nulls: 9430, sum: 49326610},
		{name: "distance", typ: dataset.Int64, sum: 350217607},
		{name: "hour", typ: dataset.Int64, nulls: 8255, sum: 4327786},
		{name: "minute", typ: dataset.Int64, nulls: 8255, sum: 10432349},
	}},
	{"Planes", Planes, 3322, []colWant{
		{name: "tailnum", typ: dataset.String, distinct: 3322, textLen: 19913},
		{name: "year", typ: dataset.Int64, nulls: 70, sum: 6505574},
		{name: "manufacturer", typ: dataset.String, distinct: 35, textLen: 31407, dict: true},
		{name: "model", typ: dataset.String, distinct: 127, textLen: 27184, dict: true},
		{name: "seats", typ: dataset.Int64, sum: 512639},
		{name: "speed", typ: dataset.Int64, nulls: 3299, sum: 5446},
	}},
	{"Airports", Airports, 1458, []colWant{
		{name: "faa", typ: dataset.String, distinct: 1458, textLen: 4374},
		{name: "name", typ: dataset.String, distinct: 1440, textLen: 28535},
		{name: "lat", typ: dataset.Float64, sum: 60722.79588},
		{name: "lon", typ: dataset.Float64, sum: -150745.9578},
		{name: "alt", typ: dataset.Int64, sum: 1460064},
		{name: "tz", typ: dataset.Float64, sum: -9504},
		{name: "tzone", typ: dataset.String, nulls: 3, distinct: 9, textLen: 23427, dict: true},
	}},
	{"Airlines", Airlines, 16, []colWant{
		{name: "carrier", typ: dataset.String, distinct: 16, textLen: 32},
		{name: "name", typ: dataset.String, distinct: 16, textLen: 309},
	}},
	{"Weather", Weather, 26115, []colWant{
		{name: "origin", typ: dataset.String, distinct: 3, textLen: 78345, dict: true},
		{name: "year", typ: dataset.Int64, sum: 52569495},
		{name: "month", typ: dataset.Int64, sum: 169845},
		{name: "day", typ: dataset.Int64, sum: 409361},
		{name: "hour", typ: dataset.Int64, sum: 300082},
		{name: "temp", typ: dataset.Float64, nulls: 1, sum: 1443069.88},
		{name: "dewp", typ: dataset.Float64, nulls: 1, sum: 1082163.76},
		{name: "humid", typ: dataset.Float64, nulls: 1, sum: 1632909.96},
		{name: "wind_dir", typ: dataset.Float64, nulls: 460, sum: 5124870},
		{name: "wind_speed", typ: dataset.Float64, nulls: 4, sum: 274622.1392},
		{name: "wind_gust", typ: dataset.Float64, nulls: 20778, sum: 136024.49756},
		{name: "precip", typ: dataset.Float64, sum: 116.71},
		{name: "pressure", typ: dataset.Float64, nulls: 2729, sum: 23804580.2},
		{name: "visib", typ: dataset.Float64, sum: 241704.04},
		{name: "time_hour", typ: dataset.String, distinct: 8713, textLen: 496185, dict: true},
	}},
}

func TestBuiltinGoldens(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			f, err := g.load()
			if err != nil {
				t.Fatal(err)
			}
			if f.NumRows() != g.rows {
				t.Fatalf("%d rows, want %d", f.NumRows(), g.rows)
			}
			for _, w := range g.cols {
				c, err := f.Column(w.name)
				if err != nil {
					t.Fatal(err)
				}
				if c.Type() != w.typ || c.NullCount() != w.nulls || c.IsDict() != w.dict {
					t.Errorf("%s: type %v nulls %d dict %v, want %v %d %v", w.name, c.Type(), c.NullCount(), c.IsDict(), w.typ, w.nulls, w.dict)
				}
				if w.typ == dataset.String {
					distinct := map[string]bool{}
					n := 0
					for i := range c.Len() {
						if !c.IsNull(i) {
							distinct[c.StringAt(i)] = true
							n += len(c.StringAt(i))
						}
					}
					if len(distinct) != w.distinct || n != w.textLen {
						t.Errorf("%s: %d distinct, %d bytes; want %d, %d", w.name, len(distinct), n, w.distinct, w.textLen)
					}
					continue
				}
				sum := 0.0
				for i := range c.Len() {
					if v, ok := c.FloatAt(i); ok {
						sum += v
					}
				}
				if math.Abs(sum-w.sum) > 1e-9*math.Max(1, math.Abs(w.sum)) {
					t.Errorf("%s: sum %.10g, want %.10g", w.name, sum, w.sum)
				}
			}
		})
	}
}

func TestBuiltinShared(t *testing.T) {
	a, err := Iris()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Iris()
	if a != b {
		t.Error("Iris parsed twice; want the same immutable frame")
	}
}

func ExampleFlights() {
	f, err := Flights()
	if err != nil {
		panic(err)
	}
	fmt.Println(f.NumRows(), f.Schema()[:5])
	dep, _ := f.Column("dep_time")
	fmt.Println(dep.Type(), dep.NullCount(), "cancelled flights")
	// Output:
	// 336776 year:int64, month:int64, day:int64, dep_time:int64, dep_delay:int64
	// int64 8255 cancelled flights
}
