package features

import (
	"context"
	"sync"
	"testing"

	"github.com/kiln-ml/kiln/dataset/builtin"
	"gonum.org/v1/gonum/mat"
)

// TestTransformFromManyGoroutines: a fitted Table encodes from many
// goroutines at once exactly as it does one call at a time (go test -race
// checks that the calls share nothing they write).
func TestTransformFromManyGoroutines(t *testing.T) {
	housing, err := builtin.CaliforniaHousing()
	if err != nil {
		t.Fatal(err)
	}
	tab := &Table{Numeric: []string{"median_income", "total_bedrooms", "housing_median_age"},
		Categorical: []string{"ocean_proximity"}, Impute: ImputeMedian, Scale: true, TopN: 3}
	if err := tab.Fit(context.Background(), housing); err != nil {
		t.Fatal(err)
	}
	want, err := tab.Transform(housing)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 3 {
				got, err := tab.Transform(housing)
				if err != nil || !mat.Equal(got, want) {
					t.Errorf("goroutine %d: Transform differs (%v)", g, err)
				}
			}
		})
	}
	wg.Wait()
}
