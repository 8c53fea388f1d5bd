package serve

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

// The inference request examples of the Open Inference Protocol, written as
// they are published.
//
// specExample is the example of the specification itself
// (kserve/open-inference-protocol, specification/protocol/inference_rest.md,
// "Inference Request Examples", also open_inference_rest.yaml's Example 1).
// It contradicts itself: input1 has shape [3] and one value, so a server
// that checks shapes must refuse it; kiln does, naming the input.
const specExample = `{
  "id" : "42",
  "inputs" : [
    {
      "name" : "input0",
      "shape" : [ 2, 2 ],
      "datatype" : "UINT32",
      "data" : [ 1, 2, 3, 4 ]
    },
    {
      "name" : "input1",
      "shape" : [ 3 ],
      "datatype" : "BOOL",
      "data" : [ true ]
    }
  ],
  "outputs" : [
    {
      "name" : "output0"
    }
  ]
}`

// kserveIrisExample is the V2 request of KServe's scikit-learn and XGBoost
// documentation (docs/modelserving/v1beta1/sklearn/v2, iris-input-v2.json).
const kserveIrisExample = `{
  "inputs": [
    {
      "name": "input-0",
      "shape": [2, 4],
      "datatype": "FP32",
      "data": [
        [6.8, 2.8, 4.8, 1.4],
        [6.0, 3.4, 4.5, 1.6]
      ]
    }
  ]
}`

// kserveCustomExample is the one-value request of KServe's multi-model
// serving documentation (docs/modelserving/mms/multi-model-serving).
const kserveCustomExample = `{"inputs": [{"name": "input-0", "shape": [1], "datatype": "FP32", "data": [1.0]}]}`

// publishSpecModel publishes a model whose inputs are named as in the
// specification's example: input0 (int64) and input1 (bool), and whose
// output is output0.
func publishSpecModel(t *testing.T, reg *persist.Registry) {
	t.Helper()
	frame := dataset.MustNew(
		dataset.NewInt64("input0", []int64{1, 2, 3, 4, 5, 6}, nil),
		dataset.NewBool("input1", []bool{true, false, true, false, true, true}, nil),
		dataset.NewFloat64("output0", []float64{1.0, 1.1, 2.0, 2.1, 3.0, 3.1}, nil),
	)
	p := pipeline.New(&features.Table{Numeric: []string{"input0", "input1"}}, &models.LinearRegression{})
	if err := p.Fit(context.Background(), frame, "output0"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Publish("mymodel", p); err != nil {
		t.Fatal(err)
	}
}

func TestOIPPublishedExamples(t *testing.T) {
	reg := newRegistry(t)
	publishSpecModel(t, reg)
	// A one-input model for KServe's one-value example.
	_, ts := newTestServer(t, reg, Options{})

	status, _, out := do(t, "POST", ts.URL+"/v2/models/iris/infer", "application/json", []byte(kserveIrisExample))
	if status != 200 {
		t.Fatalf("KServe's iris example: %d %s", status, out)
	}
	var resp struct {
		ModelName string `json:"model_name"`
		Outputs   []struct {
			Name     string `json:"name"`
			Shape    []int  `json:"shape"`
			Datatype string `json:"datatype"`
			Data     []any  `json:"data"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal(out, &resp); err != nil || resp.ModelName != "iris" || len(resp.Outputs) != 2 || len(resp.Outputs[0].Data) != 2 {
		t.Fatalf("KServe's iris example: %v %s", err, out)
	}
	// KServe's documentation answers class 1 for both rows, versicolor.
	if resp.Outputs[0].Data[0] != "versicolor" || resp.Outputs[0].Data[1] != "versicolor" {
		t.Fatalf("KServe's iris example predicted %v, want versicolor twice", resp.Outputs[0].Data)
	}

	// The specification's example, as published: refused for its shape.
	status, _, out = do(t, "POST", ts.URL+"/v2/models/mymodel/infer", "application/json", []byte(specExample))
	if status != 400 || !strings.Contains(string(out), `input \"input0\": shape [2 2]: a column is a tensor of shape [N] or [N, 1]`) {
		t.Fatalf("the specification's example: %d %s", status, out)
	}
	// With its shapes made consistent (two rows), the same request succeeds
	// and answers output0 as the example's answer does.
	fixed := strings.NewReplacer(`"shape" : [ 2, 2 ]`, `"shape" : [ 2 ]`, `"data" : [ 1, 2, 3, 4 ]`, `"data" : [ 1, 2 ]`,
		`"shape" : [ 3 ]`, `"shape" : [ 2 ]`, `"data" : [ true ]`, `"data" : [ true, false ]`).Replace(specExample)
	status, _, out = do(t, "POST", ts.URL+"/v2/models/mymodel/infer", "application/json", []byte(fixed))
	if status != 200 || !strings.Contains(string(out), `"id":"42"`) || !strings.Contains(string(out), `"name":"output0","datatype":"FP64","shape":[2]`) {
		t.Fatalf("the specification's example with consistent shapes: %d %s", status, out)
	}

	oneInput := &persist.Registry{Root: t.TempDir()}
	frame := dataset.MustNew(dataset.NewFloat64("input-0", []float64{0, 1, 2, 3}, nil), dataset.NewFloat64("y", []float64{1, 3, 5, 7}, nil))
	one := pipeline.New(&features.Table{Numeric: []string{"input-0"}}, &models.LinearRegression{})
	if err := one.Fit(context.Background(), frame, "y"); err != nil {
		t.Fatal(err)
	}
	oneInput.Publish("model1-custom", one)
	_, ts1 := newTestServer(t, oneInput, Options{})
	status, _, out = do(t, "POST", ts1.URL+"/v2/models/model1-custom/infer", "application/json", []byte(kserveCustomExample))
	if status != 200 || !strings.Contains(string(out), `"data":[3]`) {
		t.Fatalf("KServe's one-value example: %d %s", status, out)
	}
}
