package persist

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/kiln-ml/kiln/models"
)

// summaryJSON is a models.Summary in a model step's params, key "summary"
// (format 1.2): the statistical inference of a least-squares, unpenalized
// logistic or GLM fit, so that a loaded model prints it (Summary.String)
// without its training data. Numbers JSON cannot hold are strings: "NaN"
// (R's NA: an aliased coefficient, a test without residual degrees of
// freedom), "Inf" and "-Inf".
type summaryJSON struct {
	Model         string            `json:"model"`
	Family        string            `json:"family"`
	Link          string            `json:"link"`
	Statistic     string            `json:"statistic"` // "t" or "z"
	Level         number            `json:"level"`
	Observations  int               `json:"observations"`
	Rank          int               `json:"rank"`
	DFResidual    int               `json:"df_residual"`
	DFNull        int               `json:"df_null"`
	Dispersion    number            `json:"dispersion"`
	Deviance      number            `json:"deviance"`
	NullDeviance  number            `json:"null_deviance"`
	LogLikelihood number            `json:"log_likelihood"`
	AIC           number            `json:"aic"`
	Iterations    int               `json:"iterations"`
	Residuals     [5]number         `json:"residuals"` // minimum, quartiles, maximum
	Coefficients  []coefficientJSON `json:"coefficients"`
	LeastSquares  *leastSquaresJSON `json:"least_squares,omitempty"`
	Warnings      []string          `json:"warnings,omitempty"`
}

type coefficientJSON struct {
	Name      string `json:"name"`
	Estimate  number `json:"estimate"`
	StdError  number `json:"std_error"`
	Statistic number `json:"statistic"`
	PValue    number `json:"p_value"`
	Lower     number `json:"lower"`
	Upper     number `json:"upper"`
	Aliased   bool   `json:"aliased,omitempty"`
}

type leastSquaresJSON struct {
	ResidualStdError number `json:"residual_std_error"`
	RSquared         number `json:"r_squared"`
	AdjRSquared      number `json:"adj_r_squared"`
	FStatistic       number `json:"f_statistic"`
	FNumDF           int    `json:"f_num_df"`
	FDenDF           int    `json:"f_den_df"`
	FPValue          number `json:"f_p_value"`
}

// number is a float64 that writes NaN and the infinities as JSON strings.
type number float64

func (x number) MarshalJSON() ([]byte, error) {
	v := float64(x)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return json.Marshal(v)
}

func (x *number) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		switch s {
		case "NaN":
			*x = number(math.NaN())
		case "Inf":
			*x = number(math.Inf(1))
		case "-Inf":
			*x = number(math.Inf(-1))
		default:
			return fmt.Errorf("number %s: want a JSON number, \"NaN\", \"Inf\" or \"-Inf\"", strconv.Quote(s))
		}
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*x = number(v)
	return nil
}

func encodeSummary(s *models.Summary) *summaryJSON {
	if s == nil {
		return nil
	}
	j := &summaryJSON{Model: s.Model, Family: s.Family, Link: s.Link, Statistic: s.Statistic, Level: number(s.Level),
		Observations: s.Observations, Rank: s.Rank, DFResidual: s.DFResidual, DFNull: s.DFNull,
		Dispersion: number(s.Dispersion), Deviance: number(s.Deviance), NullDeviance: number(s.NullDeviance),
		LogLikelihood: number(s.LogLikelihood), AIC: number(s.AIC), Iterations: s.Iterations, Warnings: s.Warnings}
	for i, r := range s.Residuals {
		j.Residuals[i] = number(r)
	}
	for _, c := range s.Coefficients {
		j.Coefficients = append(j.Coefficients, coefficientJSON{Name: c.Name, Estimate: number(c.Estimate),
			StdError: number(c.StdError), Statistic: number(c.Statistic), PValue: number(c.PValue),
			Lower: number(c.Lower), Upper: number(c.Upper), Aliased: c.Aliased})
	}
	if ls := s.LeastSquares; ls != nil {
		j.LeastSquares = &leastSquaresJSON{ResidualStdError: number(ls.ResidualStdError), RSquared: number(ls.RSquared),
			AdjRSquared: number(ls.AdjRSquared), FStatistic: number(ls.FStatistic), FNumDF: ls.FNumDF, FDenDF: ls.FDenDF,
			FPValue: number(ls.FPValue)}
	}
	return j
}

// decode returns the summary; the model's state constructor checks it against the model.
func (j *summaryJSON) decode() *models.Summary {
	if j == nil {
		return nil
	}
	s := &models.Summary{Model: j.Model, Family: j.Family, Link: j.Link, Statistic: j.Statistic, Level: float64(j.Level),
		Observations: j.Observations, Rank: j.Rank, DFResidual: j.DFResidual, DFNull: j.DFNull,
		Dispersion: float64(j.Dispersion), Deviance: float64(j.Deviance), NullDeviance: float64(j.NullDeviance),
		LogLikelihood: float64(j.LogLikelihood), AIC: float64(j.AIC), Iterations: j.Iterations, Warnings: j.Warnings}
	for i, r := range j.Residuals {
		s.Residuals[i] = float64(r)
	}
	s.Coefficients = make([]models.Coefficient, len(j.Coefficients))
	for i, c := range j.Coefficients {
		s.Coefficients[i] = models.Coefficient{Name: c.Name, Estimate: float64(c.Estimate), StdError: float64(c.StdError),
			Statistic: float64(c.Statistic), PValue: float64(c.PValue), Lower: float64(c.Lower), Upper: float64(c.Upper),
			Aliased: c.Aliased}
	}
	if ls := j.LeastSquares; ls != nil {
		s.LeastSquares = &models.LeastSquares{ResidualStdError: float64(ls.ResidualStdError), RSquared: float64(ls.RSquared),
			AdjRSquared: float64(ls.AdjRSquared), FStatistic: float64(ls.FStatistic), FNumDF: ls.FNumDF, FDenDF: ls.FDenDF,
			FPValue: float64(ls.FPValue)}
	}
	return s
}
