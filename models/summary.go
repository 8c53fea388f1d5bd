package models

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// String lays the summary out as R 4.2.2's print of summary(lm(...)) or
// summary(glm(...)) does at its default 7 digits: residual quantiles, the
// coefficient table with significance stars, and the fit figures. The
// first line names the model in place of R's call, and R's warnings, if
// any, follow at the end.
func (s *Summary) String() string {
	var b strings.Builder
	const digits = 4 // R: max(3, getOption("digits") - 3)
	ls := s.LeastSquares
	fmt.Fprintf(&b, "%s: %s family, %s link, %d observations\n\n", s.Model, s.Family, s.Link, s.Observations)
	names := []string{"Min", "1Q", "Median", "3Q", "Max"}
	res := formatReal(zapsmall(s.Residuals[:], digits+1), digits)
	if ls != nil {
		b.WriteString("Residuals:\n")
		writeNamedVector(&b, names, res, 1)
	} else {
		b.WriteString("Deviance Residuals: \n")
		writeNamedVector(&b, names, res, 2)
	}
	if aliased := s.aliasedCount(); aliased > 0 {
		fmt.Fprintf(&b, "\nCoefficients: (%d not defined because of singularities)\n", aliased)
	} else {
		b.WriteString("\nCoefficients:\n")
	}
	s.writeCoefficients(&b, digits)
	if ls != nil {
		fmt.Fprintf(&b, "\nResidual standard error: %s on %d degrees of freedom\n",
			formatReal([]float64{signif(ls.ResidualStdError, digits)}, 7)[0], s.DFResidual)
		if ls.FNumDF > 0 {
			fmt.Fprintf(&b, "Multiple R-squared:  %s,\tAdjusted R-squared:  %s \nF-statistic: %s on %d and %d DF,  p-value: %s\n",
				formatG(ls.RSquared, digits), formatG(ls.AdjRSquared, digits), formatG(ls.FStatistic, digits),
				ls.FNumDF, ls.FDenDF, formatPValues([]float64{ls.FPValue}, digits, eps64)[0])
		}
	} else {
		fmt.Fprintf(&b, "\n(Dispersion parameter for %s family taken to be %s)\n\n", s.Family, formatReal([]float64{s.Dispersion}, 7)[0])
		dev := formatReal([]float64{s.NullDeviance, s.Deviance}, digits+1)
		df := padLeft([]string{strconv.Itoa(s.DFNull), strconv.Itoa(s.DFResidual)})
		fmt.Fprintf(&b, "    Null deviance: %s  on %s  degrees of freedom\n", dev[0], df[0])
		fmt.Fprintf(&b, "Residual deviance: %s  on %s  degrees of freedom\n", dev[1], df[1])
		fmt.Fprintf(&b, "AIC: %s\n\nNumber of Fisher Scoring iterations: %d\n", formatReal([]float64{s.AIC}, digits+1)[0], s.Iterations)
	}
	if len(s.Warnings) > 0 {
		b.WriteString("\nWarnings:\n")
		for _, w := range s.Warnings {
			fmt.Fprintf(&b, "  %s\n", w)
		}
	}
	return b.String()
}

func (s *Summary) aliasedCount() int {
	k := 0
	for _, c := range s.Coefficients {
		if c.Aliased {
			k++
		}
	}
	return k
}

