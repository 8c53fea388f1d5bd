package dfs

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kiln-ml/kiln/dataset"
)

// LogicalType is what a column means, as opposed to how it is stored: it
// decides which primitives automatic DFS applies to it, as Woodwork's logical
// types and semantic tags decide it for Featuretools (and Featuretools 0.x's
// variable types did). An Int64 user id and an Int64 distance are stored
// alike, but only the distance is summed.
type LogicalType string

// The logical types. Every column of an entity has one: inferred from its
// storage when the entity is added (see AddEntity), set to LogicalIndex for
// the index and LogicalID for relationship keys, and declared otherwise with
// SetLogicalTypes.
const (
	// LogicalIndex is the entity's index (Woodwork's "index" tag): never a
	// feature itself; COUNT counts the rows it identifies.
	LogicalIndex LogicalType = "index"
	// LogicalID identifies a row of another table: a relationship key
	// ("foreign_key") or an id column without an entity of its own. It is
	// never summed or averaged; num_unique, mode, first and last apply.
	LogicalID LogicalType = "id"
	// LogicalNumeric is a quantity (Woodwork's Double and Integer, tag
	// "numeric"): the arithmetic aggregations and absolute apply.
	LogicalNumeric LogicalType = "numeric"
	// LogicalCategorical is one of a set of values (Woodwork's Categorical,
	// tag "category"): num_unique and mode apply, and one-hot encoding.
	LogicalCategorical LogicalType = "categorical"
	// LogicalOrdinal is an ordered category, as the day, month, year, weekday
	// and hour transforms give (Woodwork's Ordinal, tag "category"):
	// num_unique and mode apply, arithmetic does not.
	LogicalOrdinal LogicalType = "ordinal"
	// LogicalBoolean is true or false: percent_true applies, and the one-hot
	// columns it encodes are summed and averaged.
	LogicalBoolean LogicalType = "boolean"
	// LogicalDatetime is an instant (Woodwork's Datetime; the time index has
	// the "time_index" tag): the date-part transforms and time_since_last
	// apply, arithmetic does not.
	LogicalDatetime LogicalType = "datetime"
)

// inferLogicalType is the default logical type of a column by its storage.
func inferLogicalType(t dataset.Type) LogicalType {
	switch t {
	case dataset.Float64, dataset.Int64:
		return LogicalNumeric
	case dataset.Bool:
		return LogicalBoolean
	case dataset.Timestamp:
		return LogicalDatetime
	}
	return LogicalCategorical
}

// storageFits reports whether a column stored as t can have logical type lt.
func storageFits(lt LogicalType, t dataset.Type) bool {
	switch lt {
	case LogicalNumeric:
		return t == dataset.Float64 || t == dataset.Int64
	case LogicalID, LogicalCategorical, LogicalOrdinal:
		return t == dataset.String || t == dataset.Int64
	case LogicalBoolean:
		return t == dataset.Bool
	case LogicalDatetime:
		return t == dataset.Timestamp
	}
	return false
}

// LogicalType returns the logical type of one of the entity's columns ("" if
// it has no such column).
func (e *Entity) LogicalType(column string) LogicalType { return e.types[column] }

// LogicalTypes returns the logical type of every column of the entity.
func (e *Entity) LogicalTypes() map[string]LogicalType { return maps.Clone(e.types) }

