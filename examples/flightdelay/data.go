package main

import (
	"fmt"
	"time"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
)

// tables are the nycflights13 tables the example reads, flights prepared
// for feature synthesis.
type tables struct {
	// flights that took off and arrived (a label exists), in the order of the
	// data: id (row number), month, scheduled and departed (timestamps),
	// carrier, origin, dest, distance, tailnum (with nulls), weather_key,
	// dep_delay and late (the label: arrival more than 15 minutes late).
	flights  *dataset.Frame
	planes   *dataset.Frame
	airports *dataset.Frame
	airlines *dataset.Frame
	// weather holds one observation per origin and local hour, with the key
	// "ORIGIN YYYY-MM-DD HH" that flights' weather_key points at.
	weather *dataset.Frame
}

// loadTables reads the embedded nycflights13 tables and prepares the flights.
//
// Times are New York clock times stored as if they were UTC: every flight
// leaves from New York, the weather is recorded there, and the one hour that
// happens twice when clocks go back (1 am on 3 November) is kept once.
//
// The 2015 layout of flights has the actual departure (dep_time, hhmm) and
// the departure delay, and its date is that of the scheduled departure: the
// scheduled time is dep_time - dep_delay, and a flight whose difference is
// negative left after midnight, on the next day (1,207 flights).
//
// Only the first months flights are kept (1 to 12).
func loadTables(months int) (*tables, error) {
	raw, err := builtin.Flights()
	if err != nil {
		return nil, err
	}
	t := &tables{}
	if t.planes, err = builtin.Planes(); err != nil {
		return nil, err
	}
	if t.airports, err = builtin.Airports(); err != nil {
		return nil, err
	}
	if t.airlines, err = builtin.Airlines(); err != nil {
		return nil, err
	}
	if t.flights, err = prepareFlights(raw, months); err != nil {
		return nil, err
	}
	if t.weather, err = prepareWeather(); err != nil {
		return nil, err
	}
	return t, nil
}

// Late is the label: an arrival more than this many minutes after the
// schedule (the U.S. Department of Transportation's on-time limit).
const Late = 15

func prepareFlights(raw *dataset.Frame, lastMonth int) (*dataset.Frame, error) {
	names := []string{"year", "month", "day", "dep_time", "dep_delay", "arr_delay", "carrier", "origin", "dest", "distance", "tailnum"}
	sel, err := raw.Select(names...)
	if err != nil {
		return nil, fmt.Errorf("flights: %w", err)
	}
	col := func(name string) *dataset.Column { return sel.Col(sel.ColumnIndex(name)) }
	year, month, day := col("year").Int64s(), col("month").Int64s(), col("day").Int64s()
	depTime, depDelay, arrDelay := col("dep_time"), col("dep_delay"), col("arr_delay")
	origin := col("origin")

	var keep []int
	var scheduled, departed, months, delays []int64
	var weatherKey []string
	var late []bool
	for i := 0; i < raw.NumRows(); i++ {
		if month[i] > int64(lastMonth) || depTime.IsNull(i) || depDelay.IsNull(i) || arrDelay.IsNull(i) {
			continue // cancelled or diverted: no arrival, no label
		}
		hhmm := depTime.Int64s()[i]
		dep := (hhmm/100)*60 + hhmm%100
		delay := depDelay.Int64s()[i]
		if dep-delay < 0 {
			dep += 24 * 60 // left after midnight, a day after its date
		}
		date := time.Date(int(year[i]), time.Month(month[i]), int(day[i]), 0, 0, 0, 0, time.UTC)
		sched := date.Add(time.Duration(dep-delay) * time.Minute)
		keep = append(keep, i)
		scheduled = append(scheduled, sched.UnixNano())
		departed = append(departed, date.Add(time.Duration(dep)*time.Minute).UnixNano())
		months = append(months, month[i])
		delays = append(delays, delay)
		weatherKey = append(weatherKey, origin.StringAt(i)+" "+sched.Format("2006-01-02 15"))
		late = append(late, arrDelay.Int64s()[i] > Late)
	}
	ids := make([]int64, len(keep))
	for i := range ids {
		ids[i] = int64(i)
	}
	return dataset.New(
		dataset.NewInt64("id", ids, nil),
		dataset.NewInt64("month", months, nil),
		dataset.NewTimestamp("scheduled", scheduled, nil),
		dataset.NewTimestamp("departed", departed, nil),
		col("carrier").Take(keep),
		origin.Take(keep),
		col("dest").Take(keep),
		col("distance").Take(keep),
		col("tailnum").Take(keep),
		dataset.DictEncode(dataset.NewString("weather_key", weatherKey, nil)),
		dataset.NewInt64("dep_delay", delays, nil),
		dataset.NewBool("late", late, nil),
	)
}

// prepareWeather keys each observation by origin and hour, keeping the first
// of the two observations of the repeated hour.
func prepareWeather() (*dataset.Frame, error) {
	w, err := builtin.Weather()
	if err != nil {
		return nil, err
	}
	origin, _ := w.Column("origin")
	hour, _ := w.Column("time_hour")
	seen := make(map[string]bool, w.NumRows())
	var keep []int
	var keys []string
	for i := 0; i < w.NumRows(); i++ {
		th := hour.StringAt(i)
		if len(th) < 13 {
			return nil, fmt.Errorf("weather row %d: time_hour %q is not YYYY-MM-DD HH:MM:SS", i, th)
		}
		k := origin.StringAt(i) + " " + th[:13]
		if seen[k] {
			continue
		}
		seen[k] = true
		keep = append(keep, i)
		keys = append(keys, k)
	}
	measures, err := w.Select("temp", "dewp", "humid", "wind_dir", "wind_speed", "wind_gust", "precip", "pressure", "visib")
	if err != nil {
		return nil, err
	}
	return measures.Take(keep).WithColumn(dataset.NewString("key", keys, nil))
}