// writeCoefficients prints the coefficient table as R's printCoefmat.
func (s *Summary) writeCoefficients(b *strings.Builder, digits int) {
	k := len(s.Coefficients)
	stat := s.Statistic
	header := []string{"Estimate", "Std. Error", stat + " value", "Pr(>|" + stat + "|)"}
	cells := make([][]string, 4) // by column
	for j := range cells {
		cells[j] = make([]string, k)
	}
	// Estimates and standard errors share one format, rounded to digits
	// decimals past the leading digit of the smallest non-zero value.
	var both []float64
	for _, c := range s.Coefficients {
		if !c.Aliased {
			both = append(both, c.Estimate, c.StdError)
		}
	}
	smallest := math.Inf(1)
	for _, v := range both {
		if a := math.Abs(v); a != 0 && !math.IsInf(a, 0) && !math.IsNaN(a) {
			smallest = math.Min(smallest, a)
		}
	}
	digMin := 1.0
	if !math.IsInf(smallest, 1) {
		digMin = 1 + math.Floor(math.Log10(smallest))
	}
	places := max(1, digits-int(digMin))
	rounded := make([]float64, len(both))
	for i, v := range both {
		rounded[i] = roundTo(v, places)
	}
	formatted := formatReal(rounded, digits)
	// A non-zero value that rounding shows as zero is printed on its own with one digit less.
	for i, f := range formatted {
		if v, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err == nil && (v == 0) != (both[i] == 0) {
			formatted[i] = formatReal([]float64{both[i]}, max(1, digits-1))[0]
		}
	}
	var tests, pvalues []float64
	for _, c := range s.Coefficients {
		if !c.Aliased {
			tests = append(tests, roundTo(c.Statistic, max(1, min(5, digits-1))))
			pvalues = append(pvalues, c.PValue)
		}
	}
	testCells := formatReal(tests, digits)
	pCells := formatPValues(pvalues, max(1, min(5, digits-1)), eps64)
	stars := make([]string, k)
	anyStar := false
	for _, p := range pvalues {
		anyStar = anyStar || p < 0.1
	}
	i := 0
	for r, c := range s.Coefficients {
		if c.Aliased {
			for j := range cells {
				cells[j][r] = "NA"
			}
			continue
		}
		cells[0][r], cells[1][r], cells[2][r] = formatted[2*i], formatted[2*i+1], testCells[i]
		cells[3][r] = pCells[i]
		stars[r] = significanceStars(c.PValue)
		i++
	}
	if anyStar {
		header = append(header, "")
		cells = append(cells, padRight(stars))
	}
	rowNames := make([]string, k)
	nameWidth := 0
	for r, c := range s.Coefficients {
		rowNames[r] = c.Name
		nameWidth = max(nameWidth, len([]rune(c.Name)))
	}
	widths := make([]int, len(cells))
	for j, col := range cells {
		widths[j] = len(header[j])
		for _, v := range col {
			widths[j] = max(widths[j], len([]rune(v)))
		}
	}
	b.WriteString(strings.Repeat(" ", nameWidth))
	for j, h := range header {
		fmt.Fprintf(b, " %*s", widths[j], h)
	}
	b.WriteByte('\n')
	for r := range rowNames {
		b.WriteString(rowNames[r] + strings.Repeat(" ", nameWidth-len([]rune(rowNames[r]))))
		for j := range cells {
			fmt.Fprintf(b, " %*s", widths[j], cells[j][r])
		}
		b.WriteByte('\n')
	}
	if anyStar {
		b.WriteString("---\nSignif. codes:  0 ‘***’ 0.001 ‘**’ 0.01 ‘*’ 0.05 ‘.’ 0.1 ‘ ’ 1\n")
	}
}

func significanceStars(p float64) string {
	switch {
	case math.IsNaN(p):
		return ""
	case p <= 0.001:
		return "***"
	case p <= 0.01:
		return "**"
	case p <= 0.05:
		return "*"
	case p <= 0.1:
		return "."
	}
	return " "
}

// writeNamedVector prints values under their names as R prints a named
// vector: every field right-justified to the widest name or value and
// followed by gap spaces.
func writeNamedVector(b *strings.Builder, names, values []string, gap int) {
	w := 0
	for i := range names {
		w = max(w, len(names[i]), len(values[i]))
	}
	for _, row := range [][]string{names, values} {
		for _, v := range row {
			fmt.Fprintf(b, "%*s%s", w, v, strings.Repeat(" ", gap))
		}
		b.WriteByte('\n')
	}
}

// padLeft right-justifies the strings to one width; padRight left-justifies them.
func padLeft(s []string) []string  { return pad(s, "%*s") }
func padRight(s []string) []string { return pad(s, "%-*s") }

func pad(s []string, format string) []string {
	w := 0
	for _, v := range s {
		w = max(w, len(v))
	}
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf(format, w, v)
	}
	return out
}

// formatG is C's %.<digits>g, R's formatC(x, digits = digits).
func formatG(x float64, digits int) string {
	return fmt.Sprintf("%.*g", digits, x)
}

// roundTo rounds x to the given number of decimal places, as R's round.
func roundTo(x float64, places int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	v, err := strconv.ParseFloat(strconv.FormatFloat(x, 'f', places, 64), 64)
	if err != nil {
		return x
	}
	return v
}

// signif rounds x to the given number of significant digits, as R's signif.
func signif(x float64, digits int) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'e', digits-1, 64), 64)
	return v
}

// zapsmall rounds values that are tiny next to the largest to zero, as R's zapsmall.
func zapsmall(x []float64, digits int) []float64 {
	mx := 0.0
	for _, v := range x {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			mx = math.Max(mx, math.Abs(v))
		}
	}
	// R 4.2.2 rounds to digits - log10(max) places, a fractional count
	// that round() takes to the nearest whole number.
	places := digits
	if mx > 0 {
		places = int(math.Floor(math.Max(0, float64(digits)-math.Log10(mx)) + 0.5))
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = roundTo(v, places)
	}
	return out
}

