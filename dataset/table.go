package dataset

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Table renders the frame as an aligned text table with a header line, for
// people rather than programs: floats are shown with 6 significant digits,
// nulls as "null", numbers right-aligned. maxRows limits the rows shown (0 or
// less shows all); the rows left out are counted on a last line.
func (f *Frame) Table(maxRows int) string {
	show := f.rows
	if maxRows > 0 {
		show = min(show, maxRows)
	}
	grid := make([][]string, show+1)
	grid[0] = f.Names()
	for i := range show {
		row := make([]string, len(f.cols))
		for j, c := range f.cols {
			switch {
			case c.IsNull(i):
				row[j] = "null"
			case c.typ == Float64:
				row[j] = strconv.FormatFloat(c.floats[i], 'g', 6, 64)
			default:
				row[j] = c.Format(i)
			}
		}
		grid[i+1] = row
	}
	width := make([]int, len(f.cols))
	for _, row := range grid {
		for j, cell := range row {
			width[j] = max(width[j], utf8.RuneCountInString(cell))
		}
	}
	var b strings.Builder
	for _, row := range grid {
		for j, cell := range row {
			pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(cell))
			if j > 0 {
				b.WriteString("  ")
			}
			switch {
			case f.cols[j].typ == Float64 || f.cols[j].typ == Int64:
				b.WriteString(pad + cell)
			case j == len(row)-1:
				b.WriteString(cell) // no trailing blanks
			default:
				b.WriteString(cell + pad)
			}
		}
		b.WriteString("\n")
	}
	if show < f.rows {
		fmt.Fprintf(&b, "... %d more rows\n", f.rows-show)
	}
	return b.String()
}
