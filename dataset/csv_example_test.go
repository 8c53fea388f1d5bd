package dataset_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/kiln-ml/kiln/dataset"
)

func ExampleReadCSV() {
	text := "city,temp,rain,when\n" +
		"\"Paris, FR\",12.5,true,2024-03-01\n" +
		"Oslo,,false,2024-03-02\n" +
		"\"\",-3,NA,2024-03-03T06:00:00Z\n"
	f, err := dataset.ReadCSV(strings.NewReader(text), dataset.CSVOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Schema())
	temp, _ := f.Column("temp")
	city, _ := f.Column("city")
	fmt.Println(temp.NullCount(), "missing temperature;", city.NullCount(), "missing city, one empty:", city.StringAt(2) == "")
	// Output:
	// city:string, temp:float64, rain:bool, when:timestamp
	// 1 missing temperature; 0 missing city, one empty: true
}

func ExampleReadCSV_errors() {
	_, err := dataset.ReadCSV(strings.NewReader("id,n\n1,2\n2,x\n"), dataset.CSVOptions{
		Types: map[string]dataset.Type{"n": dataset.Int64},
	})
	fmt.Println(err)
	// Output:
	// <input>:3:3: column "n": cannot parse "x" as int64
}

func ExampleWriteCSV() {
	f := dataset.MustNew(
		dataset.NewString("name", []string{"a,b", "", "NA"}, []bool{true, true, false}),
		dataset.NewFloat64("x", []float64{1, 0.1, 2.5}, nil),
	)
	if err := dataset.WriteCSV(os.Stdout, f, dataset.CSVOptions{}); err != nil {
		panic(err)
	}
	// Output:
	// name,x
	// "a,b",1.0
	// "",0.1
	// ,2.5
}

func ExampleReadJSONL() {
	text := `{"user": "ann", "score": 3, "at": "2024-03-01T10:00:00Z"}
{"user": "bob", "score": 4.5}
`
	f, err := dataset.ReadJSONL(strings.NewReader(text), dataset.JSONLOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Schema())
	at, _ := f.Column("at")
	fmt.Println(at.NullCount(), "missing time")
	// Output:
	// user:string, score:float64, at:timestamp
	// 1 missing time
}