// formatReal formats the values with one common layout, as R's format(x,
// digits = digits) does: every value shows at least digits significant
// digits (fewer when the rest are trailing zeros), in fixed notation unless
// scientific notation is narrower, and all are right-justified to one width.
func formatReal(x []float64, digits int) []string {
	neg := 0
	rgt, mxsl, mxns := math.MinInt, math.MinInt, math.MinInt
	mxe, mne := math.MinInt, math.MaxInt
	mxl := math.MinInt
	finite := false
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		finite = true
		kpower, nsig, negative := scientific(v, digits)
		left := kpower + 1
		if kpower > 0 && math.Abs(v) < math.Pow(10, float64(kpower)) {
			left-- // rounding widened the exponent; fixed notation shows the digits before the point
		}
		sleft := left
		if left <= 0 {
			sleft = 1
		}
		if negative {
			neg = 1
			sleft++
		}
		rgt = max(rgt, nsig-left)
		mxl = max(mxl, left)
		mxsl = max(mxsl, sleft)
		mxns = max(mxns, nsig)
		mxe = max(mxe, kpower)
		mne = min(mne, kpower)
	}
	out := make([]string, len(x))
	if !finite {
		for i, v := range x {
			out[i] = nonFinite(v)
		}
		return padLeft(out)
	}
	if mxl < 0 {
		mxsl = 1 + neg
	}
	rgt = max(rgt, 0)
	wF := mxsl + rgt
	if rgt != 0 {
		wF++
	}
	e := 1
	if mxe >= 100 || mne <= -99 {
		e = 2
	}
	d := mxns - 1
	wE := neg + d + 4 + e
	if d > 0 {
		wE++
	}
	for i, v := range x {
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			out[i] = nonFinite(v)
		case wF <= wE:
			out[i] = strconv.FormatFloat(v, 'f', rgt, 64)
		default:
			out[i] = strconv.FormatFloat(v, 'e', d, 64)
		}
	}
	return padLeft(out)
}

func nonFinite(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case v > 0:
		return "Inf"
	}
	return "-Inf"
}

// scientific returns the decimal exponent of v rounded to digits
// significant digits, how many of those digits are needed (trailing zeros
// dropped), and whether v is negative.
func scientific(v float64, digits int) (kpower, nsig int, negative bool) {
	if v == 0 {
		return 0, 1, false
	}
	s := strconv.FormatFloat(math.Abs(v), 'e', digits-1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	kpower, _ = strconv.Atoi(exp)
	mant = strings.Replace(mant, ".", "", 1)
	mant = strings.TrimRight(mant, "0")
	return kpower, max(1, len(mant)), v < 0
}

// formatPValues formats p-values as R's format.pval: values below eps as
// "< eps", the others in two groups (from 1e-4 up, and smaller) each with
// one layout.
func formatPValues(pv []float64, digits int, eps float64) []string {
	out := make([]string, len(pv))
	var fixIdx, sciIdx, zeroIdx []int
	for i, p := range pv {
		switch {
		case math.IsNaN(p):
			out[i] = "NA"
		case p < eps:
			zeroIdx = append(zeroIdx, i)
		default:
			expo := -50.0
			if p > 0 {
				expo = math.Floor(math.Log10(p))
			}
			if expo >= -3 || (expo == -4 && digits > 1) {
				fixIdx = append(fixIdx, i)
			} else {
				sciIdx = append(sciIdx, i)
			}
		}
	}
	width := 0
	for _, group := range [][]int{fixIdx, sciIdx} {
		vals := make([]float64, len(group))
		for k, i := range group {
			vals[k] = pv[i]
		}
		for k, f := range formatReal(vals, digits) {
			out[group[k]] = f
			width = max(width, len(f))
		}
	}
	if len(zeroIdx) > 0 {
		d := max(1, digits-2)
		sep := " "
		if len(fixIdx)+len(sciIdx) > 0 {
			if d > 1 && d+6 > width {
				d = max(1, width-7)
			}
			if d == 1 && width <= 6 {
				sep = ""
			}
		} else if d == 1 {
			sep = ""
		}
		lt := "<" + sep + formatReal([]float64{eps}, d)[0]
		for _, i := range zeroIdx {
			out[i] = lt
		}
	}
	return out
}