// SetLogicalTypes declares what columns of an entity mean, as Featuretools'
// add_dataframe(logical_types=...) does; DFS then builds features by them.
// The common case is an Int64 column that is an id, not a quantity:
//
//	es.SetLogicalTypes("ratings", map[string]dfs.LogicalType{"userId": dfs.LogicalID})
//
// The storage must fit: LogicalNumeric needs Float64 or Int64;
// LogicalID, LogicalCategorical and LogicalOrdinal need String or Int64;
// LogicalBoolean needs Bool and LogicalDatetime needs Timestamp. The index
// stays LogicalIndex, relationship keys stay LogicalID and the time index
// stays LogicalDatetime: declaring otherwise is an error, as is LogicalIndex
// for any other column. Declare types before synthesizing; definitions
// already made do not change.
func (es *EntitySet) SetLogicalTypes(entity string, types map[string]LogicalType) error {
	e, err := es.Entity(entity)
	if err != nil {
		return fmt.Errorf("dfs: logical types: %w", err)
	}
	for _, col := range slices.Sorted(maps.Keys(types)) {
		lt := types[col]
		c, err := e.Frame.Column(col)
		if err != nil {
			return fmt.Errorf("dfs: logical types of entity %q: %w", entity, err)
		}
		switch {
		case col == e.Index && lt != LogicalIndex:
			return fmt.Errorf("dfs: logical types: %s.%s is the index; it cannot be %s", entity, col, lt)
		case col != e.Index && lt == LogicalIndex:
			return fmt.Errorf("dfs: logical types: %s.%s is not the index (%q is); use LogicalID for an id", entity, col, e.Index)
		case col == e.TimeIndex && lt != LogicalDatetime:
			return fmt.Errorf("dfs: logical types: %s.%s is the time index; it cannot be %s", entity, col, lt)
		case es.isKey(entity, col) && lt != LogicalID:
			return fmt.Errorf("dfs: logical types: %s.%s is a relationship key; it cannot be %s", entity, col, lt)
		case col == e.Index:
			continue
		case !storageFits(lt, c.Type()):
			if !slices.Contains(logicalTypes, lt) {
				return fmt.Errorf("dfs: logical types: %s.%s: unknown logical type %q (have %s)", entity, col, lt, logicalTypeNames())
			}
			return fmt.Errorf("dfs: logical types: %s.%s is stored as %s, which cannot be %s", entity, col, c.Type(), lt)
		}
	}
	for col, lt := range types {
		e.types[col] = lt
	}
	return nil
}

var logicalTypes = []LogicalType{LogicalIndex, LogicalID, LogicalNumeric, LogicalCategorical, LogicalOrdinal, LogicalBoolean, LogicalDatetime}

func logicalTypeNames() string {
	names := make([]string, len(logicalTypes))
	for i, lt := range logicalTypes {
		names[i] = string(lt)
	}
	return strings.Join(names, ", ")
}

// isKey reports whether the entity's column is the key of a relationship to a parent.
func (es *EntitySet) isKey(entity, col string) bool {
	for _, r := range es.relationships {
		if r.Child == entity && r.ChildKey == col {
			return true
		}
	}
	return false
}

// acceptsLogical reports whether automatic DFS applies an aggregation
// primitive to an input of logical type in, as Featuretools' input types do:
// arithmetic needs a quantity (or a boolean, whose one-hot sums are counts),
// num_unique and mode a category or an id.
func acceptsLogical(prim string, in LogicalType) bool {
	switch prim {
	case "sum", "mean":
		return in == LogicalNumeric || in == LogicalBoolean
	case "min", "max", "std", "skew", "median":
		return in == LogicalNumeric
	case "num_unique", "mode":
		return in == LogicalCategorical || in == LogicalOrdinal || in == LogicalID
	case "percent_true":
		return in == LogicalBoolean
	case "time_since_last":
		return in == LogicalDatetime
	case "first", "last":
		return in != LogicalDatetime && in != LogicalIndex
	}
	return false
}

// transformLogical returns the logical type of a transform primitive's
// output on an input of logical type in, and whether automatic DFS applies
// it: date parts of a datetime are ordinal (Featuretools' Day, Month, Year,
// Weekday and Hour return Ordinal), is_weekend is a boolean, absolute a
// quantity.
func transformLogical(prim string, in LogicalType) (LogicalType, bool) {
	switch prim {
	case "year", "month", "day", "hour", "weekday":
		return LogicalOrdinal, in == LogicalDatetime
	case "is_weekend":
		return LogicalBoolean, in == LogicalDatetime
	case "absolute":
		return LogicalNumeric, in == LogicalNumeric
	}
	return "", false
}

// aggregateLogical is the logical type of an aggregation's output: the
// input's for mode, first and last (an id's mode is a category, no longer a
// key), a quantity otherwise.
func aggregateLogical(prim string, in LogicalType) LogicalType {
	switch prim {
	case "mode", "first", "last":
		if in == LogicalID {
			return LogicalCategorical
		}
		return in
	}
	return LogicalNumeric
}
