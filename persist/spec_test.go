package persist

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/pipeline"
)

// codeBlocks returns the fenced blocks of a language in FORMAT.md, in order.
func codeBlocks(t *testing.T, lang string) []string {
	t.Helper()
	spec, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, part := range strings.Split(string(spec), "```"+lang+"\n")[1:] {
		end := strings.Index(part, "```")
		if end < 0 {
			t.Fatalf("an unclosed %s block in FORMAT.md", lang)
		}
		out = append(out, part[:end])
	}
	return out
}

// paramsOf maps each step kind to the params type its codec writes.
var paramsOf = map[string]func() any{
	"text.CountVectorizer":      func() any { return new(countParams) },
	"text.HashingVectorizer":    func() any { return new(hashingParams) },
	"text.TfidfTransformer":     func() any { return new(tfidfParams) },
	"models.LinearRegression":   func() any { return new(linearParams) },
	"models.LogisticRegression": func() any { return new(logisticParams) },
	"models.GLM":                func() any { return new(glmParams) },
	"cluster.KMeans":            func() any { return new(kmeansParams) },
	"cluster.MiniBatchKMeans":   func() any { return new(miniBatchParams) },
	"features.Table":            func() any { return new(tableParams) },
}

// The examples of FORMAT.md are what kiln writes: the header entry reads as
// one, the manifest decodes with no field kiln does not know, its step names
// are make_pipeline's, and every step's params decode into the params its
// codec writes, with nothing left over.
func TestFormatExamples(t *testing.T) {
	blocks := codeBlocks(t, "json")
	if len(blocks) < 2 {
		t.Fatalf("FORMAT.md has %d json blocks, want the header and the manifest", len(blocks))
	}
	var header map[string]headerEntry
	if err := strictUnmarshal(blocks[0], &header); err != nil {
		t.Errorf("the header example: %v", err)
	}
	for name, e := range header {
		if err := checkTensor(name, Tensor{e.DType, e.Shape, make([]byte, e.DataOffsets[1]-e.DataOffsets[0])}); err != nil {
			t.Errorf("the header example: %v", err)
		}
	}
	var m Manifest
	if err := strictUnmarshal(blocks[1], &m); err != nil {
		t.Fatalf("the manifest example: %v", err)
	}
	if m.Format != FormatName || m.Version != (Version{FormatMajor, FormatMinor}) {
		t.Errorf("the manifest example is %q %v, not kiln's current %d.%d", m.Format, m.Version, FormatMajor, FormatMinor)
	}
	for i, st := range m.Steps {
		if _, err := codecByKind(st.Kind); err != nil {
			t.Errorf("step %d: %v", i, err)
			continue
		}
		if want := strings.ToLower(st.Kind[strings.Index(st.Kind, ".")+1:]); st.Name != want {
			t.Errorf("step %d is named %q; make_pipeline names a %s %q", i, st.Name, st.Kind, want)
		}
		var params map[string]json.RawMessage
		if err := json.Unmarshal(st.Params, &params); err != nil {
			t.Fatal(err)
		}
		delete(params, "pipeline")
		rest, _ := json.Marshal(params)
		if err := strictUnmarshal(string(rest), paramsOf[st.Kind]()); err != nil {
			t.Errorf("step %d (%s) params: %v", i, st.Kind, err)
		}
		if _, ok := header[st.Name+".coef"]; st.Kind == "models.LogisticRegression" && !ok {
			t.Errorf("the header example names no %s.coef", st.Name)
		}
	}
	if m.Outputs.Kind != pipeline.Classes || len(m.Outputs.Labels) != len(m.Outputs.Classes) {
		t.Errorf("the manifest example's outputs: %+v", m.Outputs)
	}
}

func strictUnmarshal(doc string, v any) error {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// The Python example of FORMAT.md runs as written against a sentiment
// classifier fitted on the embedded IMDB sample.
func TestFormatPythonExample(t *testing.T) {
	py := python(t)
	blocks := codeBlocks(t, "python")
	if len(blocks) != 1 {
		t.Fatalf("FORMAT.md has %d python blocks, want 1", len(blocks))
	}
	rows := make([]int, 200)
	for i := range rows {
		rows[i] = i * 25
	}
	data, _ := reviewsFrame(t).Take(rows).Drop("sentiment")
	p := pipeline.New(&text.CountVectorizer{MinDF: text.DF{Docs: 2}}, &models.LogisticRegression{})
	p.TextPreprocess = "br_to_space"
	if err := p.Fit(ctx, data, "label"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Save(filepath.Join(dir, "sentiment.kiln"), p, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	reader, _ := filepath.Abs("reader")
	script := blocks[0] + "\nprint(model.predict({'review': ['A fine film.', 'Dull.']}))\n"
	cmd := exec.Command(py, "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONPATH="+reader, "PYTHONDONTWRITEBYTECODE=1") // no __pycache__ in the tree
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the example fails: %v\n%s", err, stderr.String())
	}
	want, err := p.Predict(dataMust(t, "review", []string{"A fine film.", "Dull."}))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "['"+want.Format(0)+"', '"+want.Format(1)+"']" {
		t.Errorf("the example predicts %s; kiln predicts %s, %s", got, want.Format(0), want.Format(1))
	}
}

func dataMust(t *testing.T, name string, docs []string) *dataset.Frame {
	t.Helper()
	return dataset.MustNew(dataset.NewString(name, docs, nil))
}
